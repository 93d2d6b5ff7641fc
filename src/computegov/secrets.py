"""Secrets on disk (API tokens): written once, readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

from computegov.errors import InvalidInput


def write_secret(path: Path, text: str) -> None:
    """Create `path` with mode 0600 and write `text` (fsynced); never overwrite a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(f"{path} already exists; refusing to overwrite a secret") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
