"""Build the demo world once, open it as it is afterwards, and never touch a real registry.

`open_demo(root)`:
- refuses a directory that holds a registry of another log origin (a log cannot forget: a
  demo entry written into a real registry would stay there), and one that holds files but
  no finished demo world;
- opens a finished world (its `demo.json` is written last) and performs nothing: a second
  start changes nothing;
- otherwise builds a new world in a sibling folder `.<name>.building`, running every
  module of `world.MODULES` in order, integrates the log, and renames the folder into place
  only when all of it is done. A build that fails leaves nothing behind; a build killed
  midway leaves the sibling folder, which the next start removes before building again.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from computegov.demo.context import SEED_FILE, DemoContext, DemoParty
from computegov.demo.files import INFO_FILE, load_parties, read_info, write_info
from computegov.demo.module import DemoModule
from computegov.errors import InvalidInput
from computegov.instants import to_wire
from computegov.ledger.integrator import integrate_all
from computegov.secrets import write_secret
from computegov.store import Settings, Store, open_store

DEMO_ORIGIN = "localhost/computegov-demo"
DEFAULT_DIR = Path("computegov-demo")
DB_FILE = "computegov.db"


@dataclass
class DemoWorld:
    """An open demo world: its store, directory, parties and `demo.json`."""

    store: Store
    root: Path
    parties: dict[str, DemoParty]
    info: dict[str, Any]
    built: bool  # whether this start built it


def demo_settings(root: Path) -> Settings:
    """The demo's settings: its own directory, SQLite in it, its own origin. Every path and
    URL is given, so COMPUTEGOV_DATA_DIR, COMPUTEGOV_DATABASE_URL and the key and checkpoint
    paths of a real deployment in the environment are never used."""
    return Settings(
        data_dir=root,
        database_url=None,
        log_origin=DEMO_ORIGIN,
        log_key_path=None,
        checkpoint_path=None,
    )


def _origin_in(root: Path) -> str | None:
    """The log origin of a registry kept in `root` (checkpoint file, else genesis row), if any."""
    checkpoint = root / "checkpoint"
    if checkpoint.is_file():
        return checkpoint.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    database = root / DB_FILE
    if database.is_file():
        # Read only, and without making the -wal and -shm files a reader of a WAL database
        # makes, unless they are there already (a server has it open).
        wal = database.with_name(database.name + "-wal").exists()
        mode = "mode=ro" if wal else "mode=ro&immutable=1"
        try:
            with closing(sqlite3.connect(f"file:{database}?{mode}", uri=True)) as conn:
                row = conn.execute("SELECT origin FROM genesis").fetchone()
        except sqlite3.Error:
            return "(unreadable)"
        return str(row[0]) if row else None
    return None


def check_directory(root: Path) -> bool:
    """Whether `root` holds a finished demo world (True) or nothing yet (False); refuse
    anything else, before anything is written."""
    if not root.exists():
        return False
    if not root.is_dir():
        raise InvalidInput(f"{root} is not a directory; choose another --data-dir")
    origin = _origin_in(root)
    if origin is not None and origin != DEMO_ORIGIN:
        raise InvalidInput(
            f"{root} holds a registry with log origin {origin!r}, not the demo's "
            f"{DEMO_ORIGIN!r}; a demo never writes into a real registry (its log would keep "
            "the demo's entries for ever): choose another --data-dir"
        )
    if (root / INFO_FILE).is_file():
        if origin is None:
            # A demo.json alone proves nothing: a real registry whose database is elsewhere
            # (PostgreSQL) keeps only its keys here, and opening it as a demo would put a
            # demo database beside them, signed with its log key.
            raise InvalidInput(
                f"{root} holds a {INFO_FILE} but no demo registry (no database or checkpoint "
                f"of log {DEMO_ORIGIN!r}); a demo never writes into a real registry's "
                "directory: choose another --data-dir"
            )
        return True
    if any(root.iterdir()):
        raise InvalidInput(
            f"{root} holds files but no finished demo world (no {INFO_FILE}); remove it "
            "(or choose another --data-dir) and start again"
        )
    return False


def _build(
    folder: Path, modules: Sequence[DemoModule], say: Callable[[str], None]
) -> dict[str, Any]:
    """Build every module into `folder`; `demo.json`'s content. Closes its store."""
    seed = os.urandom(32)
    write_secret(folder / SEED_FILE, seed.hex())
    started, cpu = time.perf_counter(), time.process_time()
    store = open_store(demo_settings(folder))
    try:
        ctx = DemoContext(store, folder, seed)
        for module in modules:
            say(f"computegov demo: building {module.name}")
            module.build(ctx)
        integrated = integrate_all(store)
        extra = {
            "built_at": to_wire(store.clock.now()),
            "build_seconds": round(time.perf_counter() - started, 3),
            "build_cpu_seconds": round(time.process_time() - cpu, 3),
            "actions": ctx.actions,
            "refusals": ctx.refusals,
            "log_size": integrated,  # from an empty log: every entry of the build
        }
        return write_info(ctx, extra)
    finally:
        store.close()


def _remove_unfinished(folder: Path, say: Callable[[str], None]) -> None:
    """Remove the build folder a killed build left; refuse anything else of that name (a
    link, a file) rather than follow or delete it."""
    if not (folder.exists() or folder.is_symlink()):
        return
    if folder.is_symlink() or not folder.is_dir():
        raise InvalidInput(
            f"{folder} is in the way of the demo's build folder and is not one a build left "
            "(a link or a file); remove it and start again"
        )
    say(f"computegov demo: removing {folder}, left by a build that did not finish")
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise InvalidInput(f"cannot remove {folder}, left by a build: {exc}") from None


def open_demo(
    root: Path = DEFAULT_DIR,
    *,
    modules: Sequence[DemoModule] | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> DemoWorld:
    """Open the demo world in `root`, building it first if there is none (see module doc)."""
    if modules is None:
        from computegov.demo.world import MODULES

        modules = MODULES
    # A symlinked directory is built where it points: the build folder is renamed onto the
    # directory itself, never onto the link.
    root = Path(root).resolve()
    built = not check_directory(root)
    if built:
        folder = root.parent / f".{root.name}.building"
        _remove_unfinished(folder, say)
        root.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)
        try:
            info = _build(folder, modules, say)
            os.replace(folder, root)  # onto nothing, or onto an empty directory
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    else:
        info = read_info(root)
    store = open_store(demo_settings(root))
    try:
        parties = load_parties(root, info)
    except BaseException:
        store.close()
        raise
    return DemoWorld(store=store, root=root, parties=parties, info=info, built=built)
