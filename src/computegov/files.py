"""Files replaced whole or not at all: what a reader finds is the old content or the new,
never a half-written file, and a crash leaves at most a stray temporary file beside it."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def replace_file(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: write a temporary file beside it (created anew,
    so a link planted under its name is never followed), fsync it, rename it onto `path`, and
    fsync the folder so the rename survives a crash. Raises OSError as the writes do."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)  # a stale one (a crash); unlink never follows a link
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
