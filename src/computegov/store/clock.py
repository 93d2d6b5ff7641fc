"""The one clock the server trusts: injectable so tests and the demo can move time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

from computegov.instants import as_utc, utcnow


class Clock(Protocol):
    """Anything that tells the current instant (an aware UTC datetime)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return utcnow()


class ManualClock:
    """A clock that only moves when told to (tests, demos)."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        """Jump to `instant`."""
        with self._lock:
            self._now = as_utc(instant)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        with self._lock:
            self._now = self._now + delta
