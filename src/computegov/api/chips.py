"""Routes for chips: manifests, status reports, device-key binding, inventory and history."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from computegov import ijson
from computegov.api.deps import (
    DryRun,
    IdempotencyKey,
    SignedEnvelopeIn,
    act,
    add_signed_route,
    bearer_token,
    store_of,
)
from computegov.api.lists import Limit, Offset
from computegov.identity.access import Resource
from computegov.registry.actions import authorize
from computegov.registry.chips import makers
from computegov.registry.chips import reads as chip_reads
from computegov.registry.chips import service as chips
from computegov.registry.chips import status as chip_status
from computegov.registry.reads import reader_session
from computegov.serving import BodyKind, accepts_body

router = APIRouter(prefix="/v1", tags=["chips"])
Token = Annotated[str | None, Depends(bearer_token)]


class ManifestUpload(BaseModel):
    """A manifest registration: the signed `chip.register` envelope and the CSV it signs."""

    model_config = ConfigDict(extra="forbid")

    signed: SignedEnvelopeIn
    csv: str = Field(max_length=chips.MAX_MANIFEST_BYTES)


def _manifest_schema() -> dict[str, Any]:
    """ManifestUpload's JSON schema, its parts named as the other routes' components."""
    schema = ManifestUpload.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def _register_manifest(
    request: Request,
    raw: bytes,
    token: str | None,
    idempotency_key: str | None,
    dry_run: bool,
) -> JSONResponse:
    """Parse and register an uploaded manifest (in a worker thread: a large manifest's JSON
    never blocks the event loop)."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    try:
        if parsed is None:  # not JSON at all: pydantic's JSON parser says what is wrong
            upload = ManifestUpload.model_validate_json(raw)
        else:  # parsed once (a manifest is up to 128 MiB), checked as I-JSON, validated
            ijson.check(parsed)  # NaN, Infinity, huge numbers, lone surrogates, NUL: 400
            upload = ManifestUpload.model_validate(parsed)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", *err.get("loc", ()))} for err in exc.errors()]
        ) from None
    return act(
        request,
        upload.signed,
        type="chip.register",
        handler=chips.registration(upload.csv.encode("utf-8")),
        token=token,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


@router.post(
    "/manifests",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _manifest_schema()}},
        }
    },
)
@accepts_body(BodyKind.MANIFEST)
async def register_manifest(
    request: Request,
    token: Token,
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> JSONResponse:
    """Register a manifest's chips (envelope type `chip.register`), all or nothing.

    JSON `{"signed": <envelope>, "csv": "<manifest CSV text>"}`; the envelope's body is
    `{manifest_sha256, rows, root, root_signature[, country]}` over the CSV's UTF-8 bytes.
    The only route that takes more than `COMPUTEGOV_BODY_LIMIT_BYTES`: up to
    `COMPUTEGOV_MANIFEST_BODY_LIMIT_BYTES` (default 128 MiB), streamed and counted as it
    arrives, and parsed off the event loop."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
    return await run_in_threadpool(
        _register_manifest, request, bytes(raw), token, idempotency_key, dry_run
    )


add_signed_route(
    router,
    "/vendors/bindings",
    "vendor.bind",
    makers.bind_vendor,
    201,
    "Bind a catalog vendor to the manufacturer that makes its chips (`vendor.bind`, body "
    "`{vendor, manufacturer_id[, replace]}`): the administrator, or a regulator of the vendor's "
    "headquarters country. That manufacturer and its subsidiaries register the vendor's chips.",
)


@router.get("/vendors")
def list_vendors(request: Request, token: Token) -> dict[str, Any]:
    """The catalog's vendors: headquarters country (with its source) and whether each is bound
    to a manufacturer (named to the administrator, regulators and the manufacturer's group)."""
    with reader_session(store_of(request), token, "vendor.list", "vendors") as (session, reader):
        authorize(session, reader, "vendor.list", Resource(id="vendors"))
        return makers.list_vendors(session, reader)


add_signed_route(
    router,
    "/chips/reports",
    "chip.report",
    chip_status.report_status,
    200,
    "The custodian reports a chip lost, stolen or decommissioned (`chip.report`).",
)
add_signed_route(
    router,
    "/chips/keys",
    "chip.key.request",
    chip_status.request_key,
    201,
    "The custodian asks to bind a new device key to a chip (`chip.key.request`).",
)
add_signed_route(
    router,
    "/chips/keys/decisions",
    "chip.key.approve",
    chip_status.decide_key,
    200,
    "A regulator of the chip's country approves or rejects a key binding (`chip.key.approve`).",
)


@router.get("/chips")
def list_chips(
    request: Request,
    token: Token,
    model: Annotated[str | None, Query(max_length=64)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    custodian: Annotated[str | None, Query(max_length=32)] = None,
    vendor: Annotated[str | None, Query(max_length=64)] = None,
    serial: Annotated[str | None, Query(max_length=128)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The chips the caller may read, oldest first, filtered and paginated."""
    with reader_session(store_of(request), token, "chip.read", "chips") as (session, reader):
        return chip_reads.list_chips(
            session,
            reader,
            model=model,
            country=country,
            status=status,
            custodian=custodian,
            vendor=vendor,
            serial=serial,
            limit=limit,
            offset=offset,
        )


@router.get("/chips/{chip_id}")
def show_chip(request: Request, chip_id: str, token: Token) -> dict[str, Any]:
    """One chip, if the caller may read it."""
    with reader_session(store_of(request), token, "chip.read", chip_id) as (session, reader):
        return chips.chip_dict(chip_reads.read_chip(session, reader, chip_id))


@router.get("/chips/{chip_id}/history")
def chip_history(request: Request, chip_id: str, token: Token) -> dict[str, Any]:
    """The chip's chain of custody: each step with its ledger index, an inclusion proof
    against the current checkpoint, and the record's opening where the caller may read it."""
    with reader_session(store_of(request), token, "chip.read", chip_id) as (session, reader):
        chip = chip_reads.read_chip(session, reader, chip_id)
        return chip_reads.history(session, reader, chip)


@router.get("/chips/{chip_id}/attestation")
def chip_attestation(request: Request, chip_id: str, token: Token) -> dict[str, Any]:
    """The manufacturer's attestation of the chip: signed manifest root and inclusion path."""
    with reader_session(store_of(request), token, "chip.read", chip_id) as (session, reader):
        chip = chip_reads.read_chip(session, reader, chip_id)
        return chip_reads.attestation(session, chip)
