"""RFC 9162 Merkle tree hashing and proofs: pure functions over bytes and integers.

Proofs are built from a `NodeSource`, a function that returns the hash of one complete
subtree, so a prover never rebuilds the tree: an inclusion or consistency proof costs
O(log n) node lookups whether the nodes live in memory (`MemoryTree`) or in stored tiles.
The verifiers follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 and raise `ProofError` with
a message naming the mismatch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from computegov.errors import ComputegovError, InvalidInput

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeSource = Callable[[int, int], bytes]
"""node(level, index): the hash of the complete subtree over leaves
[index << level, (index + 1) << level).

Level 0 holds the leaf hashes.
"""

_sha256 = hashlib.sha256


class ProofError(ComputegovError):
    """A proof, root or hash failed verification; the message says which and why."""


def hash_leaf(data: bytes) -> bytes:
    """The leaf hash SHA-256(0x00 || data); the prefix keeps leaves from passing as nodes."""
    return _sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """The interior node hash SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of a list of leaf hashes; SHA-256 of nothing when empty."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        # Pair neighbours; a lone last node moves up unchanged, which yields the RFC shape.
        paired = [hash_children(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def subtree_hash(start: int, end: int, node: NodeSource) -> bytes:
    """MTH of the leaves [start, end), from as few complete-subtree nodes as the range allows."""
    n = end - start
    if start < 0 or n < 0:
        raise InvalidInput(f"bad leaf range [{start}, {end}); need 0 <= start <= end")
    if n == 0:
        return EMPTY_ROOT
    top = n.bit_length() - 1
    if start & ((1 << top) - 1) == 0:
        if n == 1 << top:
            return node(top, start >> top)
        # Aligned: the range is the binary decomposition of n into complete subtrees,
        # largest first, folded from the right.
        hashes = []
        pos, rest = start, n
        while rest:
            level = rest.bit_length() - 1
            hashes.append(node(level, pos >> level))
            pos += 1 << level
            rest ^= 1 << level
        acc = hashes[-1]
        for left in reversed(hashes[:-1]):
            acc = _sha256(b"\x01" + left + acc).digest()
        return acc
    k = _split(n)
    return hash_children(subtree_hash(start, start + k, node), subtree_hash(start + k, end, node))


def root_at(size: int, node: NodeSource) -> bytes:
    """MTH of the first `size` leaves of the tree behind `node`."""
    return subtree_hash(0, size, node)


def _right_sibling(start: int, end: int, node: NodeSource) -> bytes:
    """MTH of [start, end) where start is aligned: one lookup when it is a complete subtree."""
    n = end - start
    if n & (n - 1):
        return subtree_hash(start, end, node)
    level = n.bit_length() - 1
    return node(level, start >> level)


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """RFC 9162 PATH(index, D[size]): the audit path of leaf `index`, nearest sibling first."""
    if not 0 <= index < size:
        raise InvalidInput(
            f"leaf index {index} is not in a tree of size {size}; need 0 <= index < size"
        )
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        level = (end - start - 1).bit_length() - 1
        k = 1 << level  # start is a multiple of k, so [start, start + k) is one node
        if index < start + k:
            path.append(_right_sibling(start + k, end, node))
            end = start + k
        else:
            path.append(node(level, start >> level))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, node: NodeSource) -> list[bytes]:
    """RFC 9162 PROOF(old_size, D[new_size]): shows the old tree is a prefix of the new one."""
    if not 0 < old_size <= new_size:
        raise InvalidInput(
            f"no consistency proof from size {old_size} to {new_size}; "
            "need 0 < old_size <= new_size"
        )
    proof: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        level = (end - start - 1).bit_length() - 1
        k = 1 << level
        if m <= k:
            proof.append(_right_sibling(start + k, end, node))
            end = start + k
        else:
            proof.append(node(level, start >> level))
            start += k
            m -= k
            whole = False
    if not whole:
        proof.append(subtree_hash(start, end, node))
    proof.reverse()
    return proof


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte SHA-256 hash, got {length}")


def _check_proof(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) != expected:
        word = "long" if len(proof) > expected else "short"
        raise ProofError(f"proof too {word}: {len(proof)} hashes where {expected} are needed")
    for i, p in enumerate(proof):
        if type(p) is not bytes or len(p) != HASH_SIZE:  # the common case costs no call
            _check_hash(p, f"proof hash {i}")


def _inclusion_length(index: int, size: int) -> int:
    # Hashes below the point where the leaf's path leaves the right edge, plus one left
    # sibling for each complete subtree to its left above that point.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that `proof` implies for leaf `index` of a tree of `size` (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_proof(proof, _inclusion_length(index, size))
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows leaf `index` with `leaf_hash` under `root`."""
    _check_hash(root, "root")
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} of {size} leads to root {computed.hex()}, "
            f"not the expected {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes
) -> None:
    """Raise ProofError unless the tree (old_size, old_root) is a prefix of (new_size, new_root)."""
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    if old_size < 0 or new_size < old_size:
        raise ProofError(f"sizes {old_size} -> {new_size}: a log never shrinks")
    if old_size == 0:
        raise ProofError("consistency from the empty tree (size 0) proves nothing and is rejected")
    if old_size == new_size:
        if proof:
            raise ProofError(f"proof too long: equal sizes need an empty proof, got {len(proof)}")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old_size}")
        return
    shift = (old_size & -old_size).bit_length() - 1  # trailing zeros of old_size
    start, end = (old_size - 1) >> shift, (new_size - 1) >> shift
    seeded = start != 0  # old_size is not a power of two: the proof starts with its own seed
    _check_proof(proof, int(seeded) + _inclusion_length(start, end + 1))
    # RFC 9162 2.1.4.2: a power-of-two old tree is itself the first node of the path.
    path = list(proof) if seeded else [old_root, *proof]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr).digest()
            sr = _sha256(b"\x01" + c + sr).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if fr != old_root:
        raise ProofError(
            f"consistency proof {old_size} -> {new_size} leads to old root {fr.hex()}, "
            f"not the expected {old_root.hex()}"
        )
    if sr != new_root:
        raise ProofError(
            f"consistency proof {old_size} -> {new_size} leads to new root {sr.hex()}, "
            f"not the expected {new_root.hex()}"
        )


class MemoryTree:
    """A Merkle tree held in memory with every complete-subtree hash cached by level.

    `node` is an O(1) NodeSource; appending a leaf hashes at most log2(n) new nodes.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf hash and every complete subtree it closes."""
        if len(leaf_hash) != HASH_SIZE:
            raise InvalidInput(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf_hash)}")
        levels = self._levels
        h = bytes(leaf_hash)
        level = 0
        while True:
            row = levels[level]
            row.append(h)
            if len(row) & 1:  # a left child: it closes no subtree yet
                return
            h = _sha256(b"\x01" + row[-2] + h).digest()
            level += 1
            if level == len(levels):
                levels.append([])

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each leaf hash in order."""
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash)

    def node(self, level: int, index: int) -> bytes:
        """The hash of a complete subtree (a NodeSource); IndexError if it is not complete yet."""
        if level < 0 or index < 0:
            raise IndexError(f"no node at level {level}, index {index}")
        return self._levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (all of them by default)."""
        if size is None:
            size = self.size
        if not 0 <= size <= self.size:
            raise InvalidInput(f"tree size {size} is outside 0..{self.size}")
        return root_at(size, self.node)
