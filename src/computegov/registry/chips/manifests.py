"""Chip manifests: the CSV a manufacturer registers, its RFC 9162 root and chip attestations.

A manifest is CSV with the header
`serial,model,manufactured_on,fab,assembly_site,device_public_key`, one chip a row. `fab` and
`assembly_site` (final packaging and test) are names from the catalog's packaged list of
manufacturing sites; the chip starts in its assembly site's country. Each row becomes a leaf:
the RFC 8785 JSON of its normalised fields (the catalog's vendor, model and site names, the ISO
date, the device key in base64 or null). Manifests registered before `assembly_site` existed
keep their leaves as they were (no `assembly_site` field), so their attestations still verify.
The manufacturer signs `ROOT_CONTEXT + root` once with its party key, where `root` is the
RFC 9162 Merkle root over `hash_leaf(leaf)` of every row in file order; a chip's attestation is
that signature plus the chip's inclusion path, which anyone can check offline with
`verify_attestation`.

Pure functions over bytes and values: no database, no HTTP.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from computegov.catalog import find_site, get_chip
from computegov.catalog.makers import known_sites_hint, unknown_site_message
from computegov.countries import parse_country
from computegov.errors import InvalidInput, NotFound
from computegov.identity.keys import (
    PUBLIC_KEY_BYTES,
    key_id,
    public_key_problem,
    verify_signature,
)
from computegov.ledger import merkle
from computegov.rules import classify

COLUMNS = ("serial", "model", "manufactured_on", "fab", "assembly_site", "device_public_key")
ROOT_CONTEXT = b"computegov-manifest/v1\n"
MAX_REPORTED = 100
MAX_SERIAL = 128
MAX_FAB = 128  # characters of an unknown site name quoted back
TEMPLATE = (
    ",".join(COLUMNS)
    + "\nSN-0001,H100 SXM,2026-01-15,TSMC Fab 18,TSMC Advanced Backend Fab 6,"
    + "<base64 of the 32-byte Ed25519 device key>\n"
    + "SN-0002,H20,2026-01-16,TSMC Fab 18,TSMC Advanced Backend Fab 6,\n"
)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One chip of a manifest, normalised; `line` is its line number in the CSV file and
    `country` its assembly site's country (where the chip starts)."""

    line: int
    vendor: str
    serial: str
    model: str
    manufactured_on: date
    fab: str
    assembly_site: str
    country: str
    device_key: bytes | None

    def fields(self) -> dict[str, Any]:
        """The values the leaf commits to."""
        return {
            "vendor": self.vendor,
            "serial": self.serial,
            "model": self.model,
            "manufactured_on": self.manufactured_on.isoformat(),
            "fab": self.fab,
            "assembly_site": self.assembly_site,
            "device_public_key": (
                base64.b64encode(self.device_key).decode("ascii") if self.device_key else None
            ),
        }

    def leaf(self) -> bytes:
        """The row's leaf: RFC 8785 JSON of `fields()`."""
        return leaf_bytes(self.fields())


def leaf_bytes(fields: Mapping[str, Any]) -> bytes:
    """RFC 8785 JSON of a row's fields.

    The fields are ASCII-named strings or null, for which sorted-key compact `json.dumps`
    without ASCII escaping is exactly RFC 8785 (tests check this against `rfc8785`); it is
    several times faster, which matters for a million rows.
    """
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Manifest:
    """A parsed, checked manifest: its rows, the SHA-256 of its bytes and its Merkle root."""

    rows: list[ManifestRow]
    sha256: str
    leaf_hashes: list[bytes]
    root: bytes


def root_message(root: bytes) -> bytes:
    """The bytes a manufacturer signs for a manifest: a context string, then the root."""
    return ROOT_CONTEXT + root


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the manifest is not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"
        ) from None


def _header(header: Sequence[str] | None) -> dict[str, int]:
    names = [h.strip() for h in header or ()]
    missing = [c for c in COLUMNS if c not in names]
    extra = [n for n in names if n not in COLUMNS]
    if missing or extra or len(set(names)) != len(names):
        raise InvalidInput(
            f"line 1: the manifest header must name the columns {','.join(COLUMNS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unexpected {', '.join(extra)}" if extra else "")
            + " (`computegov chips manifest-template` prints an example)"
        )
    return {name: names.index(name) for name in COLUMNS}


class _Models:
    """Catalog look-ups and 3A090 classification, once per distinct model name."""

    def __init__(self, on: datetime) -> None:
        self.on = on
        self._cache: dict[str, tuple[str, str, bool] | str] = {}

    def get(self, name: str) -> tuple[str, str, bool] | str:
        """(vendor, model, needs a device key), or an error message."""
        found = self._cache.get(name)
        if found is None:
            try:
                chip = get_chip(name)
            except NotFound:
                found = (
                    f"unknown model {name!r}; use a catalog model name or alias "
                    "(`computegov chips list` shows them)"
                )
            else:
                eccn = classify(chip, on=self.on).eccn
                found = (chip.vendor, chip.model, bool(eccn and eccn.startswith("3A090")))
            self._cache[name] = found
        return found


class _Sites:
    """Site look-ups, once per distinct name: (canonical name, country), or None if unknown."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[str, str] | None] = {}
        self.unknown: set[str] = set()  # the kinds that had an unknown name

    def get(self, name: str, kind: str) -> tuple[str, str] | None:
        key = (name, kind)
        if key not in self._cache:
            site = find_site(name, kind) if name else None
            self._cache[key] = None if site is None else (site.name, site.country)
        found = self._cache[key]
        if found is None:
            self.unknown.add(kind)
        return found


def _csv_records(reader: Any) -> Iterator[list[str]]:
    """The reader's records; a file the csv module cannot read (a field past its size limit)
    is InvalidInput naming the line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InvalidInput(
            f"line {reader.line_num}: the manifest is not readable CSV ({exc}); "
            "`computegov chips manifest-template` prints an example"
        ) from None


def _device_key(text: str) -> bytes | str:
    """The raw device key, or what is wrong with it (a weak key is refused: see
    `identity.keys.public_key_problem`)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES:
        return "device_public_key is not an Ed25519 public key (base64 of 32 raw bytes)"
    weak = public_key_problem(raw)
    return f"device_public_key is refused: {weak[1]}" if weak else raw


def parse_manifest(
    data: bytes,
    *,
    on: datetime,
    max_reported: int = MAX_REPORTED,
    country: str | None = None,
    vendor_refusal: Callable[[str], str | None] | None = None,
) -> Manifest:
    """Parse and check a manifest at receipt time `on` (it decides which models are 3A090).

    `country`, where given, must be every row's assembly-site country; `vendor_refusal` says
    why the registrant may not register a vendor's chips (None where it may). Every bad row is
    found; if any, InvalidInput lists them with their line numbers (the first `max_reported`,
    then how many more), and nothing is registered.
    """
    reader = csv.reader(io.StringIO(_decode_text(data), newline=""))
    records = _csv_records(reader)
    cols = _header(next(records, None))
    i_serial, i_model, i_date = cols["serial"], cols["model"], cols["manufactured_on"]
    i_fab, i_site, i_key = cols["fab"], cols["assembly_site"], cols["device_public_key"]
    sites = _Sites()
    vendors: dict[str, str | None] = {}
    width = len(COLUMNS)
    models = _Models(on)
    today = on.date()
    problems: list[str] = []
    rows: list[ManifestRow] = []
    seen_serials: dict[tuple[str, str], int] = {}
    seen_keys: dict[bytes, int] = {}
    dates: dict[str, date] = {}

    def bad(line: int, message: str) -> None:
        problems.append(f"line {line}: {message}")

    for record in records:
        line = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank lines carry no chip
        if len(record) != width:
            bad(line, f"{len(record)} fields where the header has {width}")
            continue
        errors: list[str] = []
        serial = record[i_serial].strip()
        if not serial or len(serial) > MAX_SERIAL:
            errors.append(f"serial must be 1 to {MAX_SERIAL} characters")
        model = models.get(record[i_model].strip())
        if isinstance(model, str):
            errors.append(model)
        text = record[i_date].strip()
        made = dates.get(text)
        if made is None:
            try:
                made = dates[text] = date.fromisoformat(text)
            except ValueError:
                errors.append(f"manufactured_on {text!r} is not a date; use YYYY-MM-DD")
        if made is not None and made > today:
            errors.append(f"manufactured_on {text} is after today ({today.isoformat()})")
        fab = sites.get(record[i_fab].strip(), "fab")
        if fab is None:
            errors.append(
                unknown_site_message(record[i_fab].strip()[:MAX_FAB], "fab", with_list=False)
            )
        assembly = sites.get(record[i_site].strip(), "assembly")
        if assembly is None:
            errors.append(
                unknown_site_message(record[i_site].strip()[:MAX_FAB], "assembly", with_list=False)
            )
        elif country is not None and assembly[1] != country:
            errors.append(
                f"assembly_site {assembly[0]} is in {assembly[1]}, not {country} as the "
                "registration says: a chip starts where it was finished (moving it is a transfer)"
            )
        if vendor_refusal is not None and not isinstance(model, str):
            if model[0] not in vendors:
                vendors[model[0]] = vendor_refusal(model[0])
            refusal = vendors[model[0]]
            if refusal is not None:
                errors.append(refusal)
        key_text = record[i_key].strip()
        key = None
        if key_text:
            decoded = _device_key(key_text)
            if isinstance(decoded, str):
                errors.append(decoded)
            elif decoded in seen_keys:
                errors.append(f"device key repeats the one on line {seen_keys[decoded]}")
            else:
                key = decoded
                seen_keys[key] = line
        elif not isinstance(model, str) and model[2]:
            errors.append(
                f"device_public_key is required: {model[1]} is classified 3A090 "
                f"on {today.isoformat()}"
            )
        if not isinstance(model, str) and serial:
            ident = (model[0], serial)
            if ident in seen_serials:
                errors.append(f"serial {serial!r} repeats line {seen_serials[ident]}")
            else:
                seen_serials[ident] = line
        if errors:
            bad(line, "; ".join(errors))
            continue
        assert not isinstance(model, str) and made is not None
        assert fab is not None and assembly is not None
        rows.append(
            ManifestRow(
                line, model[0], serial, model[1], made, fab[0], assembly[0], assembly[1], key
            )
        )
    if problems:
        message = bad_rows_message(problems, max_reported)
        for kind in sorted(sites.unknown):
            hint = known_sites_hint(kind)
            message += f". {hint[0].upper()}{hint[1:]}"
        raise InvalidInput(message, bad_rows=len(problems))
    if not rows:
        raise InvalidInput("the manifest has no chips: add one row per chip under the header")
    hash_leaf = merkle.hash_leaf
    leaf_hashes = [hash_leaf(leaf_bytes(row.fields())) for row in rows]
    return Manifest(rows, sha256_hex(data), leaf_hashes, merkle.root(leaf_hashes))


def bad_rows_message(problems: Sequence[str], max_reported: int = MAX_REPORTED) -> str:
    """One message for every bad row: the first `max_reported`, then a count of the rest."""
    shown = "; ".join(problems[:max_reported])
    more = len(problems) - max_reported
    tail = f"; and {more} more bad rows" if more > 0 else ""
    return f"the manifest has {len(problems)} bad rows, nothing was registered: {shown}{tail}"


@dataclass(frozen=True)
class Attestation:
    """What proves a chip's identity offline: the manufacturer's signed manifest root and the
    chip's inclusion path under it."""

    manifest_id: str
    root: bytes
    size: int
    signature: bytes
    key_id: str
    leaf_index: int
    path: list[bytes]

    def to_dict(self) -> dict[str, Any]:
        b64 = base64.b64encode
        return {
            "manifest_id": self.manifest_id,
            "root": b64(self.root).decode("ascii"),
            "size": self.size,
            "signature": b64(self.signature).decode("ascii"),
            "key_id": self.key_id,
            "leaf_index": self.leaf_index,
            "path": [b64(h).decode("ascii") for h in self.path],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attestation:
        """Parse the wire form, or InvalidInput saying what is wrong."""
        try:
            d = base64.b64decode
            return cls(
                manifest_id=str(data["manifest_id"]),
                root=d(data["root"], validate=True),
                size=int(data["size"]),
                signature=d(data["signature"], validate=True),
                key_id=str(data["key_id"]),
                leaf_index=int(data["leaf_index"]),
                path=[d(h, validate=True) for h in data["path"]],
            )
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise InvalidInput(
                f"not an attestation ({exc}); expected manifest_id, root, size, signature, "
                "key_id, leaf_index and path (base64 hashes)"
            ) from None


def attest(
    manifest_id: str,
    leaf_hashes: Sequence[bytes],
    leaf_index: int,
    *,
    signature: bytes,
    signer_key_id: str,
) -> Attestation:
    """The attestation of row `leaf_index` of a manifest whose leaf hashes are given."""
    tree = merkle.MemoryTree(leaf_hashes)
    size = tree.size
    return Attestation(
        manifest_id=manifest_id,
        root=merkle.root_at(size, tree.node),
        size=size,
        signature=signature,
        key_id=signer_key_id,
        leaf_index=leaf_index,
        path=merkle.inclusion_proof(leaf_index, size, tree.node),
    )


def verify_attestation(
    attestation: Attestation, fields: Mapping[str, Any], manufacturer_key: bytes
) -> None:
    """Check offline that the chip `fields` (as `ManifestRow.fields()`) was attested by the
    manufacturer key: the signature over the root, and the inclusion path of its leaf.

    Raises merkle.ProofError naming what failed.
    """
    if key_id(manufacturer_key) != attestation.key_id:
        raise merkle.ProofError(
            f"the attestation was signed by key {attestation.key_id}, "
            f"not the given key {key_id(manufacturer_key)}"
        )
    if not verify_signature(
        manufacturer_key, attestation.signature, root_message(attestation.root)
    ):
        raise merkle.ProofError("the manufacturer's signature over the manifest root is not valid")
    leaf_hash = merkle.hash_leaf(leaf_bytes(fields))
    merkle.verify_inclusion(
        leaf_hash, attestation.leaf_index, attestation.size, attestation.path, attestation.root
    )


def sign_manifest(manifest: Manifest, sign: Callable[[bytes], bytes]) -> bytes:
    """The manufacturer's signature over a manifest's root."""
    return sign(root_message(manifest.root))


def registration_body(
    data: bytes, sign: Callable[[bytes], bytes], *, on: datetime, country: str | None = None
) -> dict[str, Any]:
    """The `chip.register` body for a manifest: parsed and checked here first (so bad rows show
    before upload), its SHA-256, row count, root and the manufacturer's root signature.
    `country`, if given, must be every row's assembly-site country (the server checks it too)."""
    if country:
        country = parse_country(country)
    manifest = parse_manifest(data, on=on, country=country or None)
    body: dict[str, Any] = {
        "manifest_sha256": manifest.sha256,
        "rows": len(manifest.rows),
        "root": base64.b64encode(manifest.root).decode("ascii"),
        "root_signature": base64.b64encode(sign_manifest(manifest, sign)).decode("ascii"),
    }
    if country:
        body["country"] = country
    return body
