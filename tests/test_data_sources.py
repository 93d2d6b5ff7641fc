"""Every figure the package ships names the public document it comes from.

Every packaged CSV with a `source` column, and every packaged JSON object with a "source"
key, is held to one rule (tests/public_sources.py): the source is a URL, a public repository
path or a legal citation such as "88 FR 73458", or `assumption` with a note that says why;
and no cell of the row names an internal place (an issue, a session, the research notes, a
search-index file) in place of a document. A new data file is covered by being packaged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import pytest

from public_sources import names_a_public_document, names_internal_place

# Packaged files whose `source` column means something other than a figure's origin, with why.
OTHER_MEANING = {
    # The Consolidated Screening List's schema: `source` names the list an entry is on. Its rows
    # are invented for tests; test_screening_sample_stays_invented holds that.
    "identity/data/screening-sample.csv": "column of the screening-list schema",
}


def _files(suffix: str) -> Iterator[tuple[str, Traversable]]:
    """(path inside the package, file) for every packaged file ending in `suffix`."""
    root = resources.files("computegov")
    pending: list[tuple[str, Traversable]] = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            name = f"{prefix}{entry.name}"
            if entry.is_dir() and entry.name != "__pycache__":
                pending.append((f"{name}/", entry))
            elif entry.is_file() and entry.name.endswith(suffix):
                yield name, entry


def _csv_rows(file: Traversable) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(file.read_text("utf-8"))))


def _sourced_csvs() -> dict[str, list[dict[str, str]]]:
    found = {}
    for name, file in _files(".csv"):
        rows = _csv_rows(file)
        if rows and "source" in rows[0] and name not in OTHER_MEANING:
            found[name] = rows
    return found


def _json_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _json_objects(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _json_objects(inner)


def _sourced_jsons() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for name, file in _files(".json"):
        objects = _json_objects(json.loads(file.read_text("utf-8")))
        sourced = [obj for obj in objects if isinstance(obj.get("source"), str)]
        if sourced:
            found[name] = sourced
    return found


def _cells() -> list[tuple[str, str, str, list[str]]]:
    """(where, source, note, every text cell) for every sourced row or object the package ships."""
    out = []
    for name, rows in _sourced_csvs().items():
        for line, row in enumerate(rows, start=2):
            note = row.get("note") or row.get("notes") or ""
            out.append((f"{name}:{line}", row["source"], note, [v or "" for v in row.values()]))
    for name, objects in _sourced_jsons().items():
        for i, obj in enumerate(objects, start=1):
            texts = [v for v in obj.values() if isinstance(v, str)]
            note = str(obj.get("note") or obj.get("notes") or "")
            out.append((f"{name} object {i}", obj["source"], note, texts))
    return out


def test_every_sourced_data_file_is_checked() -> None:
    """The walk finds the data files that carry figures, so a rename cannot hide one."""
    csvs = set(_sourced_csvs())
    assert {
        "catalog/data/accelerators.csv",
        "catalog/data/manufacturing_sites.csv",
        "catalog/data/vendors.csv",
        "rules/data/country_groups.csv",
        "rules/data/instruments.csv",
        "rules/data/thresholds.csv",
        "supply/data/parameters.csv",
        "supply/data/sales.csv",
        "supply/data/shipments.csv",
    } <= csvs
    jsons = set(_sourced_jsons())
    assert {"compute/data/bands.json", "compute/data/thresholds.json"} <= jsons


def test_the_checker_rejects_what_it_should() -> None:
    assert not names_a_public_document("Deloitte (2022), as quoted in issue 6")
    assert not names_a_public_document("SEMI, as quoted in issue 6; https://example.org/semi")
    assert not names_a_public_document("figure from session 3")
    assert not names_a_public_document("research notes section 1")
    assert not names_a_public_document(
        "https://epoch.ai/data ; computegov research notes export_controls.md §3"
    )
    assert not names_a_public_document("https://www.ecfr.gov/x (public code index file 5617)")
    assert not names_a_public_document("as quoted in github.com/owner/repo")
    assert not names_a_public_document("NVIDIA 8-K 15 Apr 2025")
    assert names_a_public_document("https://www.theengineer.co.uk/issues/24-january-2003/x/")
    assert names_a_public_document("github.com/epoch-research/ai-chip-counts data/x.csv")
    assert names_a_public_document("88 FR 73458 ECCN 3A090.a.1")
    assert names_a_public_document("as quoted in https://github.com/owner/repo")


@pytest.mark.parametrize(("where", "source", "note", "texts"), _cells(), ids=lambda v: str(v)[:48])
def test_every_source_names_a_public_document(
    where: str, source: str, note: str, texts: list[str]
) -> None:
    if source.strip() == "assumption":
        assert note.strip(), f"{where}: an assumption must say why in its note"
    else:
        assert names_a_public_document(source), f"{where}: source {source!r}"
    for text in texts:
        assert not names_internal_place(text), f"{where}: {text!r}"


def test_screening_sample_stays_invented() -> None:
    """The one packaged CSV exempt from the rule holds no real listing a source would need."""
    rows = _csv_rows(resources.files("computegov").joinpath("identity/data/screening-sample.csv"))
    assert rows
    for row in rows:
        assert "not a real listing" in row["remarks"], row["name"]
        assert not any(names_internal_place(v or "") for v in row.values()), row["name"]
