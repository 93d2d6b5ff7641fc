"""The demo modules' task hook: a module's async tasks run in the demo server's process while
it serves, each with its own state folder, and are cancelled when it stops."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from computegov.demo import parties as demo_parties
from computegov.demo.builder import open_demo
from computegov.demo.module import DemoModule, DemoRuntime, DemoTask
from computegov.demo.serving import demo_app
from live_server import LiveServer


def _watcher(runtime: DemoRuntime) -> list[DemoTask]:
    """A task that reads the registry as a demo party, notes what it saw in its own folder,
    and notes its end."""
    folder = runtime.state_dir("watcher")

    async def watch() -> None:
        try:
            party = runtime.parties["us-regulator"]
            async with httpx.AsyncClient(base_url=runtime.url) as client:
                answer = await client.get(
                    "/v1/parties", headers={"Authorization": f"Bearer {party.token}"}
                )
            (folder / "seen").write_text(str(answer.json()["total"]))
            await asyncio.Event().wait()  # runs until the server stops
        finally:
            (folder / "stopped").write_text("yes")

    return [watch]


def test_a_modules_tasks_run_while_the_demo_serves_and_stop_with_it(tmp_path: Path) -> None:
    root = tmp_path / "computegov-demo"
    world = open_demo(root, modules=[demo_parties.MODULE])
    module = DemoModule(name="watcher", build=lambda ctx: None, tasks=_watcher)
    try:
        server = LiveServer(None, world.store.settings)  # its port first: the app needs its URL
        app = demo_app(world, server.url, modules=[module])
        server.server.config.app = app
        with server:
            seen = root / "tasks" / "watcher" / "seen"
            deadline = time.monotonic() + 60
            while not seen.exists():
                assert time.monotonic() < deadline, "the task did not run"
                time.sleep(0.05)
            assert not (root / "tasks" / "watcher" / "stopped").exists()
        assert int(seen.read_text()) >= 4  # the regulator sees its own and its country's
        assert (root / "tasks" / "watcher" / "stopped").read_text() == "yes"
        assert (root / "tasks" / "watcher").stat().st_mode & 0o777 == 0o700
    finally:
        world.store.close()


def test_sign_in_buttons_are_the_demos_alone_and_keep_the_same_origin_check(
    tmp_path: Path,
) -> None:
    from computegov.api.app import create_app
    from computegov.store import Settings, open_store

    plain = open_store(Settings(data_dir=tmp_path / "real", database_url=None))
    try:
        with LiveServer(create_app(plain, integrate_every=None), plain.settings) as server:
            assert "Sign in as" not in httpx.get(server.url + "/login").text
    finally:
        plain.close()
    world = open_demo(tmp_path / "computegov-demo", modules=[demo_parties.MODULE])
    try:
        server = LiveServer(None, world.store.settings)
        server.server.config.app = demo_app(world, server.url)
        with server:
            page = httpx.get(server.url + "/login").text
            token = world.parties["us-regulator"].token
            assert "Sign in as United States export regulator (demo)" in page
            assert f'value="{token}"' in page
            form = {"token": token, "next": "/"}
            foreign = httpx.post(
                server.url + "/login", data=form, headers={"Origin": "http://evil.example"}
            )
            assert foreign.status_code == 403 and "computegov_token" not in foreign.cookies
            own = httpx.post(server.url + "/login", data=form, headers={"Origin": server.url})
            assert own.status_code == 303 and own.cookies["computegov_token"] == token
    finally:
        world.store.close()
