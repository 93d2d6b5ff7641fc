"""Prover against verifier, and both against the RFC 9162 definitions written out recursively.

Every proof the prover makes verifies; every single-bit change to a proof hash or a root is
rejected; a changed index or size is rejected exactly when the RFC definition rejects it.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from computegov.ledger import merkle
from computegov.ledger.merkle import (
    MemoryTree,
    ProofError,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    root_at,
    root_from_inclusion_proof,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 300
EXHAUSTIVE = 128
LEAF_HASHES = [hash_leaf(i.to_bytes(4, "big")) for i in range(MAX_SIZE)]
TREE = MemoryTree(LEAF_HASHES)


# --- RFC 9162 section 2.1, written as the recursive definitions ---------------------------


def _h(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return _h(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return ref_path(m, leaves[:k]) + [ref_mth(leaves[k:])]
    return ref_path(m - k, leaves[k:]) + [ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, leaves[:k], whole) + [ref_mth(leaves[k:])]
    return ref_subproof(m - k, leaves[k:], False) + [ref_mth(leaves[:k])]


def ref_root_from_path(leaf: bytes, m: int, n: int, proof: list[bytes]) -> bytes | None:
    """The root PATH(m, D[n]) implies, read back through the definition; None if malformed."""
    if n == 1:
        return None if proof else leaf
    if not proof or not 0 <= m < n:
        return None
    k = _k(n)
    last, rest = proof[-1], proof[:-1]
    if m < k:
        sub = ref_root_from_path(leaf, m, k, rest)
        return None if sub is None else _h(sub, last)
    sub = ref_root_from_path(leaf, m - k, n - k, rest)
    return None if sub is None else _h(last, sub)


def ref_roots_from_subproof(
    m: int, n: int, proof: list[bytes], whole: bool, old_root: bytes
) -> tuple[bytes, bytes] | None:
    """(old root, new root) SUBPROOF(m, D[n], b) implies; None if malformed."""
    if m == n:
        if whole:
            return None if proof else (old_root, old_root)
        return (proof[0], proof[0]) if len(proof) == 1 else None
    if not proof or not 0 < m < n:
        return None
    k = _k(n)
    last, rest = proof[-1], proof[:-1]
    if m <= k:
        sub = ref_roots_from_subproof(m, k, rest, whole, old_root)
        return None if sub is None else (sub[0], _h(sub[1], last))
    sub = ref_roots_from_subproof(m - k, n - k, rest, False, old_root)
    return None if sub is None else (_h(last, sub[0]), _h(last, sub[1]))


def ref_accepts_inclusion(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> bool:
    return 0 <= index < size and ref_root_from_path(leaf, index, size, proof) == root


def ref_accepts_consistency(
    old: int, new: int, proof: list[bytes], old_root: bytes, new_root: bytes
) -> bool:
    if not 0 < old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    return ref_roots_from_subproof(old, new, proof, True, old_root) == (old_root, new_root)


def accepts_inclusion(*args: object) -> bool:
    try:
        verify_inclusion(*args)  # type: ignore[arg-type]
    except ProofError:
        return False
    return True


def accepts_consistency(*args: object) -> bool:
    try:
        verify_consistency(*args)  # type: ignore[arg-type]
    except ProofError:
        return False
    return True


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- roots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(MAX_SIZE + 1))
def test_root_matches_recursive_definition(size: int) -> None:
    expected = ref_mth(LEAF_HASHES[:size])
    assert merkle.root(LEAF_HASHES[:size]) == expected
    assert TREE.root(size) == expected
    assert root_at(size, TREE.node) == expected


def test_root_matches_pymerkle() -> None:
    peer = InmemoryTree()
    ours = MemoryTree()
    for i in range(MAX_SIZE):
        data = f"entry {i}".encode()
        peer.append_entry(data)
        ours.append(hash_leaf(data))
    for size in range(1, MAX_SIZE + 1):
        assert ours.root(size) == peer.get_root(size)


def test_subtree_hash_of_unaligned_ranges() -> None:
    for start in range(40):
        for end in range(start, 80):
            assert subtree_hash(start, end, TREE.node) == ref_mth(LEAF_HASHES[start:end])


def test_memory_tree_caches_every_complete_subtree() -> None:
    for level in range(9):
        width = 1 << level
        for index in range(MAX_SIZE >> level):
            expected = ref_mth(LEAF_HASHES[index * width : (index + 1) * width])
            assert TREE.node(level, index) == expected
        with pytest.raises(IndexError):
            TREE.node(level, MAX_SIZE >> level)


# --- prover = definition, and every proof verifies ----------------------------------------


def _pairs(limit: int, seed: int, samples: int) -> list[tuple[int, int]]:
    pairs = [(a, b) for b in range(1, limit + 1) for a in range(b)]
    rng = random.Random(seed)
    pairs += [
        (rng.randrange(b), b) for b in (rng.randint(limit + 1, MAX_SIZE) for _ in range(samples))
    ]
    return pairs


def test_every_inclusion_proof_verifies() -> None:
    for index, size in _pairs(EXHAUSTIVE, 1, 3000):
        proof = inclusion_proof(index, size, TREE.node)
        assert proof == ref_path(index, LEAF_HASHES[:size]), (index, size)
        verify_inclusion(LEAF_HASHES[index], index, size, proof, TREE.root(size))


def test_every_consistency_proof_verifies() -> None:
    for a, new in _pairs(EXHAUSTIVE, 2, 3000):
        old = a + 1
        proof = consistency_proof(old, new, TREE.node)
        if old < new:
            assert proof == ref_subproof(old, LEAF_HASHES[:new], True), (old, new)
        verify_consistency(old, new, proof, TREE.root(old), TREE.root(new))


# --- single-bit changes ---------------------------------------------------------------------

indexes_and_sizes = st.integers(1, MAX_SIZE).flatmap(
    lambda size: st.tuples(st.integers(0, size - 1), st.just(size))
)


@settings(max_examples=60, deadline=None)
@given(indexes_and_sizes)
def test_inclusion_rejects_every_bit_flip(case: tuple[int, int]) -> None:
    index, size = case
    leaf, root = LEAF_HASHES[index], TREE.root(size)
    proof = inclusion_proof(index, size, TREE.node)
    for i, p in enumerate(proof):
        for bit in range(256):
            bad = [*proof[:i], flip(p, bit), *proof[i + 1 :]]
            assert not accepts_inclusion(leaf, index, size, bad, root)
    for bit in range(256):
        assert not accepts_inclusion(leaf, index, size, proof, flip(root, bit))
        assert not accepts_inclusion(flip(leaf, bit), index, size, proof, root)
    for bit in range(size.bit_length() + 1):
        # A different leaf position never verifies.
        assert not accepts_inclusion(leaf, index ^ (1 << bit), size, proof, root)
        # RFC 9162 proofs fix the size only down to the subtree where the leaf's path leaves
        # the right edge (index 0 has the same path in trees of 3 and 4 leaves); the signed
        # checkpoint binds size to root. Our verifier accepts exactly what the RFC does.
        other = size ^ (1 << bit)
        assert accepts_inclusion(leaf, index, other, proof, root) == ref_accepts_inclusion(
            leaf, index, other, proof, root
        )


@settings(max_examples=60, deadline=None)
@given(indexes_and_sizes)
def test_consistency_rejects_every_bit_flip(case: tuple[int, int]) -> None:
    old, new = case[0] + 1, case[1]
    old_root, new_root = TREE.root(old), TREE.root(new)
    proof = consistency_proof(old, new, TREE.node)
    for i, p in enumerate(proof):
        for bit in range(256):
            bad = [*proof[:i], flip(p, bit), *proof[i + 1 :]]
            assert not accepts_consistency(old, new, bad, old_root, new_root)
    for bit in range(256):
        assert not accepts_consistency(old, new, proof, flip(old_root, bit), new_root)
        assert not accepts_consistency(old, new, proof, old_root, flip(new_root, bit))
    for bit in range(new.bit_length() + 1):
        for m, n in ((old ^ (1 << bit), new), (old, new ^ (1 << bit))):
            assert accepts_consistency(m, n, proof, old_root, new_root) == (
                ref_accepts_consistency(m, n, proof, old_root, new_root)
            ), (old, new, m, n)


def test_size_is_bound_by_the_signed_root_not_by_the_proof() -> None:
    # Leaf 0's path is the same in trees of 3 and 4 leaves, so RFC 9162 (and transparency-dev)
    # accept the claim "size 4" against the size-3 root. Only a checkpoint signing (size, root)
    # together stops that; the store must verify against checkpoints, never a bare root.
    proof = inclusion_proof(0, 3, TREE.node)
    verify_inclusion(LEAF_HASHES[0], 0, 4, proof, TREE.root(3))
    with pytest.raises(ProofError):
        verify_inclusion(LEAF_HASHES[0], 0, 4, proof, TREE.root(4))


# --- malformed input --------------------------------------------------------------------------


def test_hashes_must_be_32_bytes() -> None:
    proof = inclusion_proof(3, 8, TREE.node)
    root = TREE.root(8)
    with pytest.raises(ProofError, match="leaf hash must be a 32-byte"):
        verify_inclusion(LEAF_HASHES[3][:31], 3, 8, proof, root)
    with pytest.raises(ProofError, match="root must be a 32-byte"):
        verify_inclusion(LEAF_HASHES[3], 3, 8, proof, root + b"\x00")
    with pytest.raises(ProofError, match="proof hash 1 must be a 32-byte"):
        verify_inclusion(LEAF_HASHES[3], 3, 8, [proof[0], proof[1][:16], proof[2]], root)
    cproof = consistency_proof(3, 8, TREE.node)
    with pytest.raises(ProofError, match="old root must be a 32-byte"):
        verify_consistency(3, 8, cproof, b"", root)


def test_proof_length_errors_name_the_mismatch() -> None:
    proof = inclusion_proof(3, 8, TREE.node)
    with pytest.raises(ProofError, match="proof too short: 2 hashes where 3"):
        root_from_inclusion_proof(LEAF_HASHES[3], 3, 8, proof[:2])
    with pytest.raises(ProofError, match="proof too long: 4 hashes where 3"):
        root_from_inclusion_proof(LEAF_HASHES[3], 3, 8, [*proof, proof[0]])
    with pytest.raises(ProofError, match="not in a tree of size 8"):
        root_from_inclusion_proof(LEAF_HASHES[3], 8, 8, proof)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 8, [], merkle.EMPTY_ROOT, TREE.root(8))
    with pytest.raises(ProofError, match="never shrinks"):
        verify_consistency(8, 7, [], TREE.root(8), TREE.root(7))
    with pytest.raises(ProofError, match="different roots for the same size"):
        verify_consistency(7, 7, [], TREE.root(8), TREE.root(7))


def test_prover_rejects_impossible_requests() -> None:
    from computegov.errors import InvalidInput

    with pytest.raises(InvalidInput, match="need 0 <= index < size"):
        inclusion_proof(5, 5, TREE.node)
    with pytest.raises(InvalidInput, match="need 0 < old_size <= new_size"):
        consistency_proof(0, 5, TREE.node)
    with pytest.raises(InvalidInput, match="need 0 < old_size <= new_size"):
        consistency_proof(6, 5, TREE.node)
    with pytest.raises(InvalidInput, match="32 bytes"):
        MemoryTree([b"short"])
