"""`computegov stats chips` against the real server: the same numbers as the API, as a table
for people and exact JSON with --json. (SQLite only: the API tests cover both engines.)"""

from __future__ import annotations

import json

import pytest
import web_setup
from typer.testing import CliRunner

from computegov.cli import app
from conftest import World

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_stats_command_prints_the_apis_numbers(world: World) -> None:
    fx = web_setup.build(world)
    connection = ["--url", world.server.url, "--token", fx.cloud.token]
    as_json = runner.invoke(app, ["stats", "chips", "--by", "model", *connection, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == world.get(fx.cloud, "/v1/stats/chips?by=model").json()
    table = runner.invoke(app, ["stats", "chips", "--by", "party", "--by", "status", *connection])
    assert table.exit_code == 0, table.output
    assert "3 chips, 1.30 H100-equivalents" in table.output
    assert "Cloud BV" in table.output
    assert "installed" in table.output


def test_stats_command_reports_a_bad_dimension_in_one_line(world: World) -> None:
    args = ["stats", "chips", "--by", "colour", "--url", world.server.url]
    result = runner.invoke(app, [*args, "--token", world.admin.token])
    assert result.exit_code == 1
    assert "cannot group chips by 'colour'" in result.output
