"""Where the shared published test vectors live, for the ledger tests (imported by name)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_testdata() -> Path:
    """`shared/testdata` beside the repository (CI and /work/main), or beside a worktree's parent.

    Fails, never skips: without the published vectors the ledger is not tested.
    """
    candidates = [REPO / ".." / "shared" / "testdata", REPO / ".." / ".." / "shared" / "testdata"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    pytest.fail(f"shared test data not found; looked in {[str(c) for c in candidates]}")
