"""The latest signed checkpoint, kept outside the database and checked at every start.

A restored backup (a database behind the file) or a database whose tree disagrees with it
must not start: it would sign a fork. A database ahead of the file is what a crash between
the integrator's commit and its file write leaves; the file is then rewritten.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from computegov.files import replace_file
from computegov.ledger import merkle, note

if TYPE_CHECKING:
    from computegov.store import Store


def write_checkpoint(path: Path, signed_note: str) -> None:
    """Replace the file atomically: write a temporary file, fsync, rename, fsync the folder.

    Never replaces a newer checkpoint with an older one (two integrators racing).
    """
    with _FILE_LOCK:
        _replace_if_newer(path, signed_note)


_FILE_LOCK = threading.Lock()


def _replace_if_newer(path: Path, signed_note: str) -> None:
    current = read_checkpoint(path)
    if current is not None:
        try:
            if _size(current) > _size(signed_note):
                return
        except note.NoteError:
            pass
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, signed_note)


def read_checkpoint(path: Path) -> str | None:
    """The signed note in the file, or None when there is no file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _size(signed_note: str) -> int:
    body = signed_note.split("\n\n", 1)[0] + "\n"
    return int(note.parse_checkpoint(body).size)


def check_on_start(store: Store) -> None:
    """Refuse to start when the stored tiles, the database and the checkpoint file disagree."""
    from computegov.ledger.log import TileReader, latest_checkpoint
    from computegov.store import StartupRefused
    from computegov.store.models import CheckpointRow

    path = store.settings.checkpoint_file
    verifier = note.parse_verifier_key(store.verifier_key)
    with store.sessions() as session:
        latest = latest_checkpoint(session)
        reader = TileReader(session)
        if latest.size and merkle.root_at(latest.size, reader.node) != latest.root:
            raise StartupRefused(
                f"the stored tiles do not reproduce the root of the database's latest "
                f"checkpoint (size {latest.size}); the database has been altered"
            )
        text = read_checkpoint(path)
        if text is None:
            write_checkpoint(path, latest.note)
            return
        try:
            seen = note.open_checkpoint(text, verifier)
        except note.NoteError as exc:
            raise StartupRefused(
                f"the checkpoint file {path} is not signed by this log's key "
                f"({store.verifier_key}): {exc}"
            ) from None
        if seen.origin != store.origin:
            raise StartupRefused(
                f"the checkpoint file {path} is for the log {seen.origin!r}, not {store.origin!r}"
            )
        if seen.size > latest.size:
            raise StartupRefused(
                f"the database is behind the checkpoint file {path}: the file has size "
                f"{seen.size}, the database {latest.size} (a restored backup?); starting would "
                "fork the log"
            )
        stored = session.get(CheckpointRow, seen.size)
        ours = stored.root if stored is not None else None
        if ours is None and seen.size:
            ours = merkle.root_at(seen.size, reader.node)
        if ours is None:
            ours = merkle.EMPTY_ROOT
        if ours != seen.root:
            raise StartupRefused(
                f"the database disagrees with the checkpoint file {path} at size {seen.size}: "
                "its tree has another root; starting would fork the log"
            )
    if latest.size > seen.size:
        write_checkpoint(path, latest.note)
