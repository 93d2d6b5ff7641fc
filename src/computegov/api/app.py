"""The registry server: the ledger at the root, the registry under /v1, problems everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from computegov import __version__
from computegov.api import (
    attestations,
    chips,
    custody,
    ledger_reads,
    license_status,
    licensing,
    parties,
    report_obligations,
    reporting,
    reporting_identity,
    stats,
)
from computegov.ledger.http import ledger_router
from computegov.ledger.integrator import IntegratorLoop, Worker, running
from computegov.problems import install_problem_handlers
from computegov.registry.actions import authenticate
from computegov.registry.custody.flags import FlagSweeper
from computegov.serving import install_limits
from computegov.serving.docs import docs_routes
from computegov.serving.inputs import install_http_guards
from computegov.store import Store
from computegov.web import pages
from computegov.web.sign_in import SignInButton


def create_app(
    store: Store,
    *,
    integrate_every: float | None = 0.25,
    sign_in: Sequence[SignInButton] = (),
) -> FastAPI:
    """The whole registry over one store; the integrator and the flag sweeper run while the
    app is up (tests pass `integrate_every=None` and drive both themselves). The store's
    settings hold the HTTP limits (`computegov.serving`): a request with a body needs a valid
    token before its body is read, unless its route is declared tokenless. `sign_in` (the
    demo world's parties, `serve --demo` only) puts a "sign in as" button per party on the
    login page."""
    workers: list[Worker] = []
    if integrate_every:
        workers = [IntegratorLoop(store, interval=integrate_every), FlagSweeper(store)]
    app = FastAPI(
        title="computegov registry",
        version=__version__,
        summary="A registry of AI chips over a tamper-evident ledger.",
        lifespan=running(*workers),
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.sign_in = tuple(sign_in)
    install_problem_handlers(app)

    def check_token(token: str | None) -> None:
        with store.sessions() as session:
            authenticate(session, token)

    install_limits(app, store.settings, check_token)
    install_http_guards(app)
    app.include_router(docs_routes(app.title))
    app.include_router(ledger_router(store))
    app.include_router(ledger_reads.router)
    app.include_router(parties.router)
    app.include_router(chips.router)
    app.include_router(custody.router)
    app.include_router(licensing.router)
    app.include_router(license_status.router)
    app.include_router(reporting.router)
    app.include_router(reporting_identity.router)
    app.include_router(report_obligations.router)
    app.include_router(attestations.router)
    app.include_router(stats.router)
    app.include_router(pages.router)
    return app
