"""The exceptions every layer shares, so that the CLI and the API can render them alike.

Each class carries the HTTP status and problem `type` slug it is rendered with (RFC 9457),
and keyword arguments become extra members of the problem object (`reason`, `fired`, ...).
"""

from __future__ import annotations

from typing import Any


class ComputegovError(Exception):
    """Base of every error computegov raises on purpose."""

    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(ComputegovError, ValueError):
    """Input a user gave is wrong; the message says what was wrong and what would be accepted."""

    status = 400
    slug = "invalid-input"
    title = "Invalid input"


class NotFound(InvalidInput):
    """A named thing (a chip model, a rule, a party) does not exist."""

    status = 404
    slug = "not-found"
    title = "Not found"


class Unauthenticated(ComputegovError):
    """No valid token, or a signature that does not prove who acted."""

    status = 401
    slug = "unauthenticated"
    title = "Unauthenticated"


class Forbidden(ComputegovError):
    """The actor is known but the access matrix does not allow the action."""

    status = 403
    slug = "forbidden"
    title = "Forbidden"


class Conflict(ComputegovError):
    """The request conflicts with the registry's state (a duplicate, a reused key)."""

    status = 409
    slug = "conflict"
    title = "Conflict"


class Refused(ComputegovError):
    """A rule refuses the action (a license is required, a receiver is screened)."""

    status = 422
    slug = "refused"
    title = "Refused by rule"


class RequestTimeout(ComputegovError):
    """A request's head or body did not arrive within the server's deadline."""

    status = 408
    slug = "request-timeout"
    title = "Request timeout"


class PayloadTooLarge(ComputegovError):
    """A request body is larger than its route accepts."""

    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class TooManyRequests(ComputegovError):
    """A rate limit was reached; `retry_after` says in how many seconds to try again."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"


class Gone(NotFound):
    """A named thing existed and was erased on purpose (a record past its retention period)."""

    status = 410
    slug = "gone"
    title = "Gone"
