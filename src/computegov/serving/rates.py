"""Request rates per token, per address and per device key: the `limits` library, in memory.

The counters live in the server process (several worker processes each count on their own,
which docs/security.md says). A refusal carries the seconds until the window lets the next
request through, for `Retry-After`.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from computegov.errors import TooManyRequests
from computegov.store.settings import Settings


@dataclass(frozen=True)
class Rates:
    """The parsed rates of one server."""

    token: list[RateLimitItem]
    address: list[RateLimitItem]
    tokenless: list[RateLimitItem]
    device: list[RateLimitItem]

    @classmethod
    def from_settings(cls, settings: Settings) -> Rates:
        return cls(
            token=parse_many(settings.rate_limit_token),
            address=parse_many(settings.rate_limit_address),
            tokenless=parse_many(settings.rate_limit_tokenless),
            device=parse_many(settings.rate_limit_device),
        )


class RateLimiter:
    """Moving-window counters (exact: no burst at a window's edge) over one memory store."""

    def __init__(self, rates: Rates) -> None:
        self.rates = rates
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def _charge(self, items: list[RateLimitItem], what: str, *identifiers: str) -> None:
        for item in items:
            if not self._limiter.hit(item, *identifiers):
                reset = self._limiter.get_window_stats(item, *identifiers).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise TooManyRequests(
                    f"more than {item} {what}; try again in {wait} s",
                    reason="rate_limited",
                    limit=str(item),
                    retry_after=wait,
                )

    def charge_address(self, address: str) -> None:
        """One request from a client address (every request counts)."""
        self._charge(self.rates.address, "requests from one address", "address", address)

    def charge_token(self, token: str) -> None:
        """One request bearing a token (counted by the token's hash, never the token)."""
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        self._charge(self.rates.token, "requests with one token", "token", digest)

    def charge_tokenless(self, route: str, address: str) -> None:
        """One request to a route that takes no token, from one address."""
        self._charge(
            self.rates.tokenless,
            "requests to this route from one address",
            "tokenless",
            route,
            address,
        )

    def charge_device(self, route: str, device_key: str) -> None:
        """One request to a tokenless route on behalf of one device key."""
        self._charge(
            self.rates.device,
            "requests to this route for one device key",
            "device",
            route,
            device_key,
        )
