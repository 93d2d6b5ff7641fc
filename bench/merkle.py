"""Merkle hashing and proof throughput: computegov.ledger.merkle against pymerkle 7's SqliteTree.

Run by hand: `.venv/bin/python bench/merkle.py [--size 1000000] [--proofs 2000]`. Prints a
Markdown table (or JSON with --json). `bench/ledger.py` imports `run` or the `measure_*`
functions to report everything in one run. Every proof is made and then verified against
a root known beforehand, as a server answering from a signed checkpoint would. Each
timing is the fastest of --repeat runs over the same cases; pymerkle, which caches subroots,
is timed once from an empty cache and then warm (the same cases again, which favours it).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from computegov.ledger.merkle import (
    MemoryTree,
    NodeSource,
    consistency_proof,
    hash_children,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from computegov.ledger.tiles import (
    CachedTileNodes,
    node_from_tiles,
    tile_coordinates,
    tile_hashes,
)


@dataclass(frozen=True)
class Result:
    """One measurement: `count` operations of `what` on a tree of `size` leaves."""

    what: str
    implementation: str
    size: int
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "per_second": round(self.per_second, 1)}


def _timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _best(fn: Callable[[], None], repeat: int) -> float:
    """The fastest of `repeat` runs: on a shared machine the minimum is the least disturbed."""
    return min(_timed(fn) for _ in range(repeat))


def _entry(i: int) -> bytes:
    return b"entry %d" % i


def measure_hashing(count: int = 1_000_000, repeat: int = 3) -> Result:
    """Raw SHA-256: one leaf hash plus one node hash per operation, the bound on integration."""
    left = right = hash_leaf(b"x")

    def work() -> None:
        for i in range(count):
            hash_leaf(b"entry %d" % i)
            hash_children(left, right)

    return Result("leaf + node hash", "hashlib", 0, count, _best(work, repeat))


def measure_build(size: int) -> tuple[MemoryTree, Result]:
    """Build a MemoryTree of `size` leaves from leaf hashes (hashing the entries not counted)."""
    leaf_hashes = [hash_leaf(_entry(i)) for i in range(size)]
    tree = MemoryTree()
    seconds = _timed(lambda: tree.extend(leaf_hashes))
    return tree, Result("build tree (append)", "MemoryTree", size, size, seconds)


def _inclusion_cases(size: int, count: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(size) for _ in range(count)]


def _consistency_cases(size: int, count: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(1, size) for _ in range(count)]


def measure_proofs(
    tree: MemoryTree,
    count: int,
    *,
    node: NodeSource | None = None,
    label: str = "MemoryTree",
    repeat: int = 3,
) -> list[Result]:
    """Inclusion and consistency proofs at the tree's full size: prove, then verify."""
    size = tree.size
    node = node or tree.node
    new_root = tree.root()
    indexes = _inclusion_cases(size, count, 1)
    leaves = [tree.node(0, i) for i in indexes]

    def inclusion() -> None:
        for index, leaf in zip(indexes, leaves, strict=True):
            verify_inclusion(leaf, index, size, inclusion_proof(index, size, node), new_root)

    olds = _consistency_cases(size, count, 2)
    old_roots = [tree.root(m) for m in olds]

    def consistency() -> None:
        for old, old_root in zip(olds, old_roots, strict=True):
            proof = consistency_proof(old, size, node)
            verify_consistency(old, size, proof, old_root, new_root)

    return [
        Result("inclusion proof + verify", label, size, count, _best(inclusion, repeat)),
        Result("consistency proof + verify", label, size, count, _best(consistency, repeat)),
    ]


def measure_tile_proofs(tree: MemoryTree, count: int, repeat: int = 3) -> list[Result]:
    """The same proofs read from C2SP tiles held in a dict, as the store serves them.

    Once with `node_from_tiles` (every lookup rehashes inside its tile) and once with
    `CachedTileNodes` (each tile's inner levels hashed once, 1024 tiles kept).
    """
    tiles = {
        (level, index): tile_hashes(level, index, width, tree.node)
        for level, index, width in tile_coordinates(tree.size)
    }

    def read_tile(level: int, index: int) -> list[bytes]:
        return tiles[(level, index)]

    def node(level: int, index: int) -> bytes:
        return node_from_tiles(level, index, read_tile)

    return [
        *measure_proofs(tree, count, node=node, label="node_from_tiles (dict)", repeat=repeat),
        *measure_proofs(
            tree, count, node=CachedTileNodes(read_tile), label="CachedTileNodes", repeat=repeat
        ),
    ]


def measure_pymerkle(size: int, count: int, repeat: int = 3) -> list[Result]:
    """pymerkle 7 SqliteTree (temp file): build with append_entries, then prove and verify."""
    from pymerkle import SqliteTree
    from pymerkle import verify_consistency as pm_verify_consistency
    from pymerkle import verify_inclusion as pm_verify_inclusion

    with tempfile.TemporaryDirectory() as tmp:
        tree = SqliteTree(str(Path(tmp) / "pymerkle.db"))
        build = _timed(lambda: tree.append_entries(_entry(i) for i in range(size)))
        new_root = tree.get_root(size)
        indexes = _inclusion_cases(size, count, 1)
        leaves = [tree.get_leaf(i + 1) for i in indexes]  # pymerkle counts leaves from 1

        def inclusion() -> None:
            for index, leaf in zip(indexes, leaves, strict=True):
                proof = tree.prove_inclusion(index + 1, size)
                pm_verify_inclusion(leaf, new_root, proof)

        olds = _consistency_cases(size, count, 2)
        old_roots = [tree.get_root(m) for m in olds]

        def consistency() -> None:
            for old, old_root in zip(olds, old_roots, strict=True):
                proof = tree.prove_consistency(old, size)
                pm_verify_consistency(old_root, new_root, proof)

        results = [Result("build tree (append_entries)", "pymerkle SqliteTree", size, size, build)]
        for what, fn in (
            ("inclusion proof + verify", inclusion),
            ("consistency proof + verify", consistency),
        ):
            # pymerkle caches subroots: time once from an empty cache, then the repeats warm.
            tree.cache_clear()
            cold = _timed(fn)
            warm = _best(fn, repeat)
            results.append(Result(what, "pymerkle SqliteTree, cold cache", size, count, cold))
            results.append(Result(what, "pymerkle SqliteTree, warm cache", size, count, warm))
        tree.con.close()
    return results


def run(
    size: int = 1_000_000, proofs: int = 2000, pymerkle_size: int | None = None, repeat: int = 3
) -> list[Result]:
    """Every measurement of this script, in the order the table prints them."""
    results = [measure_hashing(repeat=repeat)]
    tree, build = measure_build(size)
    results.append(build)
    results += measure_proofs(tree, proofs, repeat=repeat)
    results += measure_tile_proofs(tree, proofs, repeat=repeat)
    results += measure_pymerkle(pymerkle_size or size, proofs, repeat=repeat)
    return results


def markdown(results: list[Result]) -> str:
    """The results as the Markdown table bench/README.md quotes."""
    lines = [
        "| operation | implementation | tree size | count | seconds | per second |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.what} | {r.implementation} | {r.size:,} | {r.count:,} | "
            f"{r.seconds:.3f} | {r.per_second:,.0f} |"
        )
    return "\n".join(lines)


def speedups(results: list[Result]) -> list[str]:
    """How many times faster each implementation's proofs are than pymerkle's."""
    peers = [r for r in results if r.implementation.startswith("pymerkle") and "proof" in r.what]
    return [
        f"{r.what}, {r.implementation}: {r.per_second / peer.per_second:.1f}x {peer.implementation}"
        for peer in peers
        for r in results
        if r.what == peer.what and not r.implementation.startswith("pymerkle")
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="leaves in the tree")
    parser.add_argument("--proofs", type=int, default=2000, help="proofs of each kind")
    parser.add_argument(
        "--pymerkle-size", type=int, default=None, help="leaves for pymerkle (default: --size)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per timing; the fastest is reported"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = run(args.size, args.proofs, args.pymerkle_size, args.repeat)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        print(markdown(results))
        print()
        print("\n".join(speedups(results)))


if __name__ == "__main__":
    main()
