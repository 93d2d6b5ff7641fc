"""The data directory and the database files are private to the server's user.

They hold every private record and its salt (the openings of the public log), so at every
start `secure_data_files` makes the data directory 0700 and the SQLite database with its
`-wal`, `-shm` and `-journal` files 0600, creating the database file 0600 before SQLite
first opens it (SQLite gives the WAL files it creates later the database file's mode). A
file another user owns is not the server's to change: the start is refused and says why.
Key and token files must already be 0600 (`check_secret_file`): one that others could read
may have leaked, so it is refused rather than quietly tightened. `private_umask` keeps the
files a serving process creates later private too.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import sqlalchemy as sa

from computegov.errors import ComputegovError
from computegov.store.settings import Settings
from computegov.store.signer import KeyFileError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class NotOurs(ComputegovError):
    """A private file or directory is owned by another user than the server's."""

    title = "Data files not owned by the server's user"


def private_umask() -> int:
    """Make files this process creates from now on private (umask 077); the old umask."""
    return os.umask(PRIVATE_UMASK)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for another engine or an in-memory one)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def _user(uid: int) -> str:
    try:
        import pwd

        return f"uid {uid} ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _owned(path: Path, what: str) -> os.stat_result:
    """The file's status; NotOurs when another user than this process's owns it."""
    info = path.stat()
    uid = os.geteuid()
    if info.st_uid != uid:
        raise NotOurs(
            f"{what} {path} is owned by {_user(info.st_uid)}, but the server runs as "
            f"{_user(uid)}; it holds private records, so the server must own it to keep it "
            f"private: chown it (and the data directory's files) to {_user(uid)}, or start "
            "the server as its owner",
            path=str(path),
            owner_uid=info.st_uid,
            server_uid=uid,
        )
    return info


def _tighten(path: Path, what: str, mode: int) -> bool:
    """Set `mode` on a file the server owns; True when it was wider before."""
    info = _owned(path, what)
    if stat.S_IMODE(info.st_mode) & ~mode:
        os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
        return True
    return False


def secure_data_files(settings: Settings) -> list[str]:
    """Make the data directory 0700 and the SQLite files 0600 (creating both if missing), and
    check the log key file (0600, ours) when there is one.

    Returns the paths whose permissions were tightened; raises NotOurs for any of them that
    another user owns, and KeyFileError for a key file that others may read.
    """
    tightened = []
    data_dir, database_url = settings.data_dir, settings.url
    if settings.key_file.exists():
        check_secret_file(settings.key_file, "the log key file")
    data_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if _tighten(data_dir, "the data directory", PRIVATE_DIR):
        tightened.append(str(data_dir))
    database = sqlite_file(database_url)
    if database is None:
        return tightened
    database.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    # SQLite takes an empty file for a new database, and copies its mode to the WAL files.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    for path in [database, *(Path(f"{database}{side}") for side in SQLITE_SIDE_FILES)]:
        if path.exists() and _tighten(path, "the database file", PRIVATE_FILE):
            tightened.append(str(path))
    return tightened


def check_secret_file(path: Path, what: str) -> None:
    """Refuse a key or token file that another user owns or that others may read."""
    info = _owned(path, what)
    if stat.S_IMODE(info.st_mode) & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{what} {path} has mode {stat.S_IMODE(info.st_mode):04o}; it must be readable "
            f"by its owner only (others may have read it already): chmod 600 {path}"
        )
