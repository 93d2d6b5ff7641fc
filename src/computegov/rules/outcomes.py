"""What a license decision is made of: the instruments that fired and the exceptions open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fired:
    """One instrument that requires a license for this export, and why; `jurisdiction` is
    who administers it, whose regulator alone can license the export under it."""

    rule: str
    citation: str
    reason: str
    review: str | None
    jurisdiction: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rule": self.rule,
            "jurisdiction": self.jurisdiction,
            "citation": self.citation,
            "reason": self.reason,
            "review": self.review,
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
