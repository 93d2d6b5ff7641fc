"""`replace_file`, behind the checkpoint file, `ledger verify --state` and the demo's files:
the old content or the new, never half a file, and never a write through a planted link."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from computegov.files import replace_file


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def test_a_file_is_replaced_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "last-checkpoint.note"
    path.write_text("old\n")
    replace_file(path, "new\n")
    assert path.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last-checkpoint.note"]


def test_a_link_planted_where_the_temporary_file_goes_is_not_followed(tmp_path: Path) -> None:
    """In a folder others may write to, a link named like the temporary file must not turn
    the write into a write to the file it names."""
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    path = tmp_path / "state.note"
    _tmp_name(path).symlink_to(victim)
    replace_file(path, "checkpoint\n")
    assert victim.read_text() == "keep me\n"
    assert path.read_text() == "checkpoint\n" and not path.is_symlink()


def test_a_failed_replace_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "state.note"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        replace_file(path, "half \udcff written")  # a lone surrogate cannot be UTF-8
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.note"]
