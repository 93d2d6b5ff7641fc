"""Screening follows ownership: a listed party's screening match extends to the entities it
owns 50 percent or more while the BIS Affiliates rule is in force (`identity.affiliates`).

Ownership is the registry's parent links: each party names at most one parent and the share
of it that parent owns (`Party.parent_share`, percent). Following the rule (which counts an
entity it covers as listed for its own holdings, as Treasury's 50 percent rule does), a party
is an affiliate of a listed ancestor when every link from the party up to that ancestor is at
least the threshold (50 percent): a listed parent owning 50 percent makes its subsidiary an
affiliate, and that subsidiary's 60 percent of another makes that one an affiliate too (the
chain's product, 30 percent here, is shown as the listed party's indirect share, but does not
decide). A link without a stated share, or below the threshold, ends the chain. The registry
records one owner per party, so several listed minority owners adding up to 50 percent (the
rule's "in the aggregate") cannot be seen here; the exporter's own due diligence covers it.

A listed ancestor is one with a standing `screening_match` flag from an active list owned by a
regulator of the rule's jurisdiction (the US), for an entry from a list the rule names (the
Entity List, the Military End-User List, SDNs). While the rule is suspended, or before it, no
match extends. The rule covers foreign affiliates: a party located in the rule's own
jurisdiction is not extended to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.identity.affiliates import AffiliatesPeriod, in_force
from computegov.registry.flags.models import Flag
from computegov.registry.flags.workflow import STANDING
from computegov.registry.parties.models import Party, ScreeningList

KIND = "screening_match"
MAX_DEPTH = 64


@dataclass(frozen=True)
class Affiliation:
    """A party covered through its owners: the listed ancestor's standing match, its list,
    the ownership chain up to it and the rule's period that makes it count."""

    flag: Flag
    listed: ScreeningList
    owner: Party
    chain: list[dict[str, Any]] = field(default_factory=list)
    indirect_share: float = 100.0
    period: AffiliatesPeriod | None = None

    def evidence(self) -> dict[str, Any]:
        """What a refusal shows: the match is via ownership, by whom and through which
        shares, under which rule."""
        entry = (self.flag.evidence or {}).get("entry", {})
        shares = " x ".join(f"{link['share_percent']:g}%" for link in self.chain)
        threshold = self.period.threshold_percent if self.period else 50.0
        how = (
            f"{shares}"
            if len(self.chain) == 1
            else f"through {len(self.chain)} links of at least {threshold:g}% each ({shares})"
        )
        rule = f"the Affiliates rule ({self.period.id})" if self.period else "the Affiliates rule"
        return {
            "why": (
                f"is owned {how} by {self.owner.id} ({self.owner.legal_name}), a listed party "
                f"whose listing extends to it under {rule}"
            ),
            "listed_party": {"id": self.owner.id, "legal_name": self.owner.legal_name},
            "listed_entry": entry.get("name"),
            "listed_source": entry.get("source"),
            "direct_share_percent": self.chain[0]["share_percent"] if self.chain else None,
            "indirect_share_percent": round(self.indirect_share, 6),
            "threshold_percent": self.period.threshold_percent if self.period else None,
            "chain": self.chain,
            "rule": self.period.to_dict() if self.period else None,
        }


def _listed_matches(
    session: Session, party: Party, period: AffiliatesPeriod
) -> list[tuple[Flag, ScreeningList]]:
    """The party's standing matches that the rule extends: from an active list of a regulator
    of the rule's jurisdiction, for an entry of a list the rule names."""
    found = []
    for flag, listed, owner in session.execute(
        sa.select(Flag, ScreeningList, Party)
        .join(ScreeningList, ScreeningList.id == Flag.source_id)
        .join(Party, Party.id == ScreeningList.owner_id)
        .where(
            Flag.kind == KIND,
            Flag.subject_id == party.id,
            Flag.status.in_(STANDING),
            ScreeningList.status == "active",
        )
        .order_by(Flag.created_at, Flag.id)
    ):
        source = str((flag.evidence or {}).get("entry", {}).get("source", ""))
        if owner.role != "regulator" or period.jurisdiction not in (owner.jurisdiction or ()):
            continue
        if period.names_list(source):
            found.append((flag, listed))
    return found


def affiliations(session: Session, party: Party, at: datetime) -> list[Affiliation]:
    """Each listed ancestor whose match extends to `party` at `at` (nearest first); empty
    while the rule is not in force."""
    period = in_force(at)
    if period is None or party.country == period.jurisdiction:  # it covers foreign affiliates
        return []
    found: list[Affiliation] = []
    chain: list[dict[str, Any]] = []
    seen = {party.id}
    indirect = 100.0
    current = party
    while current.parent_id is not None and len(seen) <= MAX_DEPTH:
        share = current.parent_share
        if share is None or share < period.threshold_percent:
            break
        parent = session.get(Party, current.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        indirect = indirect * share / 100
        chain.append(
            {
                "id": current.id,
                "legal_name": current.legal_name,
                "owned_by": parent.id,
                "owned_by_name": parent.legal_name,
                "share_percent": share,
            }
        )
        for flag, listed in _listed_matches(session, parent, period):
            found.append(Affiliation(flag, listed, parent, list(chain), indirect, period))
        current = parent
    return found
