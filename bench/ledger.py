"""Ledger throughput on SQLite and PostgreSQL, proofs from stored tiles, against the bounds.

Run by hand: `.venv/bin/python bench/ledger.py [--proof-size 1000000] [--skip-postgres]`.
In one run it measures: entries appended and integrated per second with batches of 1, 256
and 10,000 (each batch one append transaction, then one integration); the commit cost of a
one-entry append; the integrator alone; inclusion and consistency proofs per second served
from the stored tiles of a log of `--proof-size` entries (appended and integrated through
the real code path); and, from bench/merkle.py, raw SHA-256 leaf+node hashing and pymerkle 7's
SqliteTree proofs on the same workload. Prints Markdown (or JSON with --json).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import merkle as merkle_bench  # noqa: E402  (bench/merkle.py, the merkle engineer's script)
from computegov.ledger import log, merkle  # noqa: E402
from computegov.ledger.integrator import integrate  # noqa: E402
from computegov.store import Store  # noqa: E402
from scratch import scratch_store  # noqa: E402  (bench/scratch.py)


@dataclass(frozen=True)
class Row:
    """One measurement: `count` operations of `what` in `seconds`."""

    what: str
    engine: str
    count: int
    seconds: float
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "per_second": round(self.per_second, 1)}


def _record(i: int) -> dict[str, object]:
    """A record the size of a custody transfer: a few strings and numbers."""
    return {
        "serial": f"H100-{i:09d}",
        "model": "H100 SXM",
        "from": "ACME",
        "to": "Contoso",
        "country": "NL",
        "quantity": 1,
        "at": "2026-01-05T09:30:00Z",
    }


def _append(store: Store, start: int, count: int) -> None:
    with store.transaction() as session:
        log.append_many(
            session, [("chip.transferred", _record(start + i), "bench") for i in range(count)]
        )


def measure_append_integrate(store: Store, engine: str, batch: int, total: int) -> Row:
    """Append `total` entries in transactions of `batch`, integrating after each one."""
    n = 0
    start = time.perf_counter()
    while n < total:
        _append(store, n, batch)
        done = integrate(store, limit=batch)
        assert done is not None and done.count == batch
        n += batch
    return Row(f"append + integrate, batches of {batch:,}", engine, n, time.perf_counter() - start)


def measure_commit(store: Store, engine: str, count: int) -> Row:
    """One-entry append transactions alone: the cost of a commit per state change."""
    start = time.perf_counter()
    for i in range(count):
        _append(store, i, 1)
    seconds = time.perf_counter() - start
    integrate(store)
    return Row(
        "append alone, 1 entry per commit",
        engine,
        count,
        seconds,
        f"{seconds / count * 1000:.2f} ms per commit",
    )


def measure_integrator(store: Store, engine: str, total: int, batch: int) -> Row:
    """The integrator alone, on entries appended beforehand (not timed)."""
    for start in range(0, total, 10_000):
        _append(store, start, min(10_000, total - start))
    start = time.perf_counter()
    n = 0
    while n < total:
        done = integrate(store, limit=batch)
        assert done is not None
        n += done.count
    return Row(f"integrator alone, batches of {batch:,}", engine, n, time.perf_counter() - start)


def build_log(store: Store, size: int) -> float:
    """Append and integrate `size` entries in batches of 10,000; returns the seconds taken."""
    start = time.perf_counter()
    for first in range(0, size, 10_000):
        count = min(10_000, size - first)
        _append(store, first, count)
        integrate(store, limit=count)
    return time.perf_counter() - start


def _warm(nodes: merkle.NodeSource, size: int) -> None:
    """Expand every tile once, as a long-running server's cache would have."""
    for index in range(size // 128):
        nodes(7, index)


def measure_stored_proofs(store: Store, count: int) -> list[Row]:
    """Inclusion and consistency proofs from the stored tiles, each verified, as served.

    Three ways: the router's default node source (1,024 expanded tiles kept), one large
    enough to keep the whole tree's tiles expanded (warmed first), and no cache at all.
    """
    with store.sessions() as session:
        latest = log.latest_checkpoint(session)
        size, root = latest.size, latest.root
        indexes = merkle_bench._inclusion_cases(size, count, 1)
        leaf_hash = {i: merkle.hash_leaf(log.leaves(session, i, i + 1)[0]) for i in indexes}
    olds = merkle_bench._consistency_cases(size, count, 2)
    scratch = log.stored_tile_nodes(store, max_tiles=size // 256 + 64)
    old_roots = {m: merkle.root_at(m, scratch) for m in olds}
    whole = log.stored_tile_nodes(store, max_tiles=size // 256 + 64)
    _warm(whole, size)
    variants: list[tuple[str, merkle.NodeSource | None]] = [
        (
            "stored tiles, router default (1,024 expanded tiles cached)",
            log.stored_tile_nodes(store),
        ),
        (f"stored tiles, all {size // 256 + 1:,} tiles expanded in memory (warm)", whole),
        ("stored tiles, no cache (node_from_tiles per request)", None),
    ]
    rows = []
    for label, node in variants:
        floor = log.SizeFloor() if node is not None else None  # as the router does
        with store.sessions() as session:
            start = time.perf_counter()
            for index in indexes:
                body = log.inclusion(session, index, size, node, floor)
                proof = [base64.b64decode(h) for h in body["proof"]]
                merkle.verify_inclusion(leaf_hash[index], index, size, proof, root)
            seconds = time.perf_counter() - start
            rows.append(
                Row("inclusion proof + verify", "sqlite", count, seconds, f"{label}, size {size:,}")
            )
            start = time.perf_counter()
            for old in olds:
                body = log.consistency(session, old, size, node, floor)
                proof = [base64.b64decode(h) for h in body["proof"]]
                merkle.verify_consistency(old, size, proof, old_roots[old], root)
            seconds = time.perf_counter() - start
            rows.append(
                Row(
                    "consistency proof + verify",
                    "sqlite",
                    count,
                    seconds,
                    f"{label}, size {size:,}",
                )
            )
    return rows


def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    engines = ["sqlite"] if args.skip_postgres else ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="computegov-bench-") as tmp:
        workdir = Path(tmp)
        for engine in engines:
            for batch, total in ((1, args.small), (256, 256 * 20), (10_000, 30_000)):
                with scratch_store(engine, workdir) as store:
                    rows.append(measure_append_integrate(store, engine, batch, total))
                    print(rows[-1].to_dict(), file=sys.stderr)
            with scratch_store(engine, workdir) as store:
                rows.append(measure_commit(store, engine, args.small))
                rows.append(measure_integrator(store, engine, 50_000, 10_000))
                print(rows[-2].to_dict(), rows[-1].to_dict(), file=sys.stderr)
        with scratch_store("sqlite", workdir) as store:
            seconds = build_log(store, args.proof_size)
            rows.append(
                Row(
                    "build the proof log (append + integrate, 10,000 a batch)",
                    "sqlite",
                    args.proof_size,
                    seconds,
                )
            )
            print(rows[-1].to_dict(), file=sys.stderr)
            rows += measure_stored_proofs(store, args.proofs)
    hashing = merkle_bench.measure_hashing(1_000_000)
    rows.append(
        Row("raw SHA-256 leaf + node hash (the bound)", "hashlib", hashing.count, hashing.seconds)
    )
    if not args.skip_pymerkle:
        for r in merkle_bench.measure_pymerkle(args.pymerkle_size or args.proof_size, args.proofs):
            rows.append(
                Row(
                    r.what,
                    r.implementation.replace("pymerkle", "pymerkle 7"),
                    r.count,
                    r.seconds,
                    f"size {r.size:,}",
                )
            )
    return rows


def markdown(rows: list[Row]) -> str:
    lines = [
        "| operation | engine | count | seconds | per second | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.what} | {r.engine} | {r.count:,} | {r.seconds:.3f} | "
            f"{r.per_second:,.0f} | {r.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--proof-size", type=int, default=1_000_000)
    parser.add_argument("--pymerkle-size", type=int, default=None)
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--small", type=int, default=300, help="entries for batches of 1")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-pymerkle", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = run(args)
    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "ledger.json").write_text(json.dumps([r.to_dict() for r in rows], indent=2))
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    print(
        f"{started}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite synchronous=FULL (WAL)"
    )
    print(markdown(rows))


if __name__ == "__main__":
    main()
