"""What the registry finds when an application arrives: the instruments that fire, the review
policy of each, and its own evidence beside each certification.

For each model applied for, `rules.license_required` is asked at receipt time with the
destination, the ultimate consignee's ultimate parent's headquarters and the origin: where
the applicant's chips of that model are (the United States when it holds any there, else the
country where it holds most; unknown when it holds none). Beside each certification the
instruments ask, by its `registry_check`:

- `china_volume_share` (per model, the product): the registry's count of chips of the model
  shipped to China and Macau (distinct chips received there by completed transfers from
  outside CN and MO, plus what is left of active licenses to CN or MO that list the model)
  against the count shipped to customers in the United States for end use there (distinct
  chips received in the US by completed transfers to a party located in the US outside the
  chip's maker's corporate group, and still in the US with a holder outside that group: a
  chip bounced through the maker's own subsidiary or taken back is no customer's, and one
  exported since was not for end use in the US), over the window of `thresholds.csv`
  (`china_share_window_days` where given; else all shipments to date, as the rule names no
  period), beside the applicant's certified figures. A gap beyond `china_share_tolerance`
  (`terms`) on either figure, or a share over `china_share_max` by either count, is a
  discrepancy: evidence for the officer, flagged as `certification_discrepancy` for the
  licensing regulator, never a refusal. The count also shows the share once this
  application's quantity is added.
- `origin_us`: how many of the applicant's chips of each model are in the United States.
- `consignee_kyc`: the ultimate consignee's current attestation (`licensing.kyc`), if any.
- `screening`: standing screening matches, in reach of this export, of any party named.
- `lab_report`: checked per shipment, when a transfer under the license is declared.

A certification the registry cannot check is listed as the applicant's word.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from computegov.catalog import get_chip
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import MOVABLE, canonical_model
from computegov.registry.custody.flags import parent_chain
from computegov.registry.custody.models import Transfer, TransferChip
from computegov.registry.flags.service import flag_dicts, open_flag
from computegov.registry.licensing.kyc import current_attestation, kyc_dict
from computegov.registry.licensing.models import ExportLicense, LicenseApplication
from computegov.registry.licensing.terms import term
from computegov.registry.parties.models import Party
from computegov.registry.parties.screening import matches_in_reach
from computegov.rules import classify, license_required, threshold
from computegov.rules.reach import controlling_jurisdictions

SHARE_RULE = "bis-2026-01-review"
CHINA = ("CN", "MO")
DISCREPANCY = "certification_discrepancy"


def _holdings(session: Session, party_id: str, model: str) -> Counter[str]:
    """Chips of `model` the party holds (in stock or installed), by country."""
    rows = session.execute(
        sa.select(Chip.model, Chip.country, sa.func.count())
        .where(Chip.custodian_id == party_id, Chip.status.in_(MOVABLE))
        .group_by(Chip.model, Chip.country)
    ).all()
    held: Counter[str] = Counter()
    for name, country, count in rows:
        if canonical_model(name) == model:
            held[country] += count
    return held


def _origin(held: Counter[str]) -> str | None:
    if held.get("US"):
        return "US"
    return held.most_common(1)[0][0] if held else None


def _window_start(now: datetime) -> datetime | None:
    try:
        return now - timedelta(days=threshold(SHARE_RULE, "china_share_window_days"))
    except KeyError:
        return None


def _aliases(session: Session, model: str) -> list[str]:
    names = session.scalars(sa.select(Chip.model).distinct()).all()
    return [name for name in names if canonical_model(name) == model]


class _GroupOf:
    """A party's corporate group: the id of its ultimate parent (itself without one), each
    party's looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, str] = {}

    def __call__(self, party_id: str) -> str:
        if party_id not in self.known:
            party = self.session.get(Party, party_id)
            chain = parent_chain(self.session, party) if party is not None else []
            self.known[party_id] = chain[-1]["id"] if chain else party_id
        return self.known[party_id]


def registry_counts(session: Session, model: str, now: datetime) -> dict[str, Any]:
    """The registry's own counts of the product shipped to CN/MO and to US customers (see the
    module doc), with the parties whose records they come from."""
    since = _window_start(now)
    names = _aliases(session, model)
    receiver = aliased(Party)
    query = (
        sa.select(
            Chip.id,
            Chip.manufacturer_id,
            Chip.custodian_id,
            Chip.country,
            Transfer.receiver_id,
            Transfer.origin_country,
            Transfer.destination_country,
            receiver.country,
        )
        .join(TransferChip, TransferChip.chip_id == Chip.id)
        .join(Transfer, Transfer.id == TransferChip.transfer_id)
        .join(receiver, receiver.id == Transfer.receiver_id)
        .where(
            Chip.model.in_(names),
            Transfer.status == "completed",
            Transfer.closed_at <= now,
            Transfer.destination_country.in_(("US", *CHINA)),
        )
    )
    if since is not None:
        query = query.where(Transfer.closed_at >= since)
    china: set[str] = set()
    us: set[str] = set()
    parties: set[str] = set()
    group = _GroupOf(session)
    rows = session.execute(query).all()
    for chip, maker, holder, now_in, to, origin, destination, located in rows:
        if destination in CHINA and origin not in CHINA:
            china.add(chip)
            parties.add(maker)
        elif (
            destination == "US"
            and located == "US"
            and now_in == "US"
            and group(maker) not in (group(to), group(holder))
        ):
            us.add(chip)
            parties.add(maker)
    licensed = 0
    for lic in session.scalars(
        sa.select(ExportLicense).where(
            ExportLicense.destination.in_(CHINA),
            ExportLicense.status == "active",
            ExportLicense.expires_at > now,
        )
    ):
        if model in {canonical_model(m) for m in lic.models}:
            licensed += max(lic.quantity - lic.used, 0)
            parties.add(lic.licensee_id)
    return {
        "window_from": to_wire(since) if since else None,
        "window_to": to_wire(now),
        "shipped_china_macau": len(china),
        "licensed_outstanding_china_macau": licensed,
        "china_macau": len(china) + licensed,
        "us": len(us),
        # Whose records the counts draw on: the makers of the chips counted and the licensees
        # of the licenses counted (the applicant sees the counts only when it is all of them).
        "parties": sorted(parties),
    }


def _share(china: int, us: int) -> float | None:
    if us == 0:
        return None if china == 0 else float("inf")
    return china / us


def _wire_share(share: float | None) -> float | str | None:
    return "unbounded" if share == float("inf") else share


def china_volume(
    session: Session, model: str, certified: dict[str, int], quantity: int, now: datetime
) -> dict[str, Any]:
    """The 50% condition for one product: the registry's counts beside the certified ones,
    and each discrepancy between them (see the module doc)."""
    limit = threshold(SHARE_RULE, "china_share_max")
    tolerance = term("china_share_tolerance")
    counts = registry_counts(session, model, now)
    ours = _share(counts["china_macau"], counts["us"])
    theirs = _share(certified["china_macau"], certified["us"])
    with_this = _share(counts["china_macau"] + quantity, counts["us"])
    found = []
    for side in ("us", "china_macau"):
        registry, stated = counts[side], certified[side]
        larger = max(registry, stated)
        if larger and abs(registry - stated) / larger > tolerance:
            found.append(
                {
                    "kind": f"{side}_count_gap",
                    "detail": f"the registry counts {registry} {model} shipped "
                    f"{'to US customers' if side == 'us' else 'to China and Macau'}; the "
                    f"applicant certified {stated} (tolerance {tolerance:.0%})",
                }
            )
    if ours is not None and ours > limit:
        found.append(
            {
                "kind": "registry_share_over_max",
                "detail": f"by the registry's count, {counts['china_macau']} to China and Macau "
                f"is more than {limit:.0%} of {counts['us']} to US customers",
            }
        )
    if theirs is not None and theirs > limit:
        found.append(
            {
                "kind": "certified_share_over_max",
                "detail": f"by the certified figures, {certified['china_macau']} to China and "
                f"Macau is more than {limit:.0%} of {certified['us']} to US customers",
            }
        )
    return {
        "model": model,
        "status": "discrepancy" if found else "consistent",
        "share_max": limit,
        "tolerance": tolerance,
        "registry": {**counts, "share": _wire_share(ours)},
        "certified": {**certified, "share": _wire_share(theirs)},
        "share_with_application": _wire_share(with_this),
        "discrepancies": found,
    }


def _screening(
    session: Session,
    applicant: Party,
    parties: dict[str, list[Party]],
    origin: str,
    destination: str,
    models: list[str],
    now: datetime,
) -> dict[str, Any]:
    controls: dict[str, list[str]] = {}
    for model in models:
        for country, rules in controlling_jurisdictions(get_chip(model), now).items():
            controls.setdefault(country, []).extend(rules)
    matches = []
    for role, named in parties.items():
        for party in named:
            for match in matches_in_reach(
                session,
                party,
                sender=applicant,
                origin=origin,
                destination=destination,
                controls=controls,
                on=now,  # a listed owner's match reaches affiliates while that rule is in force
            ):
                entry = (match.flag.evidence or {}).get("entry", {})
                matches.append(
                    {
                        "role": role,
                        "party_id": party.id,
                        "flag_id": match.flag.id,
                        "entry": entry.get("name"),
                        "list_id": match.listed.id,
                        "list": match.listed.name,
                        "affiliate_of": match.via,
                    }
                )
    return {"status": "match" if matches else "clear", "matches": matches}


def evaluate(
    ctx: ActionContext,
    form: dict[str, Any],
    parties: dict[str, list[Party]],
    asked: list[dict[str, Any]],
) -> dict[str, Any]:
    """The evaluation of an application on receipt (JSON-ready; see the module doc)."""
    session, now = ctx.session, ctx.now
    destination, quantity = form["destination"], form["quantity"]
    [consignee] = parties["ultimate_consignee"]
    chain = parent_chain(session, consignee)
    hq = chain[-1]["hq_country"] if chain else None
    models: dict[str, Any] = {}
    for model in form["models"]:
        held = _holdings(session, ctx.party.id, model)
        origin = _origin(held)
        chip = get_chip(model)
        decision = license_required(
            chip, destination, on=now, end_user_hq=hq, quantity=quantity, origin=origin
        )
        models[model] = {
            "eccn": classify(chip, on=now).eccn,
            "origin": origin,
            "held_by_country": dict(sorted(held.items())),
            "license_required": decision.license_required,
            "fired": [f.to_dict() for f in decision.fired],
            "notes": list(decision.notes),
        }
    fired = sorted({f["rule"] for m in models.values() for f in m["fired"]})
    reviewed = sorted({f["review_rule"] for m in models.values() for f in m["fired"]})
    origins = {m["origin"] for m in models.values()}
    origin = "US" if "US" in origins else next((o for o in origins if o), destination)
    screening = _screening(session, ctx.party, parties, origin, destination, form["models"], now)
    kyc = current_attestation(session, consignee.id, now)
    certs = []
    for cert in asked:
        check = cert["registry_check"]
        evidence: Any = None
        status = "applicant_word"
        if check == "china_volume_share":
            evidence = [
                china_volume(session, m, form["us_units_shipped"], quantity, now)
                for m in form["models"]
            ]
            bad = any(e["status"] == "discrepancy" for e in evidence)
            status = "discrepancy" if bad else "consistent"
        elif check == "origin_us":
            evidence = {m: models[m]["held_by_country"].get("US", 0) for m in form["models"]}
            status = "in_us" if sum(evidence.values()) >= quantity else "short"
        elif check == "consignee_kyc":
            evidence = kyc_dict(kyc, now) if kyc else None
            status = "on_file" if kyc else "missing"
        elif check == "screening":
            evidence, status = screening, screening["status"]
        elif check == "lab_report":
            status = "checked_per_shipment"
        certs.append({**cert, "certified": True, "status": status, "evidence": evidence})
    return {
        "on": to_wire(now),
        "destination": destination,
        "end_user_hq": hq,
        "parent_chain": chain,
        "license_required": any(m["license_required"] for m in models.values()),
        "instruments_fired": fired,
        "review_rules": reviewed,
        "not_fired": sorted(set(form["instruments"]) - set(fired) - set(reviewed)),
        "models": models,
        "screening": screening,
        "certifications": certs,
        "discrepancies": [
            d
            for c in certs
            if c["registry_check"] == "china_volume_share"
            for e in c["evidence"]
            for d in e["discrepancies"]
        ],
    }


def flag_discrepancy(ctx: ActionContext, app: LicenseApplication) -> list[dict[str, Any]]:
    """Raise `certification_discrepancy` for the licensing regulator where the evaluation
    found one; the application itself goes on to review."""
    found = app.evaluation.get("discrepancies") or []
    if not found:
        return []
    evidence = {
        "application_id": app.id,
        "applicant_id": app.applicant_id,
        "certification": "china_volume_share",
        "discrepancies": found,
        "on": to_wire(ctx.now),
    }
    flag = open_flag(
        ctx.session,
        DISCREPANCY,
        ("application", app.id),
        evidence,
        [app.jurisdiction],
        ctx.now,
        party_id=app.applicant_id,
    )
    # As the applicant sees it: without the registry's counts drawn from others' records.
    return flag_dicts(ctx.session, [flag], ctx.party)


def shown_to(app: LicenseApplication, reader: Party) -> dict[str, Any]:
    """The evaluation as `reader` sees it: a regulator all of it; the applicant without the
    registry's counts (and what is derived from them) where they draw on other parties'
    records (makers of the chips counted, licensees of the licenses counted): only the
    officer sees those."""
    evaluation = dict(app.evaluation)
    if reader.id != app.applicant_id:
        return evaluation
    certs, shown_gaps = [], []
    for cert in evaluation.get("certifications", []):
        if cert["registry_check"] == "china_volume_share" and cert["evidence"]:
            items = []
            for item in cert["evidence"]:
                if set(item["registry"]["parties"]) - {app.applicant_id}:
                    item = {
                        "model": item["model"],
                        "status": "withheld",
                        "share_max": item["share_max"],
                        "certified": item["certified"],
                        "withheld": "the registry's count draws on other parties' records; "
                        "the licensing regulator sees it",
                    }
                else:
                    shown_gaps.extend(item["discrepancies"])
                items.append(item)
            statuses = {i["status"] for i in items}
            status = "withheld" if "withheld" in statuses else cert["status"]
            cert = {**cert, "evidence": items, "status": status}
        certs.append(cert)
    evaluation["certifications"] = certs
    evaluation["discrepancies"] = shown_gaps
    return evaluation
