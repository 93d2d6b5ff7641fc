"""`computegov report identity|identity-request|identity-answer|identities|facts|facts-show|
erase-expired` through the real CLI against a real server (SQLite): `--dry-run` records
nothing, lists come as tables, JSON and CSV, and erase-expired lists, then erases, what is
past its retention period on the server's store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from reporting_setup import Reporting
from test_custody_cli import _run, runner

from computegov.cli import app
from computegov.instants import utcnow
from computegov.registry.reporting.models import EntityFacts, IdentityAttestation
from conftest import World

HASH = "sha256:" + "0f" * 32


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_identity_and_facts_through_the_cli(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Reporting(world)
    verified = (utcnow() - timedelta(days=10)).date().isoformat()
    attest = ["report", "identity", "--customer-ref", "acct-77", "--record-hash", HASH]
    attest += ["--verified-on", verified, "--customer-country", "BR"]
    dry = _run(world, tmp_path, cast.cloud, *attest, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] is True
    with world.store.transaction() as session:
        assert session.query(IdentityAttestation).count() == 0
    hostile = _run(world, tmp_path, cast.cloud, *attest[:2], "--customer-ref", "ana@example.com")
    assert hostile.exit_code != 0 and "customer_ref" in hostile.output
    made = _run(world, tmp_path, cast.cloud, *attest, "-q")
    assert made.exit_code == 0, made.output
    attestation_id = made.stdout.strip()

    listed = _run(world, tmp_path, cast.cloud, "report", "identities", "--csv", signed=False)
    assert listed.exit_code == 0, listed.output
    header, row = listed.stdout.strip().splitlines()
    assert header.startswith("id,") and "customer_ref" in header and "acct-77" in row
    seen = _run(world, tmp_path, cast.us_reg, "report", "identities", "--json", signed=False)
    assert json.loads(seen.stdout)["total"] == 1
    other = _run(world, tmp_path, cast.cast.cn_cloud, "report", "identities", signed=False)
    assert other.exit_code == 0 and attestation_id not in other.stdout

    asked = _run(
        world, tmp_path, cast.us_reg, "report", "identity-request", attestation_id,
        "--reason", "inquiry 7", "-q",
    )  # fmt: skip
    assert asked.exit_code == 0, asked.output
    answer = ["report", "identity-answer", asked.stdout.strip(), "--status", "declined"]
    answered = _run(world, tmp_path, cast.cloud, *answer, "--note", "no legal basis", "--json")
    assert answered.exit_code == 0, answered.output
    assert json.loads(answered.stdout)["request"]["status"] == "declined"
    requests = _run(world, tmp_path, cast.cloud, "report", "identities", "--requests", signed=False)
    assert "declined" in requests.stdout and "no legal basis" in requests.stdout

    facts = ["report", "facts", "--year", "2026", "--revenue-usd", "6e8", "--market", "US-CA"]
    filed = _run(world, tmp_path, cast.dev, *facts, "--jurisdiction", "US", "--dry-run")
    assert filed.exit_code == 0 and "dry run: nothing was recorded" in filed.stdout
    with world.store.transaction() as session:
        assert session.query(EntityFacts).count() == 0
    filed = _run(world, tmp_path, cast.dev, *facts, "--jurisdiction", "US", "-q")
    assert filed.exit_code == 0, filed.output
    shown = _run(world, tmp_path, cast.us_reg, "report", "facts-show", "--json", signed=False)
    [item] = json.loads(shown.stdout)["items"]
    assert (item["revenue_usd"], item["markets"], item["counts"]) == (6e8, ["US-CA"], True)
    table = _run(world, tmp_path, cast.dev, "report", "facts-show", "--year", "2026", signed=False)
    assert "600,000,000" in table.stdout

    # Past its retention period (moved there in the database: the CLI reads the wall clock).
    with world.store.transaction(write=True) as session:
        row = session.get(IdentityAttestation, attestation_id)
        assert row is not None
        row.retain_until = utcnow() - timedelta(minutes=1)
    monkeypatch.setenv("COMPUTEGOV_DATABASE_URL", world.store.settings.url)
    data_dir = str(world.store.settings.data_dir)
    erase = ["report", "erase-expired", "--data-dir", data_dir]
    would = runner.invoke(app, [*erase, "--dry-run"])
    assert would.exit_code == 0, would.output
    assert f"would erase {attestation_id}" in would.output and "1 identity" in would.stdout
    with world.store.transaction() as session:
        row = session.get(IdentityAttestation, attestation_id)
        assert row is not None and row.customer_ref == "acct-77"
    erased = runner.invoke(app, [*erase, "--json"])
    assert erased.exit_code == 0, erased.output
    assert [i["id"] for i in json.loads(erased.stdout)["items"]] == [attestation_id]
    with world.store.transaction() as session:
        row = session.get(IdentityAttestation, attestation_id)
        assert row is not None and row.customer_ref is None and row.erased_at is not None
