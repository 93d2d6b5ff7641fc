"""C2SP tlog-tiles: paths, which tiles a tree has, and node hashes read back from tiles."""

from __future__ import annotations

import random

import pytest

from computegov.errors import InvalidInput
from computegov.ledger.merkle import (
    MemoryTree,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    root_at,
)
from computegov.ledger.tiles import (
    TILE_WIDTH,
    changed_tiles,
    decode_entry_bundle,
    encode_entry_bundle,
    encode_index,
    entries_path,
    node_from_tiles,
    parse_tile_path,
    tile_coordinates,
    tile_hashes,
    tile_path,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (10**9, "x001/x000/x000/000"),
    ],
)
def test_encode_index(n: int, text: str) -> None:
    assert encode_index(n) == text


def test_paths_follow_the_spec_example() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(2, 1234067, 8) == "tile/2/x001/x234/067.p/8"
    assert entries_path(1234067) == "tile/entries/x001/x234/067"
    assert entries_path(0, 255) == "tile/entries/000.p/255"
    assert tile_path(1, 5, TILE_WIDTH) == "tile/1/005"


def test_paths_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        level, index, width = rng.randint(0, 63), rng.randint(0, 10**10), rng.randint(1, 256)
        assert parse_tile_path(tile_path(level, index, width)) == (level, index, width)
        assert parse_tile_path(entries_path(index, width)) == (None, index, width)


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1234",
        "tile/0/x000/001",  # leading zero group: not canonical
        "tile/0/001.p/256",  # a full tile has no suffix
        "tile/0/001.p/0",
        "tile/0/001.p/05",
        "tile/01/001",
        "tile/64/001",
        "tile/x/001",
        "tile/0/x001",
        "tile/entries/001/",
        "/tile/0/001",
        "tile/0/001.p/",
    ],
)
def test_bad_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidInput, match="tile path"):
        parse_tile_path(path)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidInput, match="width 0"):
        tile_path(0, 1, 0)
    with pytest.raises(InvalidInput, match="width 257"):
        entries_path(1, 257)
    with pytest.raises(InvalidInput, match="negative"):
        encode_index(-1)
    with pytest.raises(InvalidInput, match="level 64"):
        tile_path(64, 0)


def test_entry_bundles_round_trip() -> None:
    entries = [b"", b"a", bytes(range(256)) * 3, b"\x00" * 65535]
    data = encode_entry_bundle(entries)
    assert data[:5] == b"\x00\x00\x00\x01a"
    assert decode_entry_bundle(data) == entries
    assert decode_entry_bundle(b"") == []


def test_entry_bundles_refuse_oversized_and_truncated_entries() -> None:
    with pytest.raises(InvalidInput, match="65536 bytes"):
        encode_entry_bundle([b"\x00" * 65536])
    with pytest.raises(InvalidInput, match="truncated"):
        decode_entry_bundle(b"\x00\x05abc")
    with pytest.raises(InvalidInput, match="length prefix"):
        decode_entry_bundle(b"\x00\x01a\x00")


def test_tile_coordinates_of_the_spec_examples() -> None:
    # tlog-tiles: 70,000 entries are 273 full level-0 tiles, a partial one of width 112,
    # one full level-1 tile, a partial level-1 tile of width 17 and a level-2 tile of width 1.
    tiles = tile_coordinates(70_000)
    assert tiles == [(0, i, 256) for i in range(273)] + [
        (0, 273, 112),
        (1, 0, 256),
        (1, 1, 17),
        (2, 0, 1),
    ]
    # A tree of size 256 is one full level-0 tile and a level-1 tile of width 1.
    assert tile_coordinates(256) == [(0, 0, 256), (1, 0, 1)]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, []),
        (1, [(0, 0, 1)]),
        (255, [(0, 0, 255)]),
        (257, [(0, 0, 256), (0, 1, 1), (1, 0, 1)]),
        (65536, [*((0, i, 256) for i in range(256)), (1, 0, 256), (2, 0, 1)]),
        (65537, [*((0, i, 256) for i in range(256)), (0, 256, 1), (1, 0, 256), (2, 0, 1)]),
    ],
)
def test_tile_coordinates_at_edges(size: int, expected: list[tuple[int, int, int]]) -> None:
    assert tile_coordinates(size) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (0, 0, []),
        (0, 1, [(0, 0, 1)]),
        (1, 1, []),
        (1, 255, [(0, 0, 255)]),
        (255, 256, [(0, 0, 256), (1, 0, 1)]),
        (256, 257, [(0, 1, 1)]),
        (257, 300, [(0, 1, 44)]),
        (65535, 65536, [(0, 255, 256), (1, 0, 256), (2, 0, 1)]),
        (65536, 65537, [(0, 256, 1)]),
        (1, 65537, [*((0, i, 256) for i in range(256)), (0, 256, 1), (1, 0, 256), (2, 0, 1)]),
    ],
)
def test_changed_tiles_at_edges(old: int, new: int, expected: list[tuple[int, int, int]]) -> None:
    assert changed_tiles(old, new) == expected


def test_changed_tiles_are_exactly_the_new_coordinates() -> None:
    rng = random.Random(11)
    sizes = [0, 1, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70_000]
    sizes += [rng.randint(0, 200_000) for _ in range(40)]
    for old in sizes:
        for new in sizes:
            if old <= new:
                before = set(tile_coordinates(old))
                after = tile_coordinates(new)
                assert changed_tiles(old, new) == [t for t in after if t not in before]
    with pytest.raises(InvalidInput, match="grows"):
        changed_tiles(5, 4)


LEAVES = [hash_leaf(i.to_bytes(4, "big")) for i in range(70_000)]
TREE = MemoryTree(LEAVES)


def _tile_store(size: int) -> dict[tuple[int, int], list[bytes]]:
    return {(lv, ix): tile_hashes(lv, ix, w, TREE.node) for lv, ix, w in tile_coordinates(size)}


def test_level_zero_tiles_hold_leaf_hashes() -> None:
    assert tile_hashes(0, 1, 3, TREE.node) == LEAVES[256:259]
    assert tile_hashes(1, 0, 2, TREE.node) == [TREE.node(8, 0), TREE.node(8, 1)]


@pytest.mark.parametrize("size", [1, 2, 3, 255, 256, 257, 1000, 65535, 65536, 65537, 70_000])
def test_node_from_tiles_equals_memory_tree(size: int) -> None:
    store = _tile_store(size)

    def node(level: int, index: int) -> bytes:
        return node_from_tiles(level, index, lambda lv, ix: store[(lv, ix)])

    for level in range(size.bit_length()):
        count = size >> level
        for index in {0, 1, count // 2, count - 2, count - 1} & set(range(count)):
            assert node(level, index) == TREE.node(level, index), (size, level, index)
    # The whole point: roots and proofs come out of stored tiles alone.
    assert root_at(size, node) == TREE.root(size)
    rng = random.Random(size)
    for index in [0, size - 1, *(rng.randrange(size) for _ in range(10))]:
        assert inclusion_proof(index, size, node) == inclusion_proof(index, size, TREE.node)
    for old in [1, size, *(rng.randint(1, size) for _ in range(10))]:
        assert consistency_proof(old, size, node) == consistency_proof(old, size, TREE.node)


def test_node_from_tiles_refuses_a_node_the_partial_tile_lacks() -> None:
    store = _tile_store(300)
    with pytest.raises(IndexError, match="not complete"):
        node_from_tiles(3, 37, lambda lv, ix: store[(lv, ix)])  # leaves 296..303; 300 exist
