"""`computegov serve --demo`: check the port, open (or build) the demo world, write
`demo.env` for the URL served, print where everything is, and serve it with the demo
modules' background tasks running in this process."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from computegov.demo.builder import DEFAULT_DIR, DemoWorld, open_demo
from computegov.demo.files import write_env
from computegov.demo.module import DemoModule, DemoRuntime, DemoTask
from computegov.errors import InvalidInput
from computegov.serving.ports import http_url, refuse_busy_port

log = logging.getLogger(__name__)
IGNORED_ENV = ("COMPUTEGOV_DATA_DIR", "COMPUTEGOV_DATABASE_URL")
ROLE_ORDER = ("administrator", "regulator", "manufacturer", "distributor", "cloud_provider")


def _relative(path: Path) -> str:
    """`path` as the user would type it from here (relative where it is under the cwd)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())


def try_first(world: DemoWorld) -> list[str]:
    """Commands that work verbatim after `. <demo dir>/demo.env`."""
    chip = world.info["examples"]["rich_chip"]
    regulator = '"$COMPUTEGOV_DEMO_DIR/parties/us-regulator.token"'
    return [
        # the verifier key and the URL come from demo.env (COMPUTEGOV_VERIFIER_KEY, _URL)
        f"computegov chips history {chip['vendor']} {chip['serial']} --token-file {regulator}",
        f"computegov transfers list --token-file {regulator}",
        f"computegov flags list --status open --token-file {regulator}",
        "computegov ledger verify --full",
    ]


def banner(world: DemoWorld, url: str, env_file: Path) -> list[str]:
    """What `serve --demo` prints before it serves."""
    info = world.info
    root = _relative(world.root)
    if world.built:
        made = (
            f"built a new demo world in {root} in {info['build_seconds']:.1f} s "
            f"({info['actions']} signed actions, {info['refusals']} refused)"
        )
    else:
        made = f"opened the demo world in {root} (built {info['built_at']}; nothing changed)"
    lines = [
        f"computegov demo: {made}",
        f"computegov demo: log {info['origin']}, verifier key {info['verifier_key']}",
        f"  dashboard   {url}/   (a sign-in button per party)",
        f"  API docs    {url}/docs",
        f"  shell       . {_relative(env_file)}   (sets COMPUTEGOV_URL, COMPUTEGOV_VERIFIER_KEY, "
        "COMPUTEGOV_DEMO_DIR)",
        "",
    ]
    parties = sorted(
        world.parties.values(),
        key=lambda p: ROLE_ORDER.index(p.role) if p.role in ROLE_ORDER else len(ROLE_ORDER),
    )
    rows = [("party", "role", "token file", "key file")] + [
        (p.slug, p.role, f"{root}/{p.token_file}", f"{root}/{p.key_file}") for p in parties
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        lines.append(
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    lapsing = info["examples"].get("lapsing_license")
    lines += ["", f"Try first, after `. {_relative(env_file)}`:"]
    lines += [f"  {command}" for command in try_first(world)]
    if lapsing:
        lines += [
            "",
            f"Export license {lapsing['id']} lapses at {lapsing['expires_at']} (real time: "
            "watch it in `computegov licenses list`).",
        ]
    return lines


def _tasks(world: DemoWorld, url: str, modules: Sequence[DemoModule]) -> list[DemoTask]:
    runtime = DemoRuntime(store=world.store, root=world.root, url=url, parties=world.parties)
    return [task for module in modules if module.tasks for task in module.tasks(runtime)]


async def _until_serving(url: str) -> None:
    """Wait until the server answers at `url` (the lifespan starts before it listens)."""
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        while True:
            try:
                await client.get("/checkpoint")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)


async def _guarded(task: DemoTask, url: str) -> None:
    try:
        await _until_serving(url)
        await task()
    except asyncio.CancelledError:
        raise
    except Exception:  # one task's failure stops that task, not the server
        log.exception("demo task %r failed", getattr(task, "__name__", task))


def with_tasks(app: FastAPI, tasks: Sequence[DemoTask], url: str) -> FastAPI:
    """Run `tasks` while the app is up: each starts once the server answers at `url`, and
    all are cancelled when it stops."""
    if not tasks:
        return app
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            running = [asyncio.create_task(_guarded(task, url)) for task in tasks]
            try:
                yield state
            finally:
                for handle in running:
                    handle.cancel()
                await asyncio.gather(*running, return_exceptions=True)

    app.router.lifespan_context = lifespan
    return app


def demo_app(world: DemoWorld, url: str, modules: Sequence[DemoModule] | None = None) -> FastAPI:
    """The registry app over the demo world, with sign-in buttons and the modules' tasks."""
    from computegov.api.app import create_app
    from computegov.demo.world import MODULES
    from computegov.web.sign_in import SignInButton

    buttons = [
        SignInButton(name=party.name, role=party.role, token=party.token)
        for party in world.parties.values()
    ]
    app = create_app(world.store, sign_in=buttons)
    return with_tasks(app, _tasks(world, url, MODULES if modules is None else modules), url)


def refuse_off_machine(host: str) -> None:
    """The demo signs anyone in as any party with one click: it listens on this machine only
    (a loopback address), never on an address other machines reach."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInput(
            f"the demo world listens only on this machine (127.0.0.1, ::1 or localhost), not "
            f"on {host}: its login page signs anyone in as any demo party with one click"
        )


def serve_demo(host: str, port: int, data_dir: Path | None, echo: Callable[[str], None]) -> None:
    """Everything `computegov serve --demo` does, in order; the port is checked first."""
    import uvicorn

    from computegov.serving import uvicorn_config
    from computegov.store.permissions import private_umask

    refuse_off_machine(host)
    ignored = [name for name in IGNORED_ENV if os.environ.get(name)]
    if ignored:
        echo(
            f"computegov demo: ignoring {' and '.join(ignored)}: the demo keeps its own data "
            "directory and log, never a real registry's"
        )
    refuse_busy_port(
        host, port, commands=("make serve PORT={port}", "computegov serve --demo --port {port}")
    )
    private_umask()
    world = open_demo(data_dir or DEFAULT_DIR, say=echo)
    try:
        url = http_url(host, port)  # a loopback address: what a client here types
        env_file = write_env(world.root, url, world.store.verifier_key)
        for line in banner(world, url, env_file):
            echo(line)
        config = uvicorn_config(
            demo_app(world, url), host=host, port=port, settings=world.store.settings
        )
        uvicorn.Server(config).run()
    finally:
        world.store.close()
