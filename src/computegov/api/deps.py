"""What every route needs: the store, the bearer token, and the signed-envelope body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from computegov import ijson
from computegov.errors import InvalidInput
from computegov.identity.envelopes import parse_signed_envelope
from computegov.registry.actions import ActionContext, ActionResult, perform
from computegov.serving.guard import bearer
from computegov.store import Store


class EnvelopeIn(BaseModel):
    """An action: `{type, v, origin, nonce, time, body}`, signed over its RFC 8785 form."""

    model_config = ConfigDict(strict=True, extra="forbid")

    type: str = Field(max_length=100)
    v: int
    origin: str = Field(max_length=255)
    nonce: str = Field(max_length=64)
    time: str = Field(max_length=40)
    body: dict[str, Any]


class SignatureIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    key_id: str = Field(max_length=16)
    sig: str = Field(max_length=100)


class SignedEnvelopeIn(BaseModel):
    """A signed envelope as `computegov` commands send it."""

    model_config = ConfigDict(strict=True, extra="forbid")

    envelope: EnvelopeIn
    signature: SignatureIn


async def i_json_body(request: Request) -> None:
    """Refuse (400, reason `not_i_json`) a JSON body that is not I-JSON (RFC 7493): NaN,
    Infinity, numbers out of range, integers beyond +-(2^53 - 1), lone surrogates. Signed
    bodies are RFC 8785 canonicalised, which is defined for I-JSON only; this runs before the
    fields are validated, so every such value is refused alike wherever it sits."""
    try:
        data = await request.json()  # already parsed (and cached) by FastAPI
    except ValueError:
        return  # not JSON at all: the body's validation says so
    ijson.check(data)


IJsonBody = Depends(i_json_body)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def bearer_token(
    authorization: Annotated[str | None, Header(description="`Bearer <token>`")] = None,
) -> str | None:
    """The token of an `Authorization: Bearer` header (None when absent or malformed)."""
    return bearer(authorization)


IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="a retry returns the first result"),
]
DryRun = Annotated[bool, Query(description="run every check, write nothing")]


def act(
    request: Request,
    signed_in: SignedEnvelopeIn,
    *,
    type: str,
    handler: Callable[[ActionContext], ActionResult],
    token: str | None,
    idempotency_key: str | None,
    dry_run: bool,
) -> JSONResponse:
    """Run one signed action through `registry.actions.perform` and render its result."""
    signed = parse_signed_envelope(signed_in.model_dump())
    status, body = perform(
        store_of(request),
        signed,
        expected_type=type,
        token=token,
        handler=handler,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )
    return JSONResponse(body, status_code=status)


def _post(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., JSONResponse],
    type: str,
    status: int,
    doc: str,
) -> None:
    """Register a signed action's endpoint: its docs, its name after the action, I-JSON."""
    endpoint.__doc__ = doc
    endpoint.__name__ = type.replace(".", "_")
    router.add_api_route(
        path, endpoint, methods=["POST"], status_code=status, dependencies=[IJsonBody]
    )


def add_signed_route(
    router: APIRouter,
    path: str,
    type: str,
    handler: Callable[[ActionContext], ActionResult],
    status: int,
    doc: str,
) -> None:
    """Add `POST path`, which takes a signed envelope of `type` and runs `handler` on it."""

    def endpoint(
        request: Request,
        signed: SignedEnvelopeIn,
        token: Annotated[str | None, Depends(bearer_token)],
        idempotency_key: IdempotencyKey = None,
        dry_run: DryRun = False,
    ) -> JSONResponse:
        return act(
            request,
            signed,
            type=type,
            handler=handler,
            token=token,
            idempotency_key=idempotency_key,
            dry_run=dry_run,
        )

    _post(router, path, endpoint, type, status, doc)


RecordId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_]+$")]


def _naming(
    field: str, record_id: str, handler: Callable[[ActionContext], ActionResult]
) -> Callable[[ActionContext], ActionResult]:
    """The handler, once the signed body names in `field` the record the path names."""

    def checked(ctx: ActionContext) -> ActionResult:
        named = ctx.body.get(field)
        if named != record_id:
            raise InvalidInput(
                f"the signed body names {named!r} in `{field}`, the path {record_id!r}: sign the "
                "id of the record you act on",
                reason="path_mismatch",
            )
        return handler(ctx)

    return checked


def add_signed_record_route(
    router: APIRouter,
    path: str,
    type: str,
    handler: Callable[[ActionContext], ActionResult],
    status: int,
    doc: str,
    *,
    field: str,
) -> None:
    """Add `POST path` for an action on one record, named in the path by `{record_id}`: as
    `add_signed_route`, and the signed body must name the same record in `field` (the
    signature covers the id; the path only routes it), else 400 `path_mismatch`."""

    def endpoint(
        request: Request,
        record_id: RecordId,
        signed: SignedEnvelopeIn,
        token: Annotated[str | None, Depends(bearer_token)],
        idempotency_key: IdempotencyKey = None,
        dry_run: DryRun = False,
    ) -> JSONResponse:
        return act(
            request,
            signed,
            type=type,
            handler=_naming(field, record_id, handler),
            token=token,
            idempotency_key=idempotency_key,
            dry_run=dry_run,
        )

    _post(router, path, endpoint, type, status, doc)
