"""`computegov report` through the real CLI against a real server (SQLite): a model and a
stage from a JSON file and flags, `--dry-run` recording nothing, a refusal's field in words,
and `report list|show` for the filer and the regulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reporting_setup import Reporting
from test_custody_cli import _run

from computegov.instants import utcnow
from computegov.registry.reporting.models import ReportedModel, TrainingRunReport
from conftest import World


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_report_a_model_and_a_stage_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Reporting(world)
    dry = _run(
        world,
        tmp_path,
        cast.dev,
        "report",
        "model",
        "--name",
        "m1",
        "--jurisdiction",
        "US",
        "--dry-run",
        "--json",
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] is True
    with world.store.transaction() as session:
        assert session.query(ReportedModel).count() == 0
    made = _run(
        world, tmp_path, cast.dev, "report", "model", "--name", "m1", "--jurisdiction", "US", "-q"
    )
    assert made.exit_code == 0, made.output
    model_id = made.stdout.strip()
    form = tmp_path / "run.json"
    form.write_text(
        json.dumps(
            {
                "model_id": model_id,
                "stage_kind": "pre_training",
                "estimation_method": "operation_count",
                "started_at": "2025-06-01T00:00:00Z",
                "ended_at": "2025-09-01T00:00:00Z",
            }
        )
    )
    line = f"{cast.cloud.id}:{cast.site}:H100:16000:1927.5"
    args = [
        "report",
        "training-run",
        "--file",
        str(form),
        "--report-kind",
        "final",
        "--flop",
        "3.8e25",
        "--params",
        "405B",
        "--tokens",
        "15.6T",
        "--compute",
        line,
    ]
    dry_run = _run(world, tmp_path, cast.dev, *args, "--dry-run")
    assert dry_run.exit_code == 0, dry_run.output
    assert "dry run: nothing was recorded" in dry_run.stdout
    with world.store.transaction() as session:
        assert session.query(TrainingRunReport).count() == 0
    shown = _run(world, tmp_path, cast.dev, *args)
    assert shown.exit_code == 0, shown.output
    assert "eu-ai-act-art-51" in shown.stdout and "3.8e25" in shown.stdout
    bad = _run(world, tmp_path, cast.dev, *args[:-2], "--compute", line.rsplit(":", 1)[0] + ":-5")
    assert bad.exit_code != 0 and "hours" in bad.output
    listed = _run(world, tmp_path, cast.us_reg, "report", "list", "--json", signed=False)
    [item] = json.loads(listed.stdout)["items"]
    assert item["assessment"]["stage"]["plausible"]
    show = _run(world, tmp_path, cast.us_reg, "report", "show", model_id, signed=False)
    assert show.exit_code == 0 and "3.8e25" in show.stdout
    hidden = _run(world, tmp_path, cast.dev2, "report", "show", model_id, signed=False)
    assert hidden.exit_code != 0 and "no reported model" in hidden.output
    # Lists filter by provider and status, as a table or CSV; a report shows as its page.
    by_cloud = ["report", "list", "--provider", cast.cloud.id, "--status", "final", "--csv"]
    csv_out = _run(world, tmp_path, cast.us_reg, *by_cloud, signed=False)
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout.startswith("id,") and item["id"] in csv_out.stdout
    none = _run(
        world,
        tmp_path,
        cast.us_reg,
        "report",
        "list",
        "--status",
        "planned",
        "--json",
        signed=False,
    )
    assert json.loads(none.stdout)["items"] == []
    other = _run(
        world, tmp_path, cast.us_reg, "report", "list", "--provider", cast.dev.id, signed=False
    )
    assert other.exit_code == 0 and item["id"] not in other.stdout
    page = _run(world, tmp_path, cast.dev, "report", "show", item["id"], signed=False)
    assert page.exit_code == 0, page.output
    assert "training-run report" in page.stdout and "eu-ai-act-art-51" in page.stdout
