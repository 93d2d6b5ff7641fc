"""Routes for a license's status (suspend, revoke, reinstate) and for test labs' reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from computegov.api.deps import (
    add_signed_record_route,
    add_signed_route,
    bearer_token,
    store_of,
)
from computegov.api.lists import Limit, Offset
from computegov.registry.actions import ActionContext, ActionResult, authorize
from computegov.registry.custody.common import page
from computegov.registry.licensing import labs
from computegov.registry.licensing import status as license_status
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["custody"])
Token = Annotated[str | None, Depends(bearer_token)]


def _add_status_route(
    verb: str, handler: Callable[[ActionContext], ActionResult], doc: str
) -> None:
    """`POST /licenses/{id}/<verb>`: the signed body names the same license in `license_id`."""
    path = f"/licenses/{{record_id}}/{verb}"
    add_signed_record_route(router, path, f"license.{verb}", handler, 200, doc, field="license_id")


_add_status_route(
    "suspend",
    license_status.suspend_license,
    "Suspend an active export license (`license.suspend`; body `license_id`, `reason`): a "
    "regulator of its jurisdiction. Its pending transfers are cancelled: chips back to the "
    "sender, chips and value back to the licenses they drew on.",
)
_add_status_route(
    "revoke",
    license_status.revoke_license,
    "Revoke an export license for good (`license.revoke`; body `license_id`, `reason`): a "
    "regulator of its jurisdiction. Its pending transfers are cancelled.",
)
_add_status_route(
    "reinstate",
    license_status.reinstate_license,
    "Reinstate a suspended export license (`license.reinstate`; body `license_id`, `reason`): "
    "a regulator of its jurisdiction. A revoked license stays revoked.",
)
add_signed_route(
    router,
    "/lab-reports",
    "lab.report",
    labs.file_report,
    201,
    "File a test lab's report on chips it reviewed before a shipment (`lab.report`; body "
    "`chips`, `reviewed_at`, optional `license_id` and `findings`): a `test_lab` party.",
)


@router.get("/lab-reports")
def list_reports(
    request: Request, token: Token, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Lab reports the caller may see: a lab's own; a licensee's or regulator's, those cited
    by transfers under their licenses."""
    with reader_session(store_of(request), token, "lab.report.read", "lab-reports") as (
        session,
        reader,
    ):
        return page(labs.visible_reports(session, reader), limit, offset)


@router.get("/lab-reports/{report_id}")
def show_report(request: Request, report_id: str, token: Token) -> dict[str, Any]:
    """One lab report with the chips it lists."""
    with reader_session(store_of(request), token, "lab.report.read", report_id) as (
        session,
        reader,
    ):
        report = labs.get_report(session, report_id)
        authorize(session, reader, "lab.report.read", labs.report_resource(session, report))
        return labs.report_dict(report, labs.report_chips(session, report.id))
