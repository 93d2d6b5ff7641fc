"""What every computegov HTTP server enforces before a route runs: body sizes and deadlines,
authentication before a body is read, request rates, and a deadline for a request's head;
hostile URLs (NULs) refused before routing, and security headers on every response
(`serving.inputs.install_http_guards`).

`install_limits(app, settings)` adds the middleware to a FastAPI app; `uvicorn_config` is how
`computegov serve`, `computegov ledger serve` and the tests' live server start uvicorn (with
the head deadline). Routes declare what they take with `accepts_body`; docs/security.md says
what each limit promises.
"""

from computegov.serving.guard import BodyKind, accepts_body, charge_device, install_limits
from computegov.serving.protocol import uvicorn_config

__all__ = ["BodyKind", "accepts_body", "charge_device", "install_limits", "uvicorn_config"]
