"""The help of every command, walked over the whole command tree: no summary cut with "..." or
broken mid-sentence, no paragraph broken by a docstring's line ends, and flags shown as flags
(`--json`, not `--json <bool>`, which `--json true` would then refuse)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import typer.main
from typer.testing import CliRunner

from computegov.cli import app
from computegov.cli.helptext import unwrap

WIDE = CliRunner(env={"COLUMNS": "400"})
NARROW = CliRunner(env={"COLUMNS": "80"})


def _tree() -> Iterator[tuple[list[str], Any]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def _flat(text: str) -> str:
    """Help output without the panels' borders and padding: words separated by one space."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _paragraphs(command: Any) -> list[str]:
    return [p for p in unwrap(command.help or "").split("\n\n") if p.strip()]


def test_the_tree_is_walked_whole() -> None:
    paths = {" ".join(path) for path, _ in _tree()}
    assert {"chips history", "ledger verify", "screening flags", "flags close"} <= paths
    assert len(paths) > 60


def test_every_summary_is_a_whole_sentence_never_cut() -> None:
    for path, command in _tree():
        summary = command.get_short_help_str(limit=45)  # what Click prints without rich
        assert summary, path
        assert summary == _paragraphs(command)[0], path
        assert not summary.endswith("..."), (path, summary)
        assert summary[-1] in ".?)", (path, summary)
        assert "\n" not in summary and len(summary) <= 100, (path, summary)


def test_group_listings_show_each_summary_on_one_line() -> None:
    for path, command in _tree():
        subs = getattr(command, "commands", {})
        if not subs:
            continue
        result = WIDE.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        lines = result.stdout.splitlines()
        for name, sub in subs.items():
            summary = _paragraphs(sub)[0]
            assert any(summary in line for line in lines), (path, name, summary)


def test_every_help_paragraph_reads_whole() -> None:
    for path, command in _tree():
        result = WIDE.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        lines = result.stdout.splitlines()
        for paragraph in _paragraphs(command):
            text = _flat(paragraph)
            assert any(text in _flat(line) for line in lines), (path, paragraph)


def test_flags_show_no_value_type_at_any_width() -> None:
    for path, _command in _tree():
        for runner in (WIDE, NARROW):
            out = runner.invoke(app, [*path, "--help"]).stdout
            assert "<bool>" not in out, path


def test_json_is_a_flag_in_help_and_in_use() -> None:
    out = NARROW.invoke(app, ["chips", "list", "--help"]).stdout
    [line] = [line for line in out.splitlines() if "--json" in line]
    assert re.search(r"--json\s+Print exact JSON", line), line
    listed = NARROW.invoke(app, ["chips", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["model"]
    refused = NARROW.invoke(app, ["chips", "list", "--json", "true"])
    assert refused.exit_code == 2 and "true" in refused.output


def test_without_rich_click_prints_each_summary_whole() -> None:
    """With rich off, Click shortens a summary to fit a line unless it is given whole."""
    env = {**os.environ, "TYPER_USE_RICH": "0", "COLUMNS": "80"}
    for group in ([], ["chips"], ["screening"], ["ledger"]):
        done = subprocess.run(
            [sys.executable, "-m", "computegov", *group, "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        listing = done.stdout.split("Commands:", 1)[1]
        assert "..." not in listing, done.stdout
