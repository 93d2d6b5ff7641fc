"""`computegov serve` as a newcomer runs it: a real process, a fresh data directory."""

from __future__ import annotations

import os
import signal
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
