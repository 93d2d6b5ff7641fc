"""The checks a transfer declaration runs, apart from custody: the receiver's screening, the
regime at receipt time, the cited licenses (each must be the sender's, for this receiver and
destination, active and valid; which of them cover what is `licensing.coverage`), the
`no_reexport` riders of licenses the chips moved under before, and the conditional updates
that take the chips and draw the licenses down so that concurrent declarations cannot both
win."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from computegov.catalog import get_chip
from computegov.errors import Conflict, Refused
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import canonical_model
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.licensing.riders import has_rider, named_ids
from computegov.registry.parties.models import Party
from computegov.registry.parties.screening import matches_in_reach
from computegov.rules import license_required
from computegov.rules.reach import controlling_jurisdictions


def refuse_screened(
    ctx: ActionContext, receiver: Party, chips: list[Chip], origin: str, destination: str
) -> None:
    """Refuse (`screened_receiver`) a receiver with a standing screening match whose list
    owner's jurisdiction reaches this transfer (see `parties.screening.matches_in_reach`),
    naming the entry, the list and why it reaches."""
    models = {canonical_model(chip.model) for chip in chips}
    controls: dict[str, list[str]] = {}
    for model in sorted(models):
        for country, rules in controlling_jurisdictions(get_chip(model), ctx.now).items():
            controls.setdefault(country, []).extend(rules)
    matches = matches_in_reach(
        ctx.session,
        receiver,
        sender=ctx.party,
        origin=origin,
        destination=destination,
        controls=controls,
        on=ctx.now,
    )
    if matches:
        match = matches[0]
        entry = (match.flag.evidence or {}).get("entry", {})
        owner = ", ".join(match.jurisdiction)
        who = f"receiver {receiver.id} ({receiver.legal_name})"
        if match.via is not None:  # the Affiliates rule: the match is a listed owner's
            who += f" {match.via['why']}: {match.via['listed_party']['id']}"
        raise Refused(
            f"{who} matches the screening list entry "
            f"{entry.get('name')!r} ({entry.get('source')}) of list {match.listed.name!r} "
            f"({match.listed.id}, owned by {match.listed.owner_id}, jurisdiction {owner}), "
            f"which reaches this transfer: {'; '.join(match.reach)}; transfers to it are refused",
            reason="screened_receiver",
            flag_id=match.flag.id,
            entry=entry,
            list={
                "id": match.listed.id,
                "name": match.listed.name,
                "owner_id": match.listed.owner_id,
                "jurisdiction": match.jurisdiction,
            },
            reach=match.reach,
            affiliate_of=match.via,
        )


def origin_of(chips: list[Chip]) -> str:
    """The one country the chips are in (a transfer leaves from one country)."""
    countries = {chip.country for chip in chips}
    if len(countries) != 1:
        raise Refused(
            f"the chips are in {', '.join(sorted(countries))}: declare one transfer per origin "
            "country",
            reason="mixed_origin",
        )
    return countries.pop()


def evaluate_regime(
    ctx: ActionContext,
    models: Counter[str],
    destination: str,
    chain: list[dict[str, Any]],
    origin: str | None = None,
) -> dict[str, Any]:
    """The regime at receipt time for each model moved, leaving from `origin` (the country the
    chips are in: it decides review policies); JSON-ready, stored on the transfer."""
    hq = chain[-1]["hq_country"] if chain else None
    per_model: dict[str, Any] = {}
    for model, count in sorted(models.items()):
        decision = license_required(
            get_chip(model), destination, on=ctx.now, end_user_hq=hq, quantity=count, origin=origin
        )
        per_model[model] = {
            "chips": count,
            "license_required": decision.license_required,
            "fired": [f.to_dict() for f in decision.fired],
            "exceptions": [e.to_dict() for e in decision.exceptions],
            "evaluated": list(decision.evaluated),
            "notes": list(decision.notes),
        }
    return {
        "on": to_wire(ctx.now),
        "origin": origin,
        "destination": destination,
        "end_user_hq": hq,
        "parent_chain": chain,
        "license_required": any(m["license_required"] for m in per_model.values()),
        "jurisdictions": sorted(
            {f["jurisdiction"] for m in per_model.values() for f in m["fired"]}
        ),
        "models": per_model,
    }


def check_status(ctx: ActionContext, lic: ExportLicense) -> None:
    """Refuse a license that is revoked (`license_revoked`), suspended (`license_suspended`),
    not yet valid (`license_not_yet_valid`) or expired (`license_expired`) at receipt time."""
    status = lic.status or "active"
    if status != "active":
        since = to_wire(lic.status_changed_at) if lic.status_changed_at else "an unknown time"
        raise Refused(
            f"license {lic.id} was {status} at {since} ({lic.status_reason or 'no reason given'}); "
            "it authorizes no shipment"
            + (
                ""
                if status == "revoked"
                else " until a regulator of its jurisdiction reinstates it"
            ),
            reason=f"license_{status}",
            license_id=lic.id,
        )
    valid_from = lic.valid_from or lic.issued_at
    if valid_from > ctx.now:
        raise Refused(
            f"license {lic.id} is valid from {to_wire(valid_from)}; the registry received this "
            f"transfer at {to_wire(ctx.now)}",
            reason="license_not_yet_valid",
            license_id=lic.id,
        )
    if lic.expires_at <= ctx.now:
        raise Refused(
            f"license {lic.id} expired at {to_wire(lic.expires_at)}; the registry received this "
            f"transfer at {to_wire(ctx.now)}",
            reason="license_expired",
            license_id=lic.id,
        )


def check_license(
    ctx: ActionContext, lic: ExportLicense, receiver: Party, destination: str, models: Counter[str]
) -> None:
    """Refuse unless `lic` may be cited for this transfer: it is active and valid now
    (`check_status`), its licensee is the sender (a license covers its named licensee only),
    the receiver is its consignee or an intermediate consignee it names, its destination is
    this one and it lists a model moved. Quantity and jurisdiction: `allocate`; value and
    riders: `draw_values`."""

    def mismatch(field: str, detail: str) -> Refused:
        return Refused(
            f"license {lic.id} does not cover this transfer: {detail}",
            reason="license_mismatch",
            field=field,
        )

    check_status(ctx, lic)
    if lic.licensee_id != ctx.party.id:
        raise mismatch("licensee", f"its licensee is {lic.licensee_id}, the sender {ctx.party.id}")
    intermediate = named_ids(lic.named_parties, "intermediate_consignee")
    if receiver.id != lic.consignee_id and receiver.id not in intermediate:
        named = f" or its intermediate consignees {', '.join(sorted(intermediate))}"
        raise mismatch(
            "consignee",
            f"its consignee is {lic.consignee_id}{named if intermediate else ''}, the receiver "
            f"{receiver.id}",
        )
    if lic.destination != destination:
        raise mismatch("destination", f"it is for {lic.destination}, the transfer to {destination}")
    licensed = {canonical_model(m) for m in lic.models}
    if not licensed & set(models):
        raise mismatch(
            "models",
            f"it lists {', '.join(sorted(licensed))}, none of {', '.join(sorted(models))}",
        )


def draw_down(ctx: ActionContext, lic: ExportLicense, n: int, value_usd: int = 0) -> None:
    """used += n and used_value_usd += value_usd only while the license is active and enough
    of both is left (a concurrent draw-down or suspension cannot overdraw it). Several
    licenses are drawn in the order of their ids, so two declarations lock them alike."""
    done = ctx.session.execute(
        sa.update(ExportLicense)
        .where(
            ExportLicense.id == lic.id,
            ExportLicense.status == "active",
            ExportLicense.used + n <= ExportLicense.quantity,
            sa.or_(
                ExportLicense.value_usd.is_(None),
                ExportLicense.used_value_usd + value_usd <= ExportLicense.value_usd,
            ),
        )
        .values(
            used=ExportLicense.used + n, used_value_usd=ExportLicense.used_value_usd + value_usd
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], done).rowcount != 1:
        ctx.session.refresh(lic)
        if (lic.status or "active") != "active":
            check_status(ctx, lic)
        raise Refused(
            f"license {lic.id} was drawn down meanwhile; too little is left",
            reason="license_exhausted",
        )
    ctx.session.refresh(lic)


def refuse_reexport(
    ctx: ActionContext, chips: list[Chip], origin: str, destination: str, cited: list[ExportLicense]
) -> None:
    """Refuse (`license_rider`, rider `no_reexport`) moving chips out of the destination of a
    license they moved under that carries `no_reexport`, while its end-use condition lasts
    (`end_use_until`; None: the chip's life), unless this transfer cites a license of that
    license's jurisdiction (so a move on which no instrument fires stays refused until then)."""
    if origin == destination:
        return
    from computegov.registry.custody.models import Transfer, TransferChip, TransferLicense

    ids = [c.id for c in chips]
    for start in range(0, len(ids), 500):
        rows = ctx.session.execute(
            sa.select(ExportLicense, TransferChip.chip_id)
            .join(TransferLicense, TransferLicense.license_id == ExportLicense.id)
            .join(Transfer, Transfer.id == TransferLicense.transfer_id)
            .join(TransferChip, TransferChip.transfer_id == Transfer.id)
            .where(
                Transfer.status == "completed", TransferChip.chip_id.in_(ids[start : start + 500])
            )
            .order_by(ExportLicense.id, TransferChip.chip_id)
        ).all()
        for lic, chip_id in rows:
            if not has_rider(lic.riders, "no_reexport") or lic.destination != origin:
                continue
            if lic.end_use_until is not None and lic.end_use_until <= ctx.now:
                continue  # the end-use condition has lapsed
            if any(c.jurisdiction == lic.jurisdiction for c in cited):
                continue
            raise Refused(
                f"chip {chip_id} moved to {lic.destination} under license {lic.id}, which carries "
                f"rider no_reexport: it leaves {lic.destination} only under a license of "
                f"{lic.jurisdiction}",
                reason="license_rider",
                rider="no_reexport",
                license_ids=[lic.id],
                chips=[chip_id],
            )


def take_chips(ctx: ActionContext, chips: list[Chip]) -> None:
    """Move the chips to in_transit iff each is still held by the declarer in the status read."""
    by_status: dict[str, list[str]] = defaultdict(list)
    for chip in chips:
        by_status[chip.status].append(chip.id)
    moved = 0
    for status, ids in by_status.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            result = ctx.session.execute(
                sa.update(Chip)
                .where(Chip.id.in_(chunk), Chip.custodian_id == ctx.party.id, Chip.status == status)
                .values(status="in_transit")
                .execution_options(synchronize_session=False)
            )
            moved += cast(CursorResult[Any], result).rowcount
    if moved != len(chips):
        raise Conflict(
            f"{len(chips) - moved} of the chips changed meanwhile (another transfer took them); "
            "nothing was declared",
            reason="concurrent_transfer",
        )
