"""A regulator suspends, reinstates or revokes an export license (`license.suspend`,
`license.reinstate`, `license.revoke`), giving a reason; each is a signed action and a
ledger entry.

Only a regulator of the license's jurisdiction acts on it (the access matrix decides on the
license's jurisdiction as its country, so a regulator of its destination alone cannot). A
suspended or revoked license authorizes no shipment: the transfers declared under it and not
yet confirmed can no longer be confirmed, so they are cancelled in the same action (chips back
to the sender as they were, chips and value back to every license they drew on:
`custody.release`). A suspended license may be reinstated; a revoked one stays revoked.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from computegov.errors import Refused
from computegov.identity.access import Resource
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.custody.release import pending_under, release
from computegov.registry.licensing.models import ExportLicense
from computegov.registry.licensing.service import get_license, named_license


class LicenseStatusChange(Body):
    license_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


#: action -> (the statuses it acts on, the status it leaves)
CHANGES = {
    "license.suspend": (("active",), "suspended"),
    "license.revoke": (("active", "suspended"), "revoked"),
    "license.reinstate": (("suspended",), "active"),
}


def status_resource(lic: ExportLicense) -> Resource:
    """A license as its status changes see it: the issuer's, in its jurisdiction."""
    return Resource(
        id=lic.id, owners=frozenset({lic.regulator_id}), countries=frozenset({lic.jurisdiction})
    )


def _change(ctx: ActionContext, action: str) -> ActionResult:
    body = parse_body(LicenseStatusChange, ctx.body)
    if not body.reason.strip():
        raise Refused("give the reason for the change", reason="reason_required")
    lic = get_license(ctx.session, body.license_id)
    ctx.authorize(action, status_resource(lic))
    before, after = CHANGES[action]
    status = lic.status or "active"
    if status not in before:
        raise Refused(
            f"license {lic.id} is {status}; {action.split('.')[1]} acts on a license that is "
            f"{' or '.join(before)}",
            reason="license_status",
            license_status=status,
        )
    lic.status = after
    lic.status_reason = body.reason.strip()
    lic.status_changed_at = ctx.now
    # Written first: the row lock makes a concurrent declaration's conditional draw-down
    # (`status = 'active'`) wait, and either it committed before (its transfer is pending
    # below, and cancelled) or it finds the license no longer active.
    ctx.session.flush()
    cancelled: list[dict[str, Any]] = []
    stamps: list[Any] = []
    subjects: list[str] = [lic.id, lic.licensee_id, lic.consignee_id]
    countries = {lic.jurisdiction, lic.destination}
    if after != "active":
        for transfer in pending_under(ctx.session, lic.id):
            details = {"license_id": lic.id, "license_status": after, "reason": lic.status_reason}
            chips, rows = release(ctx, transfer, details)
            stamps.extend(rows)
            subjects += [transfer.id, transfer.sender_id, transfer.receiver_id]
            subjects += [c.id for c in chips]
            countries |= {transfer.origin_country, transfer.destination_country}
            cancelled.append({"transfer_id": transfer.id, "chips": len(chips)})
    ctx.session.flush()
    ctx.session.refresh(lic)
    return ActionResult(
        {"license": named_license(ctx.session, lic), "cancelled_transfers": cancelled},
        200,
        list(dict.fromkeys(subjects)),
        sorted(countries),
        stamps,
    )


def suspend_license(ctx: ActionContext) -> ActionResult:
    """Suspend an active license; its pending transfers are cancelled."""
    return _change(ctx, "license.suspend")


def revoke_license(ctx: ActionContext) -> ActionResult:
    """Revoke an active or suspended license for good; its pending transfers are cancelled."""
    return _change(ctx, "license.revoke")


def reinstate_license(ctx: ActionContext) -> ActionResult:
    """Reinstate a suspended license (a revoked one stays revoked)."""
    return _change(ctx, "license.reinstate")
