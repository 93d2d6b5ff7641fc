"""Helpers the chip tests share: manifests and their signed registration."""

from __future__ import annotations

import base64
from typing import Any

from computegov.identity.keys import encode_public_key
from computegov.registry.chips import manifests
from conftest import Actor, World, new_signer

HEADER = ",".join(manifests.COLUMNS)


def device_key() -> str:
    return encode_public_key(new_signer().public_key_bytes())


def manifest_csv(rows: list[tuple[str, str, str, str, str | None]]) -> bytes:
    """CSV bytes; a row's key None means a fresh device key."""
    lines = [HEADER]
    for serial, model, made, fab, key in rows:
        lines.append(",".join([serial, model, made, fab, device_key() if key is None else key]))
    return ("\n".join(lines) + "\n").encode()


def h100s(count: int, prefix: str = "SN") -> bytes:
    return manifest_csv(
        [(f"{prefix}-{i:04d}", "H100", "2026-01-15", "TSMC", None) for i in range(count)]
    )


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
