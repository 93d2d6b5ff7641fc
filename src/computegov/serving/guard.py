"""The limits middleware: rates, authentication before the body, body size and deadline.

Every HTTP request is counted per client address and, when it bears one, per bearer token;
past a rate it gets `429` with `Retry-After`. A request that carries a body is checked when
its route first asks for the body, before one byte of it is read: the bearer token must be
valid (unless the route is declared tokenless) and a `Content-Length` above the route's limit
is refused (`413`). While the route reads the body, the bytes are counted (a chunked body is
cut off at the limit) and the whole body must arrive within the route's deadline (`408`,
counted from the request's start). Every such refusal closes the connection, so the rest of
the body is never read; so does a response to a request whose body the route left unread.

Routes declare what they take with `@accepts_body(kind)` on the endpoint: `DEFAULT` (a token,
`body_limit_bytes`), `MANIFEST` (a token, `manifest_body_limit_bytes`, the longer deadline)
or `TOKENLESS` (no token, at most `tokenless_body_limit_bytes` = 4 KiB, rate-limited per
address; the route charges the device key it verified with `charge_device`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, NoReturn, TypeVar

import anyio
from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from computegov.errors import ComputegovError, PayloadTooLarge, RequestTimeout
from computegov.problems import error_response
from computegov.serving.rates import RateLimiter, Rates
from computegov.store.settings import Settings

BODY_KIND = "__computegov_body__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Authenticator = Callable[[str | None], None]
"""Checks a bearer token (None when absent) and raises `Unauthenticated` when it is not good."""


class BodyKind(Enum):
    """What a route takes as a body, and so which limits apply before and while it is read."""

    DEFAULT = "default"
    MANIFEST = "manifest"
    TOKENLESS = "tokenless"


def accepts_body(kind: BodyKind) -> Callable[[Endpoint], Endpoint]:
    """Declare on an endpoint (below its route decorator) the kind of body it takes."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, BODY_KIND, kind)
        return endpoint

    return mark


def charge_device(request: Request, device_key: str) -> None:
    """On a tokenless route, count one request for the device key its body proved; raises
    `TooManyRequests` past `rate_limit_device`."""
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.charge_device(_route_path(request.scope), device_key)


def _route_path(scope: Scope) -> str:
    """The route's path template (one count for `/chips/{chip_id}/renew`, not one a chip)."""
    return str(getattr(scope.get("route"), "path", scope["path"]))


@dataclass(frozen=True)
class BodyPolicy:
    kind: BodyKind
    limit: int
    timeout: float


def policies(settings: Settings) -> dict[BodyKind, BodyPolicy]:
    """The size limit and deadline of each kind of body under `settings`."""
    return {
        BodyKind.DEFAULT: BodyPolicy(
            BodyKind.DEFAULT, settings.body_limit_bytes, settings.body_timeout_s
        ),
        BodyKind.MANIFEST: BodyPolicy(
            BodyKind.MANIFEST, settings.manifest_body_limit_bytes, settings.manifest_body_timeout_s
        ),
        BodyKind.TOKENLESS: BodyPolicy(
            BodyKind.TOKENLESS, settings.tokenless_body_limit_bytes, settings.body_timeout_s
        ),
    }


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer` header's value (None when absent or malformed);
    the guard and the routes (`api.deps.bearer_token`) read it alike."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _too_large(policy: BodyPolicy) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"this route takes a body of at most {policy.limit} bytes",
        reason="body_too_large",
        limit_bytes=policy.limit,
    )


async def _refuse(exc: ComputegovError, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer with the problem and close the connection (an unread body is never read)."""
    response = error_response(exc)
    response.headers["connection"] = "close"
    await response(scope, receive, send)


class _BodyRefused(Exception):
    """Raised into the route when the guard has refused its body (and answered already)."""


@dataclass(frozen=True)
class _Request:
    """What the guard knows of a request before its body: who sends it, and how much."""

    address: str
    token: str | None
    length: int | None  # None: chunked


class _BodyGuard:
    """Stands between a route and its request body. At the route's first read (routing has
    chosen the endpoint by then, and no byte of the body has been read) it checks the token
    and the announced length against the endpoint's declared kind; then it counts the bytes
    as they arrive and holds the body to its deadline."""

    def __init__(
        self,
        guard: LimitsMiddleware,
        request: _Request,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        self.guard = guard
        self.request = request
        self.scope = scope
        self._receive = receive
        self._send = send
        self.started_at = anyio.current_time()
        self.policy: BodyPolicy | None = None
        self.received = 0
        self.complete = False
        self.started = False
        self.answered = False

    async def _admit(self) -> BodyPolicy:
        """The checks made before the first byte of the body is read."""
        kind = getattr(self.scope.get("endpoint"), BODY_KIND, BodyKind.DEFAULT)
        policy = self.guard.policies[kind if isinstance(kind, BodyKind) else BodyKind.DEFAULT]
        try:
            if policy.kind is BodyKind.TOKENLESS:
                self.guard.limiter.charge_tokenless(_route_path(self.scope), self.request.address)
            elif self.guard.authenticate is not None:
                await anyio.to_thread.run_sync(self.guard.authenticate, self.request.token)
            if self.request.length is not None and self.request.length > policy.limit:
                raise _too_large(policy)
        except ComputegovError as exc:
            await self._refuse(exc)
        return policy

    async def receive(self) -> Message:
        if self.complete or (self.started and self.policy is None):
            # the body is read, or the route answered without it and only listens for the
            # client's disconnect (the response closes the connection: see `send`)
            return await self._receive()
        if self.policy is None:
            self.policy = await self._admit()
        policy = self.policy
        deadline = self.started_at + policy.timeout
        try:
            with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                message = await self._receive()
        except TimeoutError:
            await self._refuse(
                RequestTimeout(
                    f"the request body did not arrive within {policy.timeout:g} s",
                    reason="body_timeout",
                )
            )
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > policy.limit:
                await self._refuse(_too_large(policy))
            if not message.get("more_body", False):
                self.complete = True
        return message

    async def _refuse(self, exc: ComputegovError) -> NoReturn:
        if not self.started:
            self.answered = True
            await _refuse(exc, self.scope, self._receive, self._send)
        raise _BodyRefused(exc.detail)

    async def send(self, message: Message) -> None:
        if self.answered:
            return  # the guard has answered; what the interrupted route says goes nowhere
        if message["type"] == "http.response.start":
            self.started = True
            if not self.complete:  # the body was not read: close rather than read it now
                message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
        await self._send(message)


_CLOSE = (b"connection", b"close")


class LimitsMiddleware:
    """Pure ASGI middleware (bodies are never buffered here) enforcing the limits above."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: Settings,
        limiter: RateLimiter,
        authenticate: Authenticator | None,
    ) -> None:
        self.app = app
        self.policies = policies(settings)
        self.limiter = limiter
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        token = bearer(headers.get("authorization"))
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length_header = headers.get("content-length", "")
        length = int(length_header) if length_header.isdigit() else None
        has_body = chunked or bool(length)
        try:
            self.limiter.charge_address(address)
            if token:
                self.limiter.charge_token(token)
        except ComputegovError as exc:
            if has_body:
                await _refuse(exc, scope, receive, send)
            else:
                await error_response(exc)(scope, receive, send)
            return
        if not has_body:
            await self.app(scope, receive, send)
            return
        guard = _BodyGuard(
            self, _Request(address, token, None if chunked else length), scope, receive, send
        )
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            if guard.answered:
                return  # the route failed because the guard refused its body, as it should
            raise


def install_limits(
    app: FastAPI, settings: Settings, authenticate: Authenticator | None = None
) -> RateLimiter:
    """Add the limits middleware to `app` (one rate limiter per app, in this process).

    `authenticate` checks the bearer token of every request that carries a body (except on
    tokenless routes) before the body is read; None for a server that takes no tokens."""
    limiter = RateLimiter(Rates.from_settings(settings))
    app.state.rate_limiter = limiter
    app.add_middleware(
        LimitsMiddleware,
        settings=settings,
        limiter=limiter,
        authenticate=authenticate,
    )
    return limiter
