"""Chips: registration from a signed manifest, status reports and device-key binding.

Every change is a signed action through `registry.actions.perform`. Registration writes, in
one transaction, the manifest, each chip (in stock, held by its manufacturer) and a
`registered` custody event per chip, in bulk (a million rows are a few bulk inserts, never a
million ORM objects), and ONE ledger entry: the signed `chip.register` envelope, whose record
commits to the manifest's root. A chip's registration is proven by that entry and the chip's
RFC 9162 inclusion path in the manifest's tree (`reads.manifest_membership`). Stores written
before this kept one `chip.registered` entry per chip; those entries stay valid and provable.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.countries import parse_country
from computegov.errors import Conflict, InvalidInput, NotFound
from computegov.identity.access import Resource
from computegov.identity.keys import encode_public_key, key_id, verify_signature
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.chips import makers, manifests
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.ids import new_id
from computegov.registry.parties.models import PartyKey
from computegov.store.bulk import insert_rows

CHIPS = cast(sa.Table, Chip.__table__)
EVENTS = cast(sa.Table, CustodyEvent.__table__)
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
LOOKUP_CHUNK = 500
_CHIP_COLUMNS = (
    "id",
    "vendor",
    "serial",
    "model",
    "manufactured_on",
    "fab",
    "assembly_site",
    "device_key",
    "device_key_id",
    "manufacturer_id",
    "custodian_id",
    "country",
    "status",
    "manifest_id",
    "manifest_index",
    "registered_at",
    "entry_id",
)
LISTED_CHIPS = 1000  # a registration response names its chips up to this many


class ChipRef(Body):
    vendor: str = Field(min_length=1, max_length=64)
    serial: str = Field(min_length=1, max_length=128)


def _b64(field: str, value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{field} must be base64") from None


class ManifestRegister(Body):
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rows: int = Field(ge=1)
    root: str = Field(max_length=100)
    root_signature: str = Field(max_length=200)
    country: str | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else parse_country(value)


def chip_resource(chip: Chip, *, custody: bool = False) -> Resource:
    """What access looks at: its custodian (and, for reads, its manufacturer) and its country.

    Custody actions (reports, key requests) belong to the custodian alone.
    """
    owners = {chip.custodian_id} if custody else {chip.custodian_id, chip.manufacturer_id}
    return Resource(id=chip.id, owners=frozenset(owners), countries=frozenset({chip.country}))


def find_chip(session: Session, ref: str | ChipRef | dict[str, Any]) -> Chip:
    """A chip named by its id or by `{"vendor", "serial"}`; NotFound otherwise."""
    if isinstance(ref, dict):
        ref = ChipRef.model_validate(ref)
    if isinstance(ref, str):
        chip = session.get(Chip, ref)
        what = f"id {ref!r}"
    else:
        chip = session.scalars(
            sa.select(Chip).where(Chip.vendor == ref.vendor, Chip.serial == ref.serial)
        ).first()
        what = f"vendor {ref.vendor!r} and serial {ref.serial!r}"
    if chip is None:
        raise NotFound(f"no chip with {what}; `computegov chips inventory` lists registered chips")
    return chip


def chip_dict(chip: Chip) -> dict[str, Any]:
    """The flat API view of a chip."""
    return {
        "id": chip.id,
        "vendor": chip.vendor,
        "serial": chip.serial,
        "model": chip.model,
        "manufactured_on": chip.manufactured_on.isoformat(),
        "fab": chip.fab,
        "assembly_site": chip.assembly_site,
        "device_public_key": encode_public_key(chip.device_key) if chip.device_key else None,
        "device_key_id": chip.device_key_id,
        "manufacturer_id": chip.manufacturer_id,
        "custodian_id": chip.custodian_id,
        "country": chip.country,
        "site_id": chip.site_id,
        "status": chip.status,
        "manifest_id": chip.manifest_id,
        "manifest_index": chip.manifest_index,
        "registered_at": to_wire(chip.registered_at),
        "entry_id": chip.entry_id,
    }


def _existing(
    session: Session, column: sa.ColumnElement[Any], values: Sequence[Any], *where: Any
) -> list[Any]:
    """Which of `values` a column already holds (looked up in chunks)."""
    found: list[Any] = []
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        found.extend(session.execute(sa.select(column).where(column.in_(chunk), *where)).scalars())
    return found


def _refuse_registered(session: Session, rows: Sequence[manifests.ManifestRow]) -> None:
    by_vendor: dict[str, list[str]] = {}
    for row in rows:
        by_vendor.setdefault(row.vendor, []).append(row.serial)
    taken = [
        f"{vendor} {serial}"
        for vendor, serials in by_vendor.items()
        for serial in _existing(session, CHIPS.c.serial, serials, CHIPS.c.vendor == vendor)
    ]
    if taken:
        shown = ", ".join(taken[: manifests.MAX_REPORTED])
        more = f" and {len(taken) - manifests.MAX_REPORTED} more" if len(taken) > 100 else ""
        raise Conflict(
            f"{len(taken)} chips are already registered, nothing was registered: {shown}{more}",
            reason="already_registered",
        )
    key_ids = [key_id(row.device_key) for row in rows if row.device_key]
    bound = _existing(session, CHIPS.c.device_key_id, key_ids)
    if bound:
        raise Conflict(
            f"{len(bound)} device keys are already bound to registered chips "
            f"(key ids {', '.join(bound[:20])}); a device key belongs to one chip",
            reason="device_key_taken",
        )


def registration(data: bytes) -> Callable[[ActionContext], ActionResult]:
    """The `chip.register` handler for a manifest's CSV bytes (they travel beside the envelope,
    which commits to them by SHA-256)."""

    def handler(ctx: ActionContext) -> ActionResult:
        return register_manifest(ctx, data)

    return handler


def _check_claims(ctx: ActionContext, body: ManifestRegister, data: bytes) -> manifests.Manifest:
    if len(data) > MAX_MANIFEST_BYTES:
        raise InvalidInput(f"a manifest is at most {MAX_MANIFEST_BYTES} bytes; split it")
    digest = manifests.sha256_hex(data)
    if digest != body.manifest_sha256:
        raise InvalidInput(
            f"the manifest's SHA-256 is {digest}, but the envelope signs {body.manifest_sha256}; "
            "sign the file you upload"
        )
    manifest = manifests.parse_manifest(
        data,
        on=ctx.now,
        country=body.country,
        vendor_refusal=makers.vendor_refusal(ctx.session, ctx.party),
    )
    if len(manifest.rows) != body.rows:
        raise InvalidInput(f"the manifest has {len(manifest.rows)} chips, the envelope {body.rows}")
    root = manifest.root
    if _b64("root", body.root) != root:
        raise InvalidInput(
            f"the manifest's root is {base64.b64encode(root).decode()}, not the envelope's "
            f"{body.root}; the root is RFC 9162 over the rows' leaves in file order"
        )
    key = ctx.session.get(PartyKey, ctx.key_id)
    assert key is not None  # perform checked it
    message = manifests.root_message(root)
    if not verify_signature(key.public_key, _b64("root_signature", body.root_signature), message):
        raise InvalidInput(
            f"root_signature is not a signature by key {ctx.key_id} over "
            "b'computegov-manifest/v1\\n' + root; sign the root with the envelope's key"
        )
    return manifest


def register_manifest(ctx: ActionContext, data: bytes) -> ActionResult:
    """Register every chip of a manifest, all or nothing."""
    body = parse_body(ManifestRegister, ctx.body)
    maker = ctx.party
    places = frozenset({body.country} if body.country else ())
    ctx.authorize("chip.register", Resource(owners=frozenset({maker.id}), countries=places))
    manifest = _check_claims(ctx, body, data)
    rows = manifest.rows
    # A chip starts where it was finished: its assembly site's country.
    countries = sorted({row.country for row in rows})
    _refuse_registered(ctx.session, rows)
    root = manifest.root
    root_b64 = base64.b64encode(root).decode("ascii")
    record_row = Manifest(
        id=new_id("man"),
        manufacturer_id=maker.id,
        sha256=manifest.sha256,
        root=root,
        size=len(rows),
        key_id=ctx.key_id,
        signature=base64.b64decode(body.root_signature),
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(record_row)
    ctx.session.flush()
    now, man_id, maker_id, eid = ctx.now, record_row.id, maker.id, ctx.entry_id
    token_hex = secrets.token_hex
    # Sorted, so the chips' primary key and the events' chip index fill in order.
    chip_ids = sorted(f"chp_{token_hex(8)}" for _ in rows)
    insert_rows(
        ctx.session,
        CHIPS,
        _CHIP_COLUMNS,
        [
            (
                cid,
                row.vendor,
                row.serial,
                row.model,
                row.manufactured_on,
                row.fab,
                row.assembly_site,
                row.device_key,
                key_id(row.device_key) if row.device_key else None,
                maker_id,
                maker_id,
                row.country,
                "in_stock",
                man_id,
                i,
                now,
                eid,
            )
            for i, (cid, row) in enumerate(zip(chip_ids, rows, strict=True))
        ],
    )
    details = {"manifest_id": man_id}
    insert_rows(
        ctx.session,
        EVENTS,
        ("chip_id", "kind", "at", "party_id", "details", "entry_id"),
        [(cid, "registered", now, maker_id, details, eid) for cid in chip_ids],
    )
    result: dict[str, Any] = {
        "manifest": manifest_dict(record_row),
        "chips": len(rows),
        "country": countries[0] if len(countries) == 1 else None,
        "countries": countries,
    }
    if len(rows) <= LISTED_CHIPS:
        result["items"] = [
            {"id": cid, "vendor": row.vendor, "serial": row.serial, "entry_id": eid}
            for cid, row in zip(chip_ids, rows, strict=True)
        ]
    # The one entry's record names the manifest and its root (the signed envelope holds the
    # root too); each chip's row is a leaf of that root.
    manifest_record = {"id": man_id, "root": root_b64, "size": len(rows)}
    return ActionResult(
        result, 201, [maker_id], countries, [record_row], record={"manifest": manifest_record}
    )


def manifest_dict(row: Manifest) -> dict[str, Any]:
    return {
        "id": row.id,
        "manufacturer_id": row.manufacturer_id,
        "sha256": row.sha256,
        "root": base64.b64encode(row.root).decode("ascii"),
        "size": row.size,
        "key_id": row.key_id,
        "signature": base64.b64encode(row.signature).decode("ascii"),
        "created_at": to_wire(row.created_at),
        "entry_id": row.entry_id,
    }
