"""`computegov serve` as a newcomer runs it: a real process, a fresh data directory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from live_server import free_port


def test_first_start_writes_admin_credentials_and_serves_the_registry(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "computegov", "serve", "--port", str(port), "--data-dir", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        info = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                info = httpx.get(f"http://127.0.0.1:{port}/v1/info", timeout=1).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert info is not None, "the server did not answer within 30 s"
        token = (data / "admin.token").read_text().strip()
        assert (data / "admin.token").stat().st_mode & 0o777 == 0o600
        assert (data / "admin.key").stat().st_mode & 0o777 == 0o600
        parties = httpx.get(
            f"http://127.0.0.1:{port}/v1/parties", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert [p["role"] for p in parties["items"]] == ["administrator"]
        checkpoint = httpx.get(f"http://127.0.0.1:{port}/checkpoint").text
        assert checkpoint.startswith(info["origin"] + "\n")
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert f"token {data / 'admin.token'}" in output
    assert "verifier key" in output


def test_a_busy_port_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """As `make serve` runs it (the default data directory, in the current directory) on a
    port another program holds: one line naming the port and a way out, exit 2, and no
    database, key or administrator token written; no "serving on" printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "computegov", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    line = result.stderr.rstrip("\n")
    assert "\n" not in line
    assert line.startswith(f"error: port {port} on 127.0.0.1 is already in use"), line
    suggested = re.search(r"`make serve PORT=(\d+)` or `computegov serve --port (\d+)`", line)
    assert suggested is not None, line
    assert suggested[1] == suggested[2] != str(port)
    assert list(tmp_path.iterdir()) == []  # not even ./computegov-data
