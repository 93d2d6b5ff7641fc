"""Routes for a license's status (suspend, revoke, reinstate) and for test labs' reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from computegov.api.deps import (
    DryRun,
    IdempotencyKey,
    IJsonBody,
    SignedEnvelopeIn,
    act,
    add_signed_route,
    bearer_token,
    store_of,
)
from computegov.api.lists import Limit, Offset
from computegov.errors import InvalidInput
from computegov.registry.actions import ActionContext, ActionResult, authorize
from computegov.registry.custody.common import page
from computegov.registry.licensing import labs
from computegov.registry.licensing import status as license_status
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["custody"])
Token = Annotated[str | None, Depends(bearer_token)]


def _for_license(
    license_id: str, handler: Callable[[ActionContext], ActionResult]
) -> Callable[[ActionContext], ActionResult]:
    """The handler, once the signed body names the license the path names."""

    def checked(ctx: ActionContext) -> ActionResult:
        if ctx.body.get("license_id") != license_id:
            raise InvalidInput(
                f"the signed body names license {ctx.body.get('license_id')!r}, the path "
                f"{license_id!r}: sign the license you act on",
                reason="path_mismatch",
            )
        return handler(ctx)

    return checked


def _add_status_route(
    verb: str, handler: Callable[[ActionContext], ActionResult], doc: str
) -> None:
    type = f"license.{verb}"

    def endpoint(
        request: Request,
        license_id: str,
        signed: SignedEnvelopeIn,
        token: Token,
        idempotency_key: IdempotencyKey = None,
        dry_run: DryRun = False,
    ) -> JSONResponse:
        return act(
            request,
            signed,
            type=type,
            handler=_for_license(license_id, handler),
            token=token,
            idempotency_key=idempotency_key,
            dry_run=dry_run,
        )

    endpoint.__doc__ = doc
    endpoint.__name__ = type.replace(".", "_")
    router.add_api_route(
        f"/licenses/{{license_id}}/{verb}",
        endpoint,
        methods=["POST"],
        status_code=200,
        dependencies=[IJsonBody],
    )


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
