"""Routes for license applications, their review and KYC attestations (mutations signed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import (
    add_signed_record_route,
    add_signed_route,
    bearer_token,
    store_of,
)
from computegov.api.lists import Format, Limit, Offset, list_response, wants_csv
from computegov.registry.actions import ActionContext, ActionResult, scopes_for
from computegov.registry.licensing import applications, decisions, kyc
from computegov.registry.licensing.queue import queue_item, queue_row
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["licensing"])
Token = Annotated[str | None, Depends(bearer_token)]
AppId = Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")]


add_signed_route(
    router,
    "/license-applications",
    "license.apply",
    applications.apply_license,
    201,
    "Apply for an export license (`license.apply`): the parties, destination, classification, "
    "models, quantity and value in USD, end use, letter of explanation, the units of the "
    "product already shipped, the instruments applied under and a field for each "
    "certification they ask. The registry evaluates it on receipt (instruments fired, review "
    "policy of each, its own evidence beside each certification); a gap between its counts "
    "and the certified ones is flagged for the regulator, never refused. Visible only to the "
    "applicant and the regulators of the licensing jurisdiction.",
)
add_signed_route(
    router,
    "/kyc-attestations",
    "kyc.attest",
    kyc.attest,
    201,
    "Attest your know-your-customer procedures against unauthorised remote access "
    "(`kyc.attest`, body `statement`); current for 12 months. An application's evaluation "
    "looks for a current one of its ultimate consignee.",
)


def _add_step_route(
    suffix: str, type: str, handler: Callable[[ActionContext], ActionResult], doc: str
) -> None:
    """`POST /license-applications/{id}/<suffix>`: the signed body names the same application
    in `application_id`."""
    path = f"/license-applications/{{record_id}}/{suffix}"
    add_signed_record_route(router, path, type, handler, 200, doc, field="application_id")


_add_step_route(
    "decision",
    "license.decide",
    decisions.decide,
    "A regulator's step on an application (`license.decide`; a regulator of its "
    "jurisdiction): `refer` (agencies), `approve` (riders, valid_until), `approve_in_part` "
    "(lower quantity or value_usd), `intent_to_deny` (the applicant has 20 days to answer), "
    "`deny` (after the answer or the 20 days), `return` without action, `appeal_decision` "
    "(upheld or remanded). An approval grants an export license (201, `license`). A step the "
    "application's state does not allow: 422 `step_not_allowed`.",
)
_add_step_route(
    "answer",
    "license.answer",
    decisions.answer,
    "The applicant's answer to an intent to deny (`license.answer`, body `text`), until "
    "`respond_by`.",
)
_add_step_route(
    "appeal",
    "license.appeal",
    decisions.appeal,
    "The applicant's appeal of a denial (`license.appeal`, body `reason`), within 45 days.",
)


@router.get("/license-applications")
def list_applications(
    request: Request,
    token: Token,
    status: Annotated[
        str | None,
        Query(
            pattern="^(submitted|referred|intent_to_deny|approved|approved_in_part|denied|"
            "returned)$"
        ),
    ] = None,
    pending: Annotated[bool, Query(description="only those awaiting a step")] = False,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """The applications the caller may see, oldest first, each with the registry's
    evaluation beside it: a regulator's queue (its jurisdiction's), an applicant's own.
    `pending=true` keeps those awaiting a step; `?format=csv` gives one flat row each."""
    with reader_session(store_of(request), token, "application.read", "license-applications") as (
        session,
        reader,
    ):
        scopes_for(reader, "application.read")
        rows = applications.visible_applications(session, reader, status=status, pending=pending)
        items = [
            queue_item(applications.application_dict(app, reader))
            for app in rows[offset : offset + limit]
        ]
        applications.name_applications(session, items)
    shown = [queue_row(item) for item in items] if wants_csv(request) else items
    return list_response(
        request,
        total=len(rows),
        items=shown,
        limit=limit,
        offset=offset,
        name="license-applications",
    )


@router.get("/license-applications/{application_id}")
def show_application(request: Request, application_id: AppId, token: Token) -> dict[str, Any]:
    """One application with its form, evaluation and every step of its review; 404 for one
    the caller may not see."""
    with reader_session(store_of(request), token, "application.read", application_id) as (
        session,
        reader,
    ):
        scopes_for(reader, "application.read")
        app = applications.readable_application(session, reader, application_id)
        return queue_item(applications.named_application(session, app, reader))


@router.get("/kyc-attestations")
def list_attestations(
    request: Request,
    token: Token,
    limit: Limit = 100,
    offset: Offset = 0,
    format: Format = None,
) -> Response:
    """KYC attestations the caller may see (its own; a regulator's: of parties in its
    jurisdiction), newest first, with whether each is current."""
    store = store_of(request)
    with reader_session(store, token, "kyc.read", "kyc-attestations") as (session, reader):
        scopes_for(reader, "kyc.read")
        rows = kyc.visible_attestations(session, reader, store.clock.now())
    return list_response(
        request,
        total=len(rows),
        items=rows[offset : offset + limit],
        limit=limit,
        offset=offset,
        name="kyc-attestations",
    )
