"""`computegov ledger serve` as a real process: it serves, and it refuses a bad start."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from computegov.ledger import log, note
from computegov.ledger.integrator import integrate_all
from computegov.store import Settings, open_store
from live_server import free_port


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "computegov",
            "ledger",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _banner(process: subprocess.Popen[bytes]) -> list[str]:
    """The lines the server printed up to and including where it serves (or all it printed
    before it exited)."""
    assert process.stdout is not None
    lines: list[str] = []
    for raw in process.stdout:
        lines.append(raw.decode().rstrip("\n"))
        if lines[-1].startswith("computegov: serving on"):
            break
    return lines


def test_serve_publishes_the_log_of_its_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    process = _serve(data, port)
    try:
        banner = _banner(process)
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/checkpoint", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        vkey = httpx.get(f"http://127.0.0.1:{port}/v1/log/key").json()["verifier_key"]
        cp = note.open_checkpoint(response.text, note.parse_verifier_key(vkey))
        assert (cp.origin, cp.size) == ("localhost/computegov", 0)
        # it says what `computegov serve` says: database, log and verifier key, where
        assert banner == [
            f"computegov: database sqlite:///{(data / 'computegov.db').resolve()}",
            f"computegov: log localhost/computegov, verifier key {vkey}",
            f"computegov: serving on http://127.0.0.1:{port}/ "
            "(checkpoint at /checkpoint, API docs at /docs)",
        ]
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        finally:
            process.kill()
    assert (data / "log.key").exists() and (data / "checkpoint").exists()


def test_serve_refuses_a_database_behind_its_checkpoint_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(Settings(data_dir=data))
    with store.transaction() as session:
        log.append_many(session, [("test.entry", {"n": i}, "t") for i in range(3)])
    integrate_all(store)
    store.close()
    (data / "computegov.db").unlink()  # as if restored from before the first entry
    process = _serve(data, free_port())
    try:
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1
    assert err.decode().startswith("error: the database is behind the checkpoint file"), (
        err.decode()
    )
    assert "the file has size 3, the database 0" in err.decode()


def test_serve_refuses_a_busy_port_before_writing_anything(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _serve(data, port)
        try:
            out, err = process.communicate(timeout=120)
        finally:
            process.kill()
    assert process.returncode == 2, err.decode()
    assert out == b""
    line = err.decode().rstrip("\n")
    assert "\n" not in line
    assert line.startswith(f"error: port {port} on 127.0.0.1 is already in use"), line
    assert "`computegov ledger serve --port " in line
    assert not data.exists()
