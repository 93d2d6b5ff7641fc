"""Text from the registry that a hostile party wrote (an applicant's answer to an intent to
deny, its own legal name) reaches the licensing officer's terminal through the CLI's tables
as text: its control characters are shown escaped and never drive the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from licensing_setup import Licensing
from test_custody_cli import _run

from computegov.instants import utcnow
from conftest import World

#: Clear the screen, plant a hyperlink, move the cursor up and rewrite a line.
HOSTILE = "fine\x1b[2J\x1b]8;;https://evil.example\x1b\\read me\x1b]8;;\x1b\\\x1b[1A\u202eok\x9b"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_an_applicants_text_never_drives_the_officers_terminal(
    world: World, tmp_path: Path
) -> None:
    world.clock.set(utcnow())
    cast = Licensing(world)
    hostile = world.create(world.admin, "distributor", f"Acme{HOSTILE} LLC", "US")
    app_id = cast.applied(hostile)["application"]["id"]
    assert cast.step(cast.us_reg, app_id, "intent_to_deny", reason="why").status_code == 200
    path = f"/v1/license-applications/{app_id}/answer"
    answered = cast.act(
        hostile, "license.answer", path, {"application_id": app_id, "text": HOSTILE}
    )
    assert answered.status_code == 200, answered.text

    shown = _run(world, tmp_path, cast.us_reg, "licenses", "show", app_id, signed=False)
    assert shown.exit_code == 0, shown.output
    for control in ("\x1b", "\u202e", "\x9b"):
        assert control not in shown.output, repr(control)
    # The officer still reads what was written, escaped.
    assert "\\x1b[2J" in shown.output and "\\u202e" in shown.output
    listed = _run(world, tmp_path, cast.us_reg, "licenses", "applications", signed=False)
    assert listed.exit_code == 0 and "\x1b" not in listed.output


def test_an_error_line_never_drives_the_terminal(tmp_path: Path) -> None:
    """An error names what the user gave (here a file name holding escape sequences): the
    line shows them escaped even where the terminal would take them (`color=True`: as on a
    terminal, where Click writes escape sequences through)."""
    from typer.testing import CliRunner

    from computegov.cli import app

    form = tmp_path / f"form{HOSTILE}.json"
    result = CliRunner().invoke(app, ["licenses", "apply", "--form", str(form)], color=True)
    assert result.exit_code == 2, result.output
    assert "error: cannot read the form" in result.output
    for control in ("\x1b", "\u202e", "\x9b"):
        assert control not in result.output, repr(control)
    assert "\\x1b[2J" in result.output
