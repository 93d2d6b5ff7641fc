"""`computegov report attestation|attestations|attestation-request|capacity-notices` through
the real CLI against a real server (SQLite): a CSV attestation, `--dry-run` recording
nothing, another header refused with the expected one, the provider's and an outsider's
reads, a regulator's request and its capacity notices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reporting_setup import Reporting
from test_custody_cli import _run

from computegov.instants import utcnow
from computegov.registry.reporting.attestations import CSV_HEADER
from computegov.registry.reporting.models import ProviderAttestation
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_attest_by_csv_and_read_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Reporting(world)
    row = f"{cast.dev.id},{cast.site},H100,2025-06-01T00:00:00Z,2025-09-01T00:00:00Z,30840000"
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("customer,site,chip,from,to,hours\n" + row + "\n")
    refused = _run(world, tmp_path, cast.cloud, "report", "attestation", "--csv", str(wrong))
    assert refused.exit_code != 0 and CSV_HEADER in refused.output
    good = tmp_path / "attest.csv"
    good.write_text(CSV_HEADER + "\n" + row + "\n")
    args = ["report", "attestation", "--csv", str(good)]
    dry = _run(world, tmp_path, cast.cloud, *args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing was recorded" in dry.stdout
    with world.store.transaction() as session:
        assert session.query(ProviderAttestation).count() == 0
    made = _run(world, tmp_path, cast.cloud, *args, "-q")
    assert made.exit_code == 0, made.output
    attestation_id = made.stdout.strip()
    mine = _run(world, tmp_path, cast.cloud, "report", "attestations", "--json", signed=False)
    [item] = json.loads(mine.stdout)["items"]
    assert item["id"] == attestation_id and item["chip_hours"] == 30.84e6
    shown = _run(world, tmp_path, cast.dev, "report", "attestations", attestation_id, signed=False)
    assert shown.exit_code == 0 and "3.084e+07" in shown.stdout
    other = cast.cast.de_sub
    hidden = _run(world, tmp_path, other, "report", "attestations", attestation_id, signed=False)
    assert hidden.exit_code != 0 and "no attestation" in hidden.output
    notices = _run(world, tmp_path, cast.us_reg, "report", "capacity-notices", signed=False)
    assert notices.exit_code == 0 and attestation_id in notices.stdout
    asked = _run(
        world,
        tmp_path,
        cast.us_reg,
        "report",
        "attestation-request",
        "--provider",
        cast.cloud.id,
        "--customer",
        cast.dev.id,
        "--start",
        "2025-09-01T00:00:00Z",
        "--end",
        "2025-12-01T00:00:00Z",
        "--reason",
        "capacity notice follow-up",
    )
    assert asked.exit_code == 0, asked.output
    assert asked.stdout.strip().startswith("atr_")
