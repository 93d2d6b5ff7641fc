"""C2SP tlog-tiles layout: which tiles a tree has, their paths, and node hashes read back from them.

A tile at tile level L holds up to 256 consecutive hashes of tree level 8L; a tile with fewer
(a partial tile, width W) exists only at the right edge and is replaced by a wider one as the
log grows. Level-0 tiles hold leaf hashes; entry bundles at `tile/entries/` hold the leaves
themselves, each prefixed with its length as a big-endian uint16.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence

from computegov.errors import InvalidInput
from computegov.ledger.merkle import NodeSource, hash_children

TILE_HEIGHT = 8
TILE_WIDTH = 256
MAX_LEVEL = 63
MAX_ENTRY_BYTES = 0xFFFF

Tile = tuple[int, int, int]
"""(tile level, tile index, width): one tile; width 256 is a full tile."""


def encode_index(n: int) -> str:
    """A tile index as C2SP writes it: 3-digit groups, all but the last prefixed with `x`."""
    if n < 0:
        raise InvalidInput(f"tile index {n} is negative; tile indexes start at 0")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def _check_width(width: int) -> None:
    if not 1 <= width <= TILE_WIDTH:
        raise InvalidInput(f"tile width {width} is outside 1..{TILE_WIDTH}")


def _suffix(width: int) -> str:
    _check_width(width)
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """`tile/<L>/<N>[.p/<W>]`, e.g. tile(0, 1234067) -> `tile/0/x001/x234/067`."""
    if not 0 <= level <= MAX_LEVEL:
        raise InvalidInput(f"tile level {level} is outside 0..{MAX_LEVEL}")
    return f"tile/{level}/{encode_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """`tile/entries/<N>[.p/<W>]`: the bundle of the leaves under level-0 tile N."""
    return f"tile/entries/{encode_index(index)}{_suffix(width)}"


# At most 7 groups of 3 digits: every uint64 index (C2SP's range) and nothing int() refuses.
_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/){0,6}[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """(tile level, or None for an entry bundle; index; width) of a canonical tile path."""
    match = _PATH.fullmatch(path)
    accepted = "tile/<level>/<N>[.p/<width>] or tile/entries/<N>[.p/<width>], e.g. tile/0/x001/067"
    if match is None:
        raise InvalidInput(f"not a tile path: {path!r}; expected {accepted}")
    level = None if match["level"] == "entries" else int(match["level"])
    index = int(match["index"].replace("x", "").replace("/", ""))
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    if (
        (match["width"] and width >= TILE_WIDTH)
        or (level is not None and level > MAX_LEVEL)
        or encode_index(index) != match["index"]
    ):
        raise InvalidInput(f"not a canonical tile path: {path!r}; expected {accepted}")
    return level, index, width


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries, each prefixed with its length as a big-endian uint16."""
    out = bytearray()
    for i, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_BYTES:
            raise InvalidInput(
                f"entry {i} is {len(entry)} bytes; a tlog-tiles entry is at most {MAX_ENTRY_BYTES}"
            )
        out += len(entry).to_bytes(2, "big")
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; InvalidInput if a length prefix runs past the end."""
    entries = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise InvalidInput(f"entry bundle ends inside a length prefix at byte {pos}")
        length = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + length > len(data):
            raise InvalidInput(
                f"entry bundle truncated: entry at byte {pos - 2} needs {length} bytes, "
                f"{len(data) - pos} remain"
            )
        entries.append(bytes(data[pos : pos + length]))
        pos += length
    return entries


def _tiles_at_level(count: int, level: int, first: int) -> list[Tile]:
    """Tiles of tile level `level` holding `count` hashes, from tile index `first` on."""
    full, rest = divmod(count, TILE_WIDTH)
    tiles = [(level, i, TILE_WIDTH) for i in range(first, full)]
    if rest:
        tiles.append((level, full, rest))
    return tiles


def tile_coordinates(size: int) -> list[Tile]:
    """Every tile of a tree of `size` leaves, level by level; partial tiles at the right edge."""
    return changed_tiles(0, size)


def changed_tiles(old_size: int, new_size: int) -> list[Tile]:
    """The tiles a growth from old_size to new_size writes: new ones and wider right edges."""
    if not 0 <= old_size <= new_size:
        raise InvalidInput(
            f"a log grows: need 0 <= old_size <= new_size, got {old_size}, {new_size}"
        )
    tiles: list[Tile] = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old = old_size >> (TILE_HEIGHT * level)
        new = new_size >> (TILE_HEIGHT * level)
        if new != old:
            tiles += _tiles_at_level(new, level, old // TILE_WIDTH)
        level += 1
    return tiles


def tile_hashes(level: int, index: int, width: int, node: NodeSource) -> list[bytes]:
    """The `width` hashes of tile (level, index): tree level 8*level, nodes index*256 on."""
    _check_width(width)
    base = index * TILE_WIDTH
    return [node(TILE_HEIGHT * level, base + i) for i in range(width)]


def node_from_tiles(
    level: int, index: int, read_tile: Callable[[int, int], Sequence[bytes]]
) -> bytes:
    """A NodeSource over stored tiles: a node between tile levels is hashed up from the tile below.

    read_tile(tile_level, tile_index) returns that tile's hashes (full or partial).
    """
    tile_level, height = divmod(level, TILE_HEIGHT)
    first = index << height  # the node's leftmost descendant on tree level 8*tile_level
    count = 1 << height
    offset = first % TILE_WIDTH
    hashes = read_tile(tile_level, first // TILE_WIDTH)
    if offset + count > len(hashes):
        raise IndexError(
            f"node ({level}, {index}) is not complete in tile ({tile_level}, "
            f"{first // TILE_WIDTH}) of width {len(hashes)}"
        )
    row = list(hashes[offset : offset + count])
    while len(row) > 1:
        row = [hash_children(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


class CachedTileNodes:
    """A NodeSource over stored tiles that hashes each tile's inner levels once and keeps them.

    `node_from_tiles` rehashes up to 127 hashes per lookup; a server answering many proofs
    shares the upper tiles between all of them and the newest level-0 tiles between recent
    entries, so this keeps the `max_tiles` most recently used tiles expanded. Tiles only
    grow at the right edge, so an expansion stays valid; a node past it re-reads the tile.
    """

    def __init__(
        self, read_tile: Callable[[int, int], Sequence[bytes]], max_tiles: int = 1024
    ) -> None:
        self._read_tile = read_tile
        self._max_tiles = max_tiles
        self._tiles: OrderedDict[tuple[int, int], list[list[bytes]]] = OrderedDict()

    def _expand(self, key: tuple[int, int]) -> list[list[bytes]]:
        rows = [list(self._read_tile(*key))]
        for _ in range(TILE_HEIGHT - 1):
            below = rows[-1]
            rows.append(
                [hash_children(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )
        self._tiles[key] = rows
        if len(self._tiles) > self._max_tiles:
            self._tiles.popitem(last=False)
        return rows

    def __call__(self, level: int, index: int) -> bytes:
        tile_level, height = divmod(level, TILE_HEIGHT)
        key = (tile_level, (index << height) // TILE_WIDTH)
        offset = index % (TILE_WIDTH >> height)
        rows = self._tiles.get(key)
        if rows is None or offset >= len(rows[height]):
            rows = self._expand(key)
            if offset >= len(rows[height]):
                raise IndexError(f"node ({level}, {index}) is not complete in tile {key}")
        else:
            self._tiles.move_to_end(key)
        return rows[height][offset]
