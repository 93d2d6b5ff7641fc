"""Every figure of the supply model names the public document it comes from.

A reader must be able to check a number without access to the project's issues, sessions or
private notes: a source cell is a URL or a public repository path (with a title where it helps),
or `assumption` when no public figure exists (and then its note says why). Names of internal
places (an issue, a session, the research notes) may not stand in for a document, in a source or
in a note.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

import pytest

from computegov.supply import calculate
from computegov.supply.budget import parse_budget

DATA_FILES = ("parameters.csv", "sales.csv", "shipments.csv")
URL = re.compile(r"https?://\S+")
REPO_PATH = re.compile(r"\bgithub\.com/[\w.-]+/[\w.-]+")
INTERNAL = re.compile(
    r"\bissues?\s*#?\d+|#\d+\b|\bsessions?\b|\bresearch notes?\b|\bour notes\b|\bthe brief\b"
    r"|\bas quoted in (?!https?://)",
    re.IGNORECASE,
)
PACKAGED = re.compile(r"^data/\w+\.csv\b")


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("computegov.supply").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _cells() -> list[tuple[str, str, str]]:
    """(where, source, note) for every row of every packaged data file."""
    out = []
    for name in DATA_FILES:
        for i, row in enumerate(_rows(name), start=2):
            label = row.get("name") or row.get("year") or str(i)
            out.append((f"{name}:{i} {label}", row["source"], row.get("note") or ""))
    return out


def names_a_public_document(source: str) -> bool:
    """A URL or a public repository path, and no internal place named in its words."""
    if not (URL.search(source) or REPO_PATH.search(source)):
        return False
    return not INTERNAL.search(URL.sub("", source))


def test_the_checker_rejects_what_it_should() -> None:
    assert not names_a_public_document("Deloitte (2022), as quoted in issue 6")
    assert not names_a_public_document("SEMI, as quoted in issue 6; https://example.org/semi")
    assert not names_a_public_document("figure from session 3")
    assert not names_a_public_document("research notes section 1")
    assert names_a_public_document("https://www.theengineer.co.uk/issues/24-january-2003/x/")
    assert names_a_public_document("github.com/epoch-research/ai-chip-counts data/x.csv")


@pytest.mark.parametrize(("where", "source", "note"), _cells(), ids=lambda v: str(v)[:40])
def test_every_source_cell_names_a_public_document(where: str, source: str, note: str) -> None:
    if source == "assumption":
        assert note.strip(), f"{where}: an assumption must say why in its note"
    else:
        assert names_a_public_document(source), f"{where}: source {source!r}"
    assert not INTERNAL.search(URL.sub("", note)), f"{where}: note {note!r}"


def test_every_source_supply_calc_prints_is_public() -> None:
    """The sources `supply calc` shows (purchases and yardsticks) are public documents, or the
    packaged data file whose rows carry theirs."""
    result = calculate(parse_budget("7T"))
    sources = [line["source"] for line in result["purchases"]]
    sources += [y["source"] for y in result["yardsticks"]]
    for src in sources:
        for part in src.split("; "):
            assert PACKAGED.match(part) or names_a_public_document(part), src
