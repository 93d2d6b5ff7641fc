"""A license's terms beyond licensee, consignee, destination, models and quantity, as
`licenses issue` states them: its value in US dollars, its validity period, the riders it
was approved with, the other parties it names, its end-use period and the instruments it
was granted under; and which riders the registry checks.

Riders are `[{"id", "text", "value"?}]`. The ids in `RIDERS` are the registry's checkable
vocabulary; a rider with any other id is a condition in words: shown with the license
(`checked: false`) and never enforced by the registry.

- `max_chips_per_shipment` (value: a whole number >= 1): one transfer draws at most that
  many chips from the license (`license_rider`);
- `max_value_per_shipment_usd` (value: whole US dollars >= 1): one transfer draws at most
  that much value from the license (`license_rider`);
- `no_reexport` (no value): a chip that moved under the license (a completed transfer that
  cited it) leaves the license's destination country again only under a license of the
  same jurisdiction (`license_rider`, checked on the later transfer, whoever declares it),
  while the license's end-use condition lasts (`end_use_until`; None: the chip's life).

Named parties are `[{"role", "party_id"}]` with role `purchaser`, `intermediate_consignee` or
`end_user` (the parties form BIS-748P names besides applicant and ultimate consignee). A
transfer under the license goes to its consignee or to an intermediate consignee it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from computegov.errors import InvalidInput
from computegov.registry.bodies import Body

#: The most riders and named parties one license may carry.
MAX_RIDERS = 50
MAX_NAMED_PARTIES = 50
#: The most a license may be worth (whole US dollars): ten trillion, well above any shipment.
MAX_VALUE_USD = 10_000_000_000_000
#: Roles a license names parties in, besides licensee and (ultimate) consignee.
NAMED_ROLES = ("purchaser", "intermediate_consignee", "end_user")


@dataclass(frozen=True)
class RiderKind:
    """A rider the registry checks: what it means and whether it takes a value."""

    id: str
    takes_value: bool
    meaning: str


RIDERS: dict[str, RiderKind] = {
    kind.id: kind
    for kind in (
        RiderKind(
            "max_chips_per_shipment",
            True,
            "one transfer draws at most `value` chips from the license",
        ),
        RiderKind(
            "max_value_per_shipment_usd",
            True,
            "one transfer draws at most `value` US dollars from the license",
        ),
        RiderKind(
            "no_reexport",
            False,
            "a chip that moved under the license leaves its destination country again only "
            "under a license of the same jurisdiction",
        ),
    )
}


class Rider(Body):
    id: str = Field(min_length=1, max_length=64)
    text: str = Field(default="", max_length=4000)
    value: int | None = Field(default=None, ge=1, le=MAX_VALUE_USD)


class NamedParty(Body):
    role: str
    party_id: str = Field(min_length=1, max_length=64)


def checked_riders(riders: list[Rider]) -> list[dict[str, Any]]:
    """The riders as stored: each checkable one validated (a value where it takes one, none
    where it does not), ids unique."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for rider in riders:
        if rider.id in seen:
            raise InvalidInput(f"rider {rider.id!r} is given twice; give each rider once")
        seen.add(rider.id)
        kind = RIDERS.get(rider.id)
        if kind is not None and kind.takes_value and rider.value is None:
            raise InvalidInput(f"rider {rider.id!r} takes a `value`: {kind.meaning}")
        if kind is not None and not kind.takes_value and rider.value is not None:
            raise InvalidInput(f"rider {rider.id!r} takes no `value`: {kind.meaning}")
        if kind is None and rider.value is not None:
            raise InvalidInput(
                f"rider {rider.id!r} is not one the registry checks "
                f"({', '.join(sorted(RIDERS))}); a rider in words takes no `value`"
            )
        if kind is None and not rider.text.strip():
            raise InvalidInput(f"rider {rider.id!r} is not one the registry checks: give its text")
        stored: dict[str, Any] = {
            "id": rider.id,
            "text": rider.text or (kind.meaning if kind else ""),
        }
        if rider.value is not None:
            stored["value"] = rider.value
        out.append(stored)
    return out


def rider_view(rider: dict[str, Any]) -> dict[str, Any]:
    """A stored rider as shown: with `checked`, whether the registry enforces it (a rider of
    the vocabulary, with a value where it takes one: an approval's riders are in words)."""
    kind = RIDERS.get(str(rider.get("id")))
    checked = kind is not None and (not kind.takes_value or rider.get("value") is not None)
    return {**rider, "checked": checked}


def rider_value(riders: list[dict[str, Any]], rider_id: str) -> int | None:
    """The value of a checkable rider the license carries (None: it does not carry it)."""
    for rider in riders or ():
        if rider.get("id") == rider_id:
            value = rider.get("value")
            return int(value) if value is not None else None
    return None


def has_rider(riders: list[dict[str, Any]], rider_id: str) -> bool:
    return any(rider.get("id") == rider_id for rider in riders or ())


def named_ids(named: list[dict[str, Any]], role: str) -> set[str]:
    """The ids of the parties a license names in `role`."""
    return {str(p["party_id"]) for p in named or () if p.get("role") == role}
