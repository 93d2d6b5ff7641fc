"""Instants in UTC: parsing what people type and writing what goes on the wire."""

from __future__ import annotations

from datetime import UTC, date, datetime

from computegov.errors import InvalidInput


def parse_instant(text: str) -> datetime:
    """Parse `YYYY-MM-DD` (midnight UTC) or an ISO 8601 instant; naive times are taken as UTC."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), datetime.min.time(), tzinfo=UTC)
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"not a date: {text!r}; use YYYY-MM-DD or an ISO 8601 instant such as "
            "2025-01-13T00:00:00Z"
        ) from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first instant there is
        raise InvalidInput(f"not a representable instant: {text!r}") from None


def as_utc(value: datetime | date) -> datetime:
    """An aware UTC datetime from a datetime (naive = UTC) or a date (midnight UTC)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_wire(value: datetime) -> str:
    """UTC ISO 8601 with a `Z`, second precision unless the instant has microseconds."""
    utc = as_utc(value)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def utcnow() -> datetime:
    """The wall clock in UTC; code that enforces rules takes a `Clock` instead."""
    return datetime.now(UTC)
