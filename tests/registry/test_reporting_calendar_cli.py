"""`computegov report obligations|packet` through the real CLI against a real server
(SQLite): the calendar as a table and as CSV, a regulator's `--party`, a packet signed with
`--sign` and written as PDF, and another developer refused."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from reporting_setup import Reporting
from test_custody_cli import _run

from computegov.instants import utcnow
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_the_calendar_and_a_signed_packet_through_the_cli(world: World, tmp_path: Path) -> None:
    now = utcnow()
    world.clock.set(now)  # the CLI dates its envelopes by the wall clock
    cast = Reporting(world)
    model = cast.made_model(
        name="frontier-5", jurisdictions=["US", "EU"], markets=["EU"],
        eu_representative_id=cast.eu_rep.id,
    )  # fmt: skip
    cast.ran(model["id"], **cast.llama31())
    deadline = (now + timedelta(days=14)).date().isoformat()
    table = _run(world, tmp_path, cast.dev, "report", "obligations", signed=False)
    assert table.exit_code == 0, table.output
    assert "eu-art52-notification" in table.stdout and deadline in table.stdout
    text = _run(world, tmp_path, cast.eu_reg, "report", "obligations", "--party", cast.dev.id,
                "--csv", signed=False)  # fmt: skip
    assert text.exit_code == 0, text.output
    rows = list(csv.DictReader(io.StringIO(text.stdout)))
    [row] = [r for r in rows if r["obligation_id"] == "eu-art52-notification"]
    assert row["deadline"] == deadline and row["model_id"] == model["id"]
    pdf = tmp_path / "art52.pdf"
    args = ["report", "packet", model["id"], "eu-art52-notification"]
    signed = _run(world, tmp_path, cast.dev, *args, "--sign", "--pdf", str(pdf))
    assert signed.exit_code == 0, signed.output
    assert "signed: filing fil_" in signed.stdout
    assert pdf.read_bytes().startswith(b"%PDF-") and deadline.encode() in pdf.read_bytes()
    refused = _run(world, tmp_path, cast.dev2, *args, "--sign")
    assert refused.exit_code != 0 and "no reported model" in refused.output
