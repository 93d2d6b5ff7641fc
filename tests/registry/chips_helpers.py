"""Helpers the chip tests share: manifests and their signed registration."""

from __future__ import annotations

import base64
from typing import Any

from computegov.identity.keys import encode_public_key
from computegov.registry.chips import manifests
from conftest import Actor, World, new_signer

HEADER = ",".join(manifests.COLUMNS)
FAB = "TSMC Fab 18"  # TW
ASSEMBLY = "Amkor Arizona"  # US: chips finished here start in the United States
TAIWAN = "TSMC Advanced Backend Fab 6"  # TW


def device_key() -> str:
    return encode_public_key(new_signer().public_key_bytes())


def manifest_csv(
    rows: list[tuple[str, str, str, str, str | None]], assembly: str = ASSEMBLY
) -> bytes:
    """CSV bytes of rows (serial, model, made, fab, key), all finished at `assembly`; a row's
    key None means a fresh device key."""
    lines = [HEADER]
    for serial, model, made, fab, key in rows:
        key_text = device_key() if key is None else key
        lines.append(",".join([serial, model, made, fab, assembly, key_text]))
    return ("\n".join(lines) + "\n").encode()


def h100s(count: int, prefix: str = "SN", assembly: str = ASSEMBLY) -> bytes:
    return manifest_csv(
        [(f"{prefix}-{i:04d}", "H100", "2026-01-15", FAB, None) for i in range(count)], assembly
    )


def bind_vendor(
    world: World, vendor: str, maker: Actor, by: Actor | None = None, **extra: Any
) -> Any:
    """`by` (default: the administrator) binds `vendor` to `maker`; the HTTP response."""
    by = by or world.admin
    body = {"vendor": vendor, "manufacturer_id": maker.id, **extra}
    return world.post(by, "/v1/vendors/bindings", world.envelope(by, "vendor.bind", body))


def maker_of(
    world: World,
    vendor: str = "NVIDIA",
    name: str = "Maker",
    country: str = "US",
    parent: Actor | None = None,
) -> Actor:
    """A manufacturer that may register `vendor`'s chips: bound to it by the administrator, or,
    given `parent` (already bound), a subsidiary of it."""
    extra = {"parent_id": parent.id} if parent is not None else {}
    maker = world.create(world.admin, "manufacturer", name, country, **extra)
    if parent is None:
        response = bind_vendor(world, vendor, maker)
        assert response.status_code == 201, response.text
    return maker


def register(
    world: World, maker: Actor, data: bytes, *, body: dict[str, Any] | None = None, **extra: Any
) -> Any:
    """POST a manifest with a body signed by `maker` (or the given body), as the CLI would."""
    if body is None:
        body = manifests.registration_body(data, maker.signer.sign, on=world.clock.now(), **extra)
    upload = {"signed": world.envelope(maker, "chip.register", body), "csv": data.decode()}
    return world.post(maker, "/v1/manifests", upload)


def unsigned_body(data: bytes, maker: Actor, world: World) -> dict[str, Any]:
    """A registration body computed without the parser's checks (to send bad manifests)."""
    import hashlib

    from computegov.ledger import merkle

    leaves = [merkle.hash_leaf(line) for line in data.splitlines()[1:]]
    root = merkle.root(leaves)
    return {
        "manifest_sha256": hashlib.sha256(data).hexdigest(),
        "rows": len(leaves),
        "root": base64.b64encode(root).decode(),
        "root_signature": base64.b64encode(
            maker.signer.sign(manifests.root_message(root))
        ).decode(),
    }
