"""A fresh clone tests itself: no test, script or package code reaches for `../shared`.

A user's clone has nothing beside it, so test data the suite reads lives under `tests/`
(the Merkle vectors: tests/ledger/testdata/, with their licence and source).
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# `../shared`, `..\shared`, and path joins such as `REPO / ".." / "shared"`.
OUTSIDE_SHARED = re.compile(r"""\.\.["']?\s*[/\\]\s*["']?shared\b""")

SCANNED_DIRS = ("src", "tests", "bench", ".ci")
SCANNED_FILES = ("Makefile", "pyproject.toml")
SKIPPED_PARTS = {"__pycache__", "testdata", ".venv"}


def _support_files() -> list[Path]:
    files = [REPO / name for name in SCANNED_FILES if (REPO / name).is_file()]
    for top in SCANNED_DIRS:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(REPO).parts):
                files.append(path)
    return files


def test_the_scan_covers_tests_and_code() -> None:
    scanned = {path.relative_to(REPO).as_posix() for path in _support_files()}
    assert "tests/ledger/test_merkle_vectors.py" in scanned
    assert "src/computegov/client.py" in scanned
    assert "Makefile" in scanned


def test_the_pattern_catches_the_old_lookup() -> None:
    assert OUTSIDE_SHARED.search('REPO / ".." / "shared" / "testdata"')
    assert OUTSIDE_SHARED.search("looked in ../shared/testdata")
    assert not OUTSIDE_SHARED.search("state shared between requests")


def test_no_support_file_refers_to_a_shared_folder_beside_the_repository() -> None:
    me = Path(__file__).resolve()
    offenders = []
    for path in _support_files():
        if path == me:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_SHARED.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == [], "a fresh clone has no ../shared:\n" + "\n".join(offenders)


def test_the_merkle_vectors_are_vendored_with_licence_and_source() -> None:
    vectors = REPO / "tests" / "ledger" / "testdata" / "transparency-dev-merkle"
    assert "Apache License" in (vectors / "LICENSE").read_text()
    readme = (vectors / "README.md").read_text()
    assert "transparency-dev/merkle" in readme
    assert "417fb0c314750d94e53942e9f92e79b6d35915db" in readme
