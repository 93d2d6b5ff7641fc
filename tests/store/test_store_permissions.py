"""The data directory and the database files are private to the server's user.

On both engines through `open_store`, and through `computegov serve` as a real process with a
real data directory: created private, tightened when too wide, refused when another user owns
them (tests run as root, so they can hand files to another uid with os.chown).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from computegov.store import NotOurs, Settings, open_store
from computegov.store.permissions import sqlite_file
from computegov.store.signer import KeyFileError
from live_server import free_port

OTHER_UID = 4321
as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="handing a file to another user (os.chown) needs root"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _database_files(settings: Settings) -> list[Path]:
    database = sqlite_file(settings.url)
    if database is None:
        return []
    return [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]


def test_a_new_store_is_private(tmp_path: Path, database_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    store = open_store(settings)
    try:
        assert _mode(settings.data_dir) == 0o700
        files = _database_files(settings)
        if database_url.startswith("sqlite"):
            names = {"computegov.db", "computegov.db-wal", "computegov.db-shm"}
            assert {p.name for p in files} == names
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(settings.key_file) == 0o600
        assert store.tightened == []
    finally:
        store.close()


def test_wide_permissions_are_tightened_at_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    open_store(settings).close()
    database = sqlite_file(settings.url)
    assert database is not None
    os.chmod(settings.data_dir, 0o755)
    os.chmod(database, 0o644)
    store = open_store(settings)
    try:
        assert _mode(settings.data_dir) == 0o700
        assert {p.name: _mode(p) for p in _database_files(settings)} == {
            "computegov.db": 0o600,
            "computegov.db-wal": 0o600,
            "computegov.db-shm": 0o600,
        }
        assert sorted(store.tightened) == sorted([str(settings.data_dir), str(database)])
    finally:
        store.close()


@as_root
def test_files_another_user_owns_are_refused_not_changed(tmp_path: Path, database_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url)
    open_store(settings).close()
    targets = [settings.data_dir, settings.key_file, *_database_files(settings)]
    for target in targets:
        os.chown(target, OTHER_UID, OTHER_UID)
        os.chmod(target, 0o755 if target.is_dir() else 0o644)
        with pytest.raises(NotOurs) as refused:
            open_store(settings)
        assert f"owned by uid {OTHER_UID}" in refused.value.detail
        assert "runs as uid 0" in refused.value.detail and "chown" in refused.value.detail
        assert refused.value.extra["path"] == str(target)
        assert _mode(target) == (0o755 if target.is_dir() else 0o644)  # not the server's
        os.chown(target, 0, 0)
        os.chmod(target, 0o700 if target.is_dir() else 0o600)
    open_store(settings).close()


def test_a_log_key_others_may_read_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    open_store(settings).close()
    os.chmod(settings.key_file, 0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        open_store(settings)


def _serve(data: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")}
    return subprocess.Popen(
        [sys.executable, "-m", "computegov", "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _checkpoint_size(url: str) -> int:
    try:
        return int(httpx.get(f"{url}/checkpoint", timeout=1).text.splitlines()[1])
    except (httpx.HTTPError, IndexError, ValueError):
        return -1


def test_serve_tightens_an_existing_data_directory_and_writes_only_private_files(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    open_store(Settings(data_dir=data)).close()  # an existing deployment, made with umask 022
    os.chmod(data, 0o755)
    os.chmod(data / "computegov.db", 0o644)
    assert _mode(data / "checkpoint") == 0o644
    port = free_port()
    process = _serve(data, port)
    try:
        # The first start logs the administrator; the checkpoint file is rewritten once the
        # integrator has taken it in: a file the server creates while serving.
        deadline = time.monotonic() + 60
        while _checkpoint_size(f"http://127.0.0.1:{port}") < 1:
            assert process.poll() is None and time.monotonic() < deadline, "no integration"
            time.sleep(0.2)
        while _mode(data / "checkpoint") != 0o600 and time.monotonic() < deadline:
            time.sleep(0.2)  # the file is written just after the database commit
        assert _mode(data) == 0o700
        files = {p.name: _mode(p) for p in data.iterdir()}
        assert {"computegov.db", "computegov.db-wal", "admin.token", "checkpoint"} <= set(files)
        assert files == {name: 0o600 for name in files}, files
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"made {data} private" in output
    assert f"made {data / 'computegov.db'} private" in output


@as_root
def test_serve_refuses_a_database_another_user_owns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    open_store(Settings(data_dir=data)).close()
    os.chmod(data / "computegov.db", 0o644)
    os.chown(data / "computegov.db", OTHER_UID, OTHER_UID)
    result = subprocess.run(
        [sys.executable, "-m", "computegov", "serve", "--port", "1", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")},
        timeout=60,
    )
    assert result.returncode != 0
    said = " ".join((result.stdout + result.stderr).split())
    assert f"{data / 'computegov.db'} is owned by uid {OTHER_UID}" in said, said
    assert "start the server as its owner" in said
    assert _mode(data / "computegov.db") == 0o644


def test_administrator_credentials_are_0600_and_refused_when_others_may_read_them(
    tmp_path: Path,
) -> None:
    from computegov.registry.parties.bootstrap import ensure_administrator

    store = open_store(Settings(data_dir=tmp_path / "data"))
    try:
        admin = ensure_administrator(store)
        assert _mode(admin.key_path) == _mode(admin.token_path) == 0o600
        os.chmod(admin.token_path, 0o644)
        with pytest.raises(KeyFileError, match=f"chmod 600 {admin.token_path}"):
            ensure_administrator(store)
    finally:
        store.close()
