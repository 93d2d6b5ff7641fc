"""The chip registry's throughput: chips registered from one manifest, ledger included.

Run by hand: `.venv/bin/python bench/registry.py [--chips 1000000] [--engine sqlite|postgresql|both]
[--profile]`. For each engine, on a fresh store: a manufacturer registers one manifest of
`--chips` H100s (each with a device key) through the library use case (`perform` with the
`chip.register` handler, as the API runs it, without HTTP), then the integrator gives every
pending entry its index and signs the checkpoint. Measured separately: the client's side
(parse, check, Merkle root, signature), the server's registration transaction (checks again,
inserts chips and custody events, and one ledger entry for the whole manifest) and the
integration. PostgreSQL runs in a scratch database at 127.0.0.1:5432
(COMPUTEGOV_BENCH_POSTGRES_URL), dropped after.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import os
import platform
import pstats
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.identity.keys import encode_public_key
from computegov.ledger.integrator import integrate_all
from computegov.registry.actions import perform
from computegov.registry.chips import makers, manifests
from computegov.registry.chips import service as chips
from computegov.registry.parties import service as parties
from computegov.registry.parties.bootstrap import ensure_administrator
from computegov.store import Store
from computegov.store.signer import Ed25519FileSigner
from scratch import scratch_store  # noqa: E402  (bench/scratch.py)


@dataclass(frozen=True)
class Timing:
    what: str
    engine: str
    count: int
    seconds: float
    cpu: float  # this process's CPU time (user + system); PostgreSQL's own is not in it

    def line(self) -> str:
        rate = self.count / self.seconds if self.seconds else float("inf")
        per_item = self.cpu / self.count * 1e6 if self.count else 0.0
        return (
            f"| {self.engine} | {self.what} | {self.count:,} | {self.seconds:.1f} s "
            f"| {rate:,.0f}/s | {self.cpu:.1f} s | {per_item:,.1f} µs |"
        )


def manifest_bytes(count: int) -> bytes:
    """A manifest of `count` H100s with distinct serials and random 32-byte device keys."""
    key = base64.b64encode
    lines = [",".join(manifests.COLUMNS)]
    lines += [
        f"SN{i:010d},H100 SXM,2026-01-15,TSMC Fab 18,TSMC Advanced Backend Fab 6,"
        f"{key(os.urandom(32)).decode()}"
        for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def _signed(store: Store, signer: Ed25519FileSigner, type: str, body: dict[str, object]) -> object:
    envelope = make_envelope(type, body, origin=store.origin, time=store.clock.now())
    return sign_envelope(envelope, signer)


def manufacturer(store: Store, workdir: Path) -> tuple[str, Ed25519FileSigner]:
    """A manufacturer created by the administrator and bound to NVIDIA, as the API would: its
    token and key."""
    admin = ensure_administrator(store)
    admin_signer = Ed25519FileSigner.load(admin.key_path)
    signer = Ed25519FileSigner.generate(workdir / f"maker-{uuid.uuid4().hex[:6]}.key")
    body = {
        "legal_name": "Bench Maker",
        "role": "manufacturer",
        "country": "TW",
        "public_keys": [encode_public_key(signer.public_key_bytes())],
    }
    _, result = perform(
        store,
        _signed(store, admin_signer, "party.create", body),  # type: ignore[arg-type]
        expected_type="party.create",
        token=admin.token_path.read_text().strip(),
        handler=parties.create_party,
    )
    bind = {"vendor": "NVIDIA", "manufacturer_id": result["party"]["id"]}
    perform(
        store,
        _signed(store, admin_signer, "vendor.bind", bind),  # type: ignore[arg-type]
        expected_type="vendor.bind",
        token=admin.token_path.read_text().strip(),
        handler=makers.bind_vendor,
    )
    return str(result["token"]), signer


def measure_registration(engine: str, count: int, workdir: Path, profile: bool) -> list[Timing]:
    """Client side, server transaction and integration of one manifest of `count` chips."""
    data = manifest_bytes(count)
    with scratch_store(engine, workdir) as store:
        token, signer = manufacturer(store, workdir)
        t0, c0 = time.perf_counter(), time.process_time()
        body = manifests.registration_body(data, signer.sign, on=store.clock.now())
        t1, c1 = time.perf_counter(), time.process_time()
        signed = _signed(store, signer, "chip.register", body)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        status, result = perform(
            store,
            signed,  # type: ignore[arg-type]
            expected_type="chip.register",
            token=token,
            handler=chips.registration(data),
        )
        t2, c2 = time.perf_counter(), time.process_time()
        integrated = integrate_all(store)
        t3, c3 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        assert status == 201 and result["chips"] == count, result
        assert integrated >= 1, integrated  # the manifest's one entry (and setup's)
    return [
        Timing("client: parse, root, sign", engine, count, t1 - t0, c1 - c0),
        Timing("server: register (one transaction)", engine, count, t2 - t1, c2 - c1),
        Timing("integrate (index, tiles, checkpoint)", engine, integrated, t3 - t2, c3 - c2),
        Timing("register + integrate", engine, count, t3 - t1, c3 - c1),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile the server side")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, SQLite synchronous=FULL (WAL)"
    )
    print(
        "| engine | what | count | time | rate | CPU | CPU per item |\n"
        "|---|---|---:|---:|---:|---:|---:|"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            for timing in measure_registration(engine, args.chips, Path(tmp), args.profile):
                print(timing.line(), flush=True)


if __name__ == "__main__":
    main()
