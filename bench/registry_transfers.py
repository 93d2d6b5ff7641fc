"""Transfers declared + confirmed per second on SQLite and PostgreSQL, ledger included.

Run by hand: `.venv/bin/python bench/registry_transfers.py [--transfers 1000] [--chips 8]
[--skip-postgres]`. Each transfer goes through the library's use cases exactly as the API
runs them (`registry.actions.perform` with a signed envelope: token, key, nonce, access
matrix, regime evaluation, conditional UPDATE, custody events, ledger entry), first
`transfer.declare` by the custodian, then `transfer.confirm` by the receiver; the ledger's
integrator then indexes every entry and signs a checkpoint (timed separately and in the
total). The chips are inserted directly beforehand (set-up, not timed: registration from
manifests is measured by the chip-registration bench). Prints Markdown (or JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import encode_public_key
from computegov.instants import utcnow
from computegov.ledger.integrator import integrate_all
from computegov.registry.actions import perform
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.custody import transfers
from computegov.registry.ids import new_id
from computegov.registry.parties import service as parties
from computegov.registry.parties.bootstrap import ensure_administrator
from computegov.store import Ed25519FileSigner, Store
from scratch import scratch_store  # noqa: E402  (bench/scratch.py)


@dataclass(frozen=True)
class Row:
    """One measurement: `count` operations of `what` in `seconds`."""

    what: str
    engine: str
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "per_second": round(self.per_second, 1)}


@dataclass
class Acting:
    """A party as the bench drives it."""

    id: str
    token: str
    signer: Ed25519FileSigner


def _act(
    store: Store, who: Acting, type: str, body: dict[str, Any], handler: Any
) -> dict[str, Any]:
    signed = sign_envelope(
        make_envelope(type, body, origin=store.origin, time=utcnow()), who.signer
    )
    status, result = perform(store, signed, expected_type=type, token=who.token, handler=handler)
    assert status < 300, result
    return result


def _party(store: Store, admin: Acting, role: str, name: str, country: str) -> Acting:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signer = Ed25519FileSigner(Ed25519PrivateKey.generate())
    body = {
        "legal_name": name,
        "role": role,
        "country": country,
        "public_keys": [encode_public_key(signer.public_key_bytes())],
    }
    result = _act(store, admin, "party.create", body, parties.create_party)
    return Acting(result["party"]["id"], result["token"], signer)


def _chips(store: Store, maker: Acting, count: int) -> list[str]:
    """Set-up, not timed: chips held in stock by the maker in the US."""
    now = store.clock.now()
    ids = [new_id("chp") for _ in range(count)]
    with store.transaction(write=True) as session:
        manifest = Manifest(
            id=new_id("man"),
            manufacturer_id=maker.id,
            sha256="0" * 64,
            root=b"\0" * 32,
            size=count,
            key_id="bench",
            signature=b"\0" * 64,
            created_at=now,
            entry_id="bench",
        )
        session.add(manifest)
        session.flush()
        session.execute(
            sa.insert(Chip),
            [
                {
                    "id": chip_id,
                    "vendor": "NVIDIA",
                    "serial": f"BENCH-{i:08d}",
                    "model": "H100 SXM",
                    "manufactured_on": date(2025, 6, 1),
                    "fab": "TSMC Fab 18",
                    "assembly_site": "TSMC Advanced Backend Fab 6",
                    "device_key": None,
                    "device_key_id": None,
                    "manufacturer_id": maker.id,
                    "custodian_id": maker.id,
                    "country": "US",
                    "site_id": None,
                    "status": "in_stock",
                    "manifest_id": manifest.id,
                    "manifest_index": i,
                    "registered_at": now,
                    "entry_id": "bench",
                }
                for i, chip_id in enumerate(ids)
            ],
        )
    return ids


def run_engine(engine: str, workdir: Path, n_transfers: int, per_transfer: int) -> list[Row]:
    """Declare and confirm `n_transfers` transfers of `per_transfer` chips each."""
    with scratch_store(engine, workdir) as store:
        files = ensure_administrator(store)
        admin = Acting(
            files.party_id,
            files.token_path.read_text().strip(),
            Ed25519FileSigner.load(files.key_path),
        )
        maker = _party(store, admin, "manufacturer", "Bench Maker", "US")
        cloud = _party(store, admin, "cloud_provider", "Bench Cloud", "US")
        chips = _chips(store, maker, n_transfers * per_transfer)
        integrate_all(store)
        start = time.perf_counter()
        for i in range(n_transfers):
            batch = chips[i * per_transfer : (i + 1) * per_transfer]
            body = {"chips": batch, "receiver_id": cloud.id, "destination_country": "US"}
            declared = _act(store, maker, "transfer.declare", body, transfers.declare_transfer)
            confirm = {"transfer_id": declared["transfer"]["id"]}
            _act(store, cloud, "transfer.confirm", confirm, transfers.confirm_transfer)
        actions = time.perf_counter() - start
        start = time.perf_counter()
        entries = integrate_all(store)
        integration = time.perf_counter() - start
        assert entries == 2 * n_transfers, entries
    label = f"{per_transfer} chips each"
    return [
        Row(
            f"transfers declared + confirmed ({label}), actions only", engine, n_transfers, actions
        ),
        Row(f"ledger integration of their {entries:,} entries", engine, entries, integration),
        Row(
            f"transfers declared + confirmed ({label}), ledger included",
            engine,
            n_transfers,
            actions + integration,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=1000)
    parser.add_argument("--chips", type=int, default=8)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite"] + ([] if args.skip_postgres else ["postgresql"])
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            rows += run_engine(engine, Path(tmp), args.transfers, args.chips)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print()
    print("| what | engine | count | seconds | per second |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r.what} | {r.engine} | {r.count:,} | {r.seconds:.2f} | {r.per_second:,.1f} |")


if __name__ == "__main__":
    main()
