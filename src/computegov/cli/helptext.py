"""How the command tree shows itself in `--help`.

Typer prints a flag such as `--json` with a value type (`--json <bool>`) although it takes no
value, keeps the line breaks of a docstring inside a paragraph (a command's summary then breaks
mid-sentence in its group's listing), and Click cuts a summary with "..." where rich is off.
`tidy` fixes the tree once it is built: flags show no type, paragraphs are whole, and each
command's summary is its first paragraph, never cut.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer


def unwrap(text: str) -> str:
    """Help text with each paragraph on one line (a paragraph marked `\\b` keeps its lines)."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def summary(text: str) -> str:
    """A command's summary: the first paragraph of its help, whole."""
    return unwrap(text).split("\n\n", 1)[0]


def _plain_flag(param: Any) -> None:
    if getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""


def tidy(command: Any) -> None:
    """Fix `command` and every command under it (see the module's docstring)."""
    if command.help:
        command.help = unwrap(command.help)
        command.short_help = summary(command.short_help or command.help)
    for param in command.params:
        _plain_flag(param)
    help_option = command.get_help_option(typer.Context(command))
    if help_option is not None:
        _plain_flag(help_option)
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)
