"""Reading chips: the inventory a party may see, one chip's chain of custody with ledger
proofs, and a chip's manufacturer attestation.

A chip's registration is proven one of two ways. Since manifests are batched, the ledger holds
one `chip.register` entry per manifest, whose record commits to the manifest's root; the
chip's step then carries its `manifest_proof` (its row and RFC 9162 inclusion path in the
manifest's tree). Stores written before hold one `chip.registered` entry per chip, whose record
names the chip itself. `verify_history` checks both.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from computegov.catalog import get_chip
from computegov.errors import ComputegovError, InvalidInput, NotFound
from computegov.identity.access import default_matrix
from computegov.identity.keys import decode_public_key, encode_public_key
from computegov.instants import to_wire
from computegov.ledger import entries, log, merkle, note
from computegov.registry.actions import actor_of, authorize
from computegov.registry.chips import manifests
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.chips.service import chip_dict, chip_resource, find_chip
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.licensing.follow import followed_chip, followed_chip_ids, now_of
from computegov.registry.parties.models import Party, PartyKey
from computegov.registry.parties.names import party_names
from computegov.registry.reads import opening_for
from computegov.store.models import LedgerEntry


def visible(session: Session, reader: Party) -> sa.ColumnElement[bool]:
    """The SQL condition for the chips `reader` may read (the `chip.read` row of the matrix)."""
    if reader.role == "administrator":
        return sa.true()
    actor = actor_of(session, reader)
    conditions: list[sa.ColumnElement[bool]] = []
    if "own" in default_matrix().scopes(reader.role, "chip.read"):  # none for a test lab
        conditions += [Chip.custodian_id == reader.id, Chip.manufacturer_id == reader.id]
    if reader.role == "regulator" and actor.jurisdiction:
        conditions.append(Chip.country.in_(sorted(actor.jurisdiction)))
        if "licensed" in default_matrix().scopes(reader.role, "chip.read"):
            followed = followed_chip_ids(actor.jurisdiction, now_of(session))
            conditions.append(Chip.id.in_(followed))
    if reader.role == "auditor" and actor.grants:
        grants = sorted(actor.grants)
        conditions += [Chip.custodian_id.in_(grants), Chip.manufacturer_id.in_(grants)]
    return sa.or_(*conditions) if conditions else sa.false()


def _catalog_name(model: str | None) -> str | None:
    """The catalog's name for a model given by any of its aliases ("H200" -> "H200 SXM"); an
    unknown name as given (it matches no chip)."""
    if not model:
        return model
    try:
        return get_chip(model).model
    except NotFound:
        return model


def list_chips(
    session: Session,
    reader: Party,
    *,
    model: str | None = None,
    country: str | None = None,
    status: str | None = None,
    custodian: str | None = None,
    vendor: str | None = None,
    serial: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """The chips a reader may see, filtered, oldest first: `{"total","limit","offset","items"}`."""
    where = [visible(session, reader)]
    for column, value in (
        (Chip.model, _catalog_name(model)),
        (Chip.country, country.upper() if country else None),
        (Chip.status, status),
        (Chip.custodian_id, custodian),
        (Chip.vendor, vendor),
        (Chip.serial, serial),
    ):
        if value:
            where.append(column == value)
    total = session.execute(sa.select(sa.func.count()).select_from(Chip).where(*where)).scalar_one()
    rows = session.scalars(
        sa.select(Chip)
        .where(*where)
        .order_by(Chip.registered_at, Chip.manifest_id, Chip.manifest_index)
        .limit(limit)
        .offset(offset)
    )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [chip_dict(chip) for chip in rows],
    }


def read_chip(session: Session, reader: Party, ref: str) -> Chip:
    """A chip the reader may read (by id), or NotFound / Forbidden."""
    chip = find_chip(session, ref)
    authorize(session, reader, "chip.read", followed_chip(session, chip_resource(chip)))
    return chip


def history(session: Session, reader: Party, chip: Chip) -> dict[str, Any]:
    """Every custody step of a chip with its ledger index, an inclusion proof against the
    current checkpoint (once integrated), the record's opening where the reader may see it and
    the name of the step's party (`party_name`, beside `party_id`).
    """
    checkpoint = log.latest_checkpoint(session)
    size = checkpoint.size
    reader_node = log.TileReader(session).node
    events = session.scalars(
        sa.select(CustodyEvent).where(CustodyEvent.chip_id == chip.id).order_by(CustodyEvent.id)
    ).all()
    names = party_names(session, (event.party_id for event in events))
    steps = []
    for step, event in enumerate(events, start=1):
        status = log.pending_status(session, event.entry_id)
        index = status["index"]
        proof = None
        if index is not None and index < size:
            proof = log.inclusion(session, index, size, reader_node)
        try:
            opening: dict[str, Any] | None = opening_for(session, reader, event.entry_id)
        except ComputegovError:
            opening = None
        entry: dict[str, Any] = {
            "step": step,
            "kind": event.kind,
            "at": to_wire(event.at),
            "party_id": event.party_id,
            "party_name": names.get(event.party_id),
            "details": event.details,
            "entry_id": event.entry_id,
            "index": index,
            "proof": proof,
            "opening": opening,
        }
        if event.kind == "registered" and _entry_type(session, event.entry_id) == MANIFEST_ENTRY:
            entry["manifest_proof"] = manifest_membership(session, chip)
        steps.append(entry)
    return {
        "chip": chip_dict(chip),
        "checkpoint": {
            "size": size,
            "root": base64.b64encode(checkpoint.root).decode("ascii"),
            "note": checkpoint.note,
        },
        "steps": steps,
    }


def _original_keys(session: Session, manifest_id: str) -> dict[str, str | None]:
    """Chips of a manifest whose device key was rebound: chip id -> the key at registration."""
    rows = session.execute(
        sa.select(CustodyEvent.chip_id, CustodyEvent.details)
        .join(Chip, Chip.id == CustodyEvent.chip_id)
        .where(Chip.manifest_id == manifest_id, CustodyEvent.kind == "key_bound")
        .order_by(CustodyEvent.id)
    )
    first: dict[str, str | None] = {}
    for chip_id, details in rows:
        first.setdefault(chip_id, (details or {}).get("old_device_key"))
    return first


def registered_fields(chip: Chip, original_key: str | None | bool = False) -> dict[str, Any]:
    """The leaf fields a chip was registered with (`original_key` where it was rebound)."""
    key = encode_public_key(chip.device_key) if chip.device_key else None
    fields = {
        "vendor": chip.vendor,
        "serial": chip.serial,
        "model": chip.model,
        "manufactured_on": chip.manufactured_on.isoformat(),
        "fab": chip.fab,
        "device_public_key": key if original_key is False else original_key,
    }
    if chip.assembly_site is not None:  # chips registered before assembly sites have none
        fields["assembly_site"] = chip.assembly_site
    return fields


MANIFEST_ENTRY = "chip.register"  # one entry per manifest, committing to its root
CHIP_ENTRY = "chip.registered"  # one entry per chip, as stores written before batching hold


def _entry_type(session: Session, entry_id: str) -> str | None:
    found = session.execute(
        sa.select(LedgerEntry.type).where(LedgerEntry.id == entry_id)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def manifest_membership(session: Session, chip: Chip) -> dict[str, Any]:
    """The chip's place in its manifest: `{"manifest_id", "fields", "leaf_index", "size",
    "root", "path"}`, where `path` is the RFC 9162 inclusion path of the chip's row leaf
    (`manifests.leaf_bytes(fields)`) under the manifest root that its ledger entry commits to."""
    served = attestation(session, chip)
    proof = served["attestation"]
    return {
        "manifest_id": proof["manifest_id"],
        "fields": served["fields"],
        "leaf_index": proof["leaf_index"],
        "size": proof["size"],
        "root": proof["root"],
        "path": proof["path"],
    }


def attestation(session: Session, chip: Chip) -> dict[str, Any]:
    """The chip's attestation: its manifest's signed root and the chip's inclusion path,
    with the leaf fields and the manufacturer's public key to check it offline."""
    manifest = session.get(Manifest, chip.manifest_id)
    assert manifest is not None
    rebound = _original_keys(session, manifest.id)
    chips = session.scalars(
        sa.select(Chip).where(Chip.manifest_id == manifest.id).order_by(Chip.manifest_index)
    )
    leaf_hashes = [
        merkle.hash_leaf(manifests.leaf_bytes(registered_fields(c, rebound.get(c.id, False))))
        for c in chips
    ]
    proof = manifests.attest(
        manifest.id,
        leaf_hashes,
        chip.manifest_index,
        signature=manifest.signature,
        signer_key_id=manifest.key_id,
    )
    if proof.root != manifest.root:  # the stored chips no longer reproduce the signed root
        raise ComputegovError(f"manifest {manifest.id}'s chips do not reproduce its signed root")
    key = session.get(PartyKey, manifest.key_id)
    assert key is not None
    return {
        "chip_id": chip.id,
        "fields": registered_fields(chip, rebound.get(chip.id, False)),
        "attestation": proof.to_dict(),
        "manufacturer_id": manifest.manufacturer_id,
        "manufacturer_key": encode_public_key(key.public_key),
    }


def check_attestation(data: dict[str, Any]) -> None:
    """Verify a served attestation (as `attestation` returns it) offline; ProofError if bad."""
    manifests.verify_attestation(
        manifests.Attestation.from_dict(data["attestation"]),
        data["fields"],
        decode_public_key(data["manufacturer_key"]),
    )


def check_registration(
    record: dict[str, Any], chip: dict[str, Any], membership: dict[str, Any] | None
) -> None:
    """Check that an opened registration record registers `chip` (the served chip's vendor,
    serial and id): a manifest entry by the chip's membership path under the root the record
    commits to, a per-chip entry (stores written before batching) by naming the chip.
    Raises ProofError naming what failed."""
    if "manifest" in record:
        if membership is None:
            raise merkle.ProofError(
                "the registration entry is a manifest's; the chip's manifest_proof is missing"
            )
        root = record["manifest"].get("root")
        signed_root = record.get("envelope", {}).get("envelope", {}).get("body", {}).get("root")
        if membership.get("root") != root or signed_root != root:
            raise merkle.ProofError(
                f"the chip's manifest path is under root {membership.get('root')}, but the "
                f"entry commits to manifest root {root} (signed: {signed_root})"
            )
        if membership.get("size") != record["manifest"].get("size"):
            raise merkle.ProofError("the chip's manifest path is for a tree of another size")
        fields = membership.get("fields") or {}
        if (fields.get("vendor"), fields.get("serial")) != (chip.get("vendor"), chip.get("serial")):
            raise merkle.ProofError(
                f"the manifest path is for {fields.get('vendor')} {fields.get('serial')}, "
                f"not this chip ({chip.get('vendor')} {chip.get('serial')})"
            )
        try:
            path = [base64.b64decode(h, validate=True) for h in membership["path"]]
            root_bytes = base64.b64decode(str(root), validate=True)
            leaf_hash = merkle.hash_leaf(manifests.leaf_bytes(fields))
            index, size = int(membership["leaf_index"]), int(membership["size"])
            merkle.verify_inclusion(leaf_hash, index, size, path, root_bytes)
        except (KeyError, TypeError, ValueError) as exc:
            raise merkle.ProofError(f"the chip's manifest path is malformed: {exc}") from None
        return
    named = record.get("chip")
    if named is None or named != chip.get("id"):
        raise merkle.ProofError(
            f"the registration entry names chip {named!r}, not {chip.get('id')!r}"
        )
    if (record.get("vendor"), record.get("serial")) != (chip.get("vendor"), chip.get("serial")):
        raise merkle.ProofError("the registration entry names another vendor or serial")


def chip_and_membership(served: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """From a served attestation (`GET /v1/chips/ID/attestation`, `chips attestation --json`):
    the chip (`id`, `vendor`, `serial`) and its manifest membership, as `check_registration`
    takes them; InvalidInput when it is not one."""
    try:
        proof, fields = served["attestation"], dict(served["fields"])
        membership = {
            "manifest_id": proof["manifest_id"],
            "fields": fields,
            "leaf_index": proof["leaf_index"],
            "size": proof["size"],
            "root": proof["root"],
            "path": list(proof["path"]),
        }
        chip = {"id": served["chip_id"], "vendor": fields["vendor"], "serial": fields["serial"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"not a chip attestation (missing {exc}); give the JSON that "
            "`computegov chips attestation VENDOR SERIAL --json` prints"
        ) from None
    return chip, membership


def verify_history(
    served: dict[str, Any], verifier_key: str, leaf_at: Callable[[int], bytes] | None = None
) -> list[bool | None]:
    """Check a served history client-side: the checkpoint's signature by the pinned verifier
    key, then each step's inclusion proof against it (and, given `leaf_at` to fetch the public
    leaf, that the step's opening matches it). Per step: True verified, None not yet integrated;
    raises ProofError (or NoteError) on anything a correct log cannot show."""
    checkpoint = note.open_checkpoint(
        served["checkpoint"]["note"], note.parse_verifier_key(verifier_key)
    )
    results: list[bool | None] = []
    for step in served["steps"]:
        proof = step.get("proof")
        if proof is None:
            results.append(None)
            continue
        if proof["size"] != checkpoint.size or proof["index"] != step["index"]:
            raise merkle.ProofError(f"step {step['step']}: the proof is for another tree or leaf")
        leaf_hash = base64.b64decode(proof["leaf_hash"])
        path = [base64.b64decode(h) for h in proof["proof"]]
        merkle.verify_inclusion(leaf_hash, proof["index"], checkpoint.size, path, checkpoint.root)
        if leaf_at is not None and step.get("opening"):
            leaf = leaf_at(proof["index"])
            if merkle.hash_leaf(leaf) != leaf_hash:
                raise merkle.ProofError(
                    f"step {step['step']}: the served leaf is not the proved one"
                )
            opening = step["opening"]
            entries.check_opening(
                entries.parse_leaf(leaf), opening["record"], base64.b64decode(opening["salt"])
            )
            if step.get("kind") == "registered":
                check_registration(opening["record"], served["chip"], step.get("manifest_proof"))
        results.append(True)
    return results
