"""The servers' limits, against a real uvicorn on 127.0.0.1 (issue 9, item 6): a body is
refused from its `Content-Length` or while it streams, an unauthenticated body is refused
before it is read, slow heads and bodies are cut off, rates answer 429 with Retry-After, and
only manifest uploads take more than 1 MiB. Raw sockets send exactly what an attacker would;
every wait is bounded (tests/raw_client.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from chips_helpers import FAB, maker_of, manifest_csv, register
from fastapi import FastAPI, Request

from computegov.errors import Unauthenticated
from computegov.problems import install_problem_handlers
from computegov.serving import BodyKind, accepts_body, charge_device, install_limits
from computegov.store import Settings
from conftest import World, open_world
from live_server import UNTHROTTLED, LiveServer, free_port
from raw_client import RawClient, chunk, head

MIB = 1024 * 1024
PROBLEM = "application/problem+json"


def _problem(status: int, slug: str, response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert str(body["type"]).endswith("/" + slug), body
    assert {"title", "detail"} <= set(body)
    return body


def _port(world: World) -> int:
    return world.server.port


# --- bodies: size, and the token before the body ---------------------------------------------


def test_an_unauthenticated_body_is_refused_before_it_is_read(
    tmp_path: Path, database_url: str
) -> None:
    # The seen attack: 50 MB of JSON without a token, parsed before anyone asked who sent it.
    with open_world(tmp_path, database_url) as world:
        with RawClient(_port(world)) as raw:
            announced = head("POST", "/v1/parties", "Content-Length: 50000000")
            raw.send(announced + b"{" + b" " * 1023)  # the other 49,998,976 bytes never come
            response = raw.response()
            assert response.status == 401
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.headers["connection"] == "close"
            assert _problem(401, "unauthenticated", response)["reason"] == "no_token"
            assert raw.closed_by_server()
        with RawClient(_port(world)) as raw:
            bad = "Authorization: Bearer cgt_not-a-token"
            raw.send(head("POST", "/v1/parties", bad, "Content-Length: 50000000"))
            response = raw.response()
            assert response.status == 401
            assert _problem(401, "unauthenticated", response)["reason"] == "bad_token"


def test_a_body_over_the_limit_is_refused_from_its_content_length(world: World) -> None:
    with RawClient(_port(world)) as raw:
        raw.send(
            head(
                "POST",
                "/v1/parties",
                f"Authorization: Bearer {world.admin.token}",
                "Content-Type: application/json",
                f"Content-Length: {MIB + 1}",
            )
        )
        response = raw.response()  # without one byte of the body sent
        assert response.status == 413
        assert response.headers["connection"] == "close"
        body = _problem(413, "payload-too-large", response)
        assert body["limit_bytes"] == MIB
        assert raw.closed_by_server()
    # at the limit it is read (and then judged as JSON, not as a size)
    with world.server.client(world.admin.token) as http:
        answer = http.post(
            "/v1/parties", content=b" " * MIB, headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 422, answer.text


def test_a_chunked_body_is_cut_off_when_it_passes_the_limit(world: World) -> None:
    with RawClient(_port(world)) as raw:
        raw.send(
            head(
                "POST",
                "/v1/parties",
                f"Authorization: Bearer {world.admin.token}",
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            )
        )
        piece = b" " * (64 * 1024)
        for _ in range(MIB // len(piece) + 1):  # one chunk past 1 MiB, never a last chunk
            assert raw.send(chunk(piece))
        response = raw.response()
        assert response.status == 413
        assert _problem(413, "payload-too-large", response)["limit_bytes"] == MIB
        assert raw.closed_by_server()


def test_a_manifest_upload_above_one_mib_is_accepted(tmp_path: Path, sqlite_url: str) -> None:
    with open_world(tmp_path, sqlite_url) as world:
        maker = maker_of(world)
        serial = "SN-{:0117d}"  # 120 characters: about 190 bytes a row
        rows = [(serial.format(i), "H100", "2026-01-15", FAB, None) for i in range(6000)]
        data = manifest_csv(rows)
        assert len(data) > MIB
        response = register(world, maker, data)
        assert response.status_code == 201, response.text
        assert response.json()["chips"] == 6000
        # the same bytes on any other route are refused
        upload = {"signed": world.envelope(maker, "party.create", {}), "csv": data.decode()}
        refused = world.post(maker, "/v1/parties", upload)
        assert refused.status_code == 413


def test_a_manifest_above_its_own_limit_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    with open_world(tmp_path, sqlite_url, manifest_body_limit_bytes=2 * MIB) as world:
        with RawClient(_port(world)) as raw:
            raw.send(
                head(
                    "POST",
                    "/v1/manifests",
                    f"Authorization: Bearer {world.admin.token}",
                    f"Content-Length: {2 * MIB + 1}",
                )
            )
            response = raw.response()
            assert response.status == 413
            assert _problem(413, "payload-too-large", response)["limit_bytes"] == 2 * MIB
        with RawClient(_port(world)) as raw:  # streamed: counted as it arrives
            raw.send(
                head(
                    "POST",
                    "/v1/manifests",
                    f"Authorization: Bearer {world.admin.token}",
                    "Transfer-Encoding: chunked",
                )
            )
            for _ in range(33):
                assert raw.send(chunk(b" " * (64 * 1024)))
            assert raw.response().status == 413


# --- deadlines ----------------------------------------------------------------------------------


def test_a_slow_head_is_cut_off(tmp_path: Path, sqlite_url: str) -> None:
    with open_world(tmp_path, sqlite_url, header_timeout_s=1) as world:
        with RawClient(_port(world)) as raw:
            assert raw.send(b"GET /v1/log/key HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert raw.trickle(b"X-Slow: a\r\n", every=0.1), "the server waited for ever"
            response = raw.response()
            assert response.status == 408
            assert response.headers["connection"] == "close"
            assert _problem(408, "request-timeout", response)["reason"] == "header_timeout"
            assert raw.closed_by_server()
        # a prompt client on the same server is served
        with world.server.client() as http:
            assert http.get("/v1/log/key").status_code == 200


def test_a_slow_body_is_cut_off(tmp_path: Path, sqlite_url: str) -> None:
    with (
        open_world(tmp_path, sqlite_url, body_timeout_s=1) as world,
        RawClient(_port(world)) as raw,
    ):
        raw.send(
            head(
                "POST",
                "/v1/parties",
                f"Authorization: Bearer {world.admin.token}",
                "Content-Type: application/json",
                "Content-Length: 100000",
            )
        )
        assert raw.trickle(b" " * 100, every=0.1), "the server waited for ever"
        response = raw.response()
        assert response.status == 408
        assert _problem(408, "request-timeout", response)["reason"] == "body_timeout"
        assert raw.closed_by_server()


# --- rates --------------------------------------------------------------------------------------


def _retry_after(response: httpx.Response) -> int:
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert response.json()["retry_after"] == seconds
    return seconds


def test_requests_per_token_are_limited(tmp_path: Path, sqlite_url: str) -> None:
    with open_world(tmp_path, sqlite_url, rate_limit_token="3/minute") as world:
        with world.server.client(world.admin.token) as http:
            assert [http.get("/v1/parties").status_code for _ in range(3)] == [200] * 3
            refused = http.get("/v1/parties")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == PROBLEM
        _problem(429, "rate-limited", refused)
        _retry_after(refused)
        with world.server.client("cgt_another-token") as http:
            assert http.get("/v1/parties").status_code == 401  # another token: its own count
        with world.server.client() as http:
            assert http.get("/v1/log/key").status_code == 200


def test_requests_per_address_are_limited(tmp_path: Path, sqlite_url: str) -> None:
    with open_world(tmp_path, sqlite_url, rate_limit_address="3/minute") as world:
        with world.server.client() as http:
            assert [http.get("/v1/log/key").status_code for _ in range(3)] == [200] * 3
            refused = http.get("/checkpoint")
        assert refused.status_code == 429
        _problem(429, "rate-limited", refused)
        _retry_after(refused)
        with world.server.client(world.admin.token) as http:  # a token does not lift it
            assert http.get("/v1/parties").status_code == 429


# --- tokenless routes ---------------------------------------------------------------------------


def _tokenless_app(settings: Settings) -> FastAPI:
    """A server with one route declared tokenless, as a chip's renewal will be: the device
    proves its key in the body, and the route charges that key."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/renew")
    @accepts_body(BodyKind.TOKENLESS)
    async def renew(request: Request) -> dict[str, str]:
        device_key = json.loads(await request.body())["device_key"]
        charge_device(request, device_key)  # after the (here omitted) signature check
        return {"renewed": device_key}

    @app.post("/other")
    async def other(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    def no_tokens(token: str | None) -> None:
        raise Unauthenticated("no token is good here", reason="bad_token")

    install_limits(app, settings, no_tokens)
    return app


def test_a_tokenless_route_takes_no_token_and_at_most_4_kib(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, **UNTHROTTLED)
    with LiveServer(_tokenless_app(settings), settings) as server, server.client() as http:
        small = {"device_key": "k1", "pad": "x" * 3000}
        assert http.post("/renew", json=small).json() == {"renewed": "k1"}
        assert http.post("/other", json=small).status_code == 401  # other routes need one
        large = http.post("/renew", json={"device_key": "k1", "pad": "x" * 4096})
        assert large.status_code == 413
        assert large.json()["limit_bytes"] == 4096
    with pytest.raises(ValueError, match="less than or equal to 4096"):
        Settings(tokenless_body_limit_bytes=8192)


def test_a_tokenless_route_is_limited_per_device_key_and_address(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        **{**UNTHROTTLED, "rate_limit_device": "2/minute", "rate_limit_tokenless": "5/minute"},
    )
    with LiveServer(_tokenless_app(settings), settings) as server, server.client() as http:
        first = [http.post("/renew", json={"device_key": "k1"}) for _ in range(3)]
        assert [r.status_code for r in first] == [200, 200, 429]
        _retry_after(first[2])
        assert first[2].json()["reason"] == "rate_limited"
        assert http.post("/renew", json={"device_key": "k2"}).status_code == 200  # its own
        assert http.post("/renew", json={"device_key": "k3"}).status_code == 200
        address = http.post("/renew", json={"device_key": "k4"})  # 6th from this address
        assert address.status_code == 429
        _retry_after(address)


def test_the_dashboard_login_is_a_tokenless_route(world: World) -> None:
    # A form POST from the dashboard's own page, as a browser sends it (with its Origin).
    with world.server.client() as http:
        http.headers["Origin"] = world.server.url
        page = http.post("/login", data={"token": world.admin.token, "next": "/"})
        assert page.status_code == 303  # no bearer token needed to log in
        large = http.post("/login", data={"token": "x", "next": "/" + "a" * 5000})
        assert large.status_code == 413


def test_computegov_serve_runs_with_the_limits_of_its_settings(tmp_path: Path) -> None:
    # The command a deployment runs, not only the test server: COMPUTEGOV_* settings reach it.
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPUTEGOV_")}
    env |= {"COMPUTEGOV_HEADER_TIMEOUT_S": "1", "COMPUTEGOV_RATE_LIMIT_TOKEN": "2/minute"}
    command = [sys.executable, "-m", "computegov", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end and process.poll() is None:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/info", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        token = (data / "admin.token").read_text().strip()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            auth = {"Authorization": f"Bearer {token}"}
            codes = [http.get("/v1/parties", headers=auth).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        with RawClient(port) as raw:
            assert raw.send(b"GET /v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert raw.trickle(b"X-Slow: a\r\n"), "the server waited for ever"
            assert raw.response().status == 408
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
