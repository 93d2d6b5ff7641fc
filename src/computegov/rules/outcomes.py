"""What a license decision is made of: the instruments that fired and the exceptions open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRESUMPTION_OF_DENIAL = "presumption of denial"
CASE_BY_CASE = "case-by-case"
PRESUMPTION_OF_APPROVAL = "presumption of approval"
#: The review policies an instrument can set for an application.
REVIEW_POLICIES: tuple[str, ...] = (PRESUMPTION_OF_DENIAL, CASE_BY_CASE, PRESUMPTION_OF_APPROVAL)


@dataclass(frozen=True)
class Fired:
    """One instrument that requires a license for this export, and why; `jurisdiction` is
    who administers it, whose regulator alone can license the export under it.

    `review` is the policy an application under it is reviewed with for this item,
    destination and origin (one of `REVIEW_POLICIES`); `review_rule` is the instrument that
    set that policy (the instrument itself unless an amendment changed it, such as
    `bis-2026-01-review` for the 2023 rule); `conditions` are what would change it (the
    certifications that make it case-by-case), empty where nothing would.
    """

    rule: str
    citation: str
    reason: str
    review: str
    jurisdiction: str
    review_rule: str = ""
    conditions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.review not in REVIEW_POLICIES:
            raise ValueError(
                f"{self.rule}: review policy {self.review!r} is not one of "
                f"{', '.join(REVIEW_POLICIES)}"
            )
        if not self.review_rule:
            object.__setattr__(self, "review_rule", self.rule)
        object.__setattr__(self, "conditions", tuple(self.conditions))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: `review` stays the policy string; `review_rule` and `conditions` beside."""
        return {
            "rule": self.rule,
            "jurisdiction": self.jurisdiction,
            "citation": self.citation,
            "reason": self.reason,
            "review": self.review,
            "review_rule": self.review_rule,
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class LicenseException:
    """A license exception that could authorize the export, under which rule and why."""

    name: str
    rule: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "rule": self.rule, "reason": self.reason}
