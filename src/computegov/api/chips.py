"""Routes for chips: manifests, status reports, device-key binding, inventory and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

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
from computegov.registry import chip_reads, chip_status, chips
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["chips"])
Token = Annotated[str | None, Depends(bearer_token)]


class ManifestUpload(BaseModel):
    """A manifest registration: the signed `chip.register` envelope and the CSV it signs."""

    model_config = ConfigDict(extra="forbid")

    signed: SignedEnvelopeIn
    csv: str = Field(max_length=chips.MAX_MANIFEST_BYTES)


@router.post("/manifests", status_code=201, dependencies=[IJsonBody])
def register_manifest(
    request: Request,
    upload: ManifestUpload,
    token: Token,
    idempotency_key: IdempotencyKey = None,
    dry_run: DryRun = False,
) -> JSONResponse:
    """Register a manifest's chips (envelope type `chip.register`), all or nothing.

    JSON `{"signed": <envelope>, "csv": "<manifest CSV text>"}`; the envelope's body is
    `{manifest_sha256, rows, root, root_signature[, country]}` over the CSV's UTF-8 bytes."""
    return act(
        request,
        upload.signed,
        type="chip.register",
        handler=chips.registration(upload.csv.encode("utf-8")),
        token=token,
        idempotency_key=idempotency_key,
        dry_run=dry_run,
    )


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
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
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
