"""The registry server: the ledger at the root, the registry under /v1, problems everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from computegov import __version__
from computegov.api import chips, ledger_reads, parties
from computegov.api.problems import install_problem_handlers
from computegov.ledger.http import ledger_router
from computegov.ledger.integrator import IntegratorLoop
from computegov.store import Store


def create_app(store: Store, *, integrate_every: float | None = 0.25) -> FastAPI:
    """The whole registry over one store; the integrator runs while the app is up."""
    loop = IntegratorLoop(store, interval=integrate_every) if integrate_every else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if loop is not None:
            loop.start()
        try:
            yield
        finally:
            if loop is not None:
                loop.stop()

    app = FastAPI(
        title="computegov registry",
        version=__version__,
        summary="A registry of AI chips over a tamper-evident ledger.",
        lifespan=lifespan,
    )
    app.state.store = store
    install_problem_handlers(app)
    app.include_router(ledger_router(store))
    app.include_router(ledger_reads.router)
    app.include_router(parties.router)
    app.include_router(chips.router)
    return app
