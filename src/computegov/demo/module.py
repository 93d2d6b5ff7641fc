"""What a demo module is: a name, `build(ctx)` that performs its part of the world through the
registry's use cases, and optionally the background tasks the demo server runs.

A capability adds its part of the demo world by writing one module and appending its
`MODULE` to `computegov.demo.world.MODULES`; modules build in that order, so a later one may
use the parties, chips and example ids of the ones before (`ctx.parties`, `ctx.examples`).

Tasks are for the processes a capability brings (a license issuer, a witness, a landmark):
`tasks(runtime)` returns async callables that the demo server starts in its own process once
it serves, and cancels when it stops. Each keeps its keys and state in its own folder,
`runtime.state_dir(<module name>)`, under the demo directory; it talks to the registry as any
client would (`runtime.url`, `runtime.parties[slug]` for a party's key and token).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from computegov.demo.context import DemoContext, DemoParty
    from computegov.store import Store

DemoTask = Callable[[], Awaitable[None]]


@dataclass
class DemoRuntime:
    """What a module's background tasks get: the served world and where to keep state."""

    store: Store
    root: Path
    url: str
    parties: dict[str, DemoParty] = field(default_factory=dict)

    def state_dir(self, module: str) -> Path:
        """The module's own folder under the demo directory (made 0700 on first use)."""
        path = self.root / "tasks" / module
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path


@dataclass(frozen=True)
class DemoModule:
    """One capability's part of the demo world."""

    name: str
    build: Callable[[DemoContext], None]
    tasks: Callable[[DemoRuntime], Sequence[DemoTask]] | None = None
