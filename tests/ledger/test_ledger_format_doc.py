"""The examples in docs/ledger-format.md verify with the code, so the document cannot drift."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from computegov.ledger.entries import check_opening, parse_leaf
from computegov.ledger.merkle import hash_leaf, verify_inclusion
from computegov.ledger.note import open_checkpoint, parse_verifier_key, verifier_key
from computegov.ledger.tiles import entries_path, tile_coordinates, tile_path

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-format.md"


def examples() -> dict[str, str]:
    blocks = re.findall(r"<!-- example: (\S+) -->\n```\w+\n(.*?)```", DOC.read_text(), re.S)
    return dict(blocks)


def test_documented_checkpoint_leaf_and_opening_verify() -> None:
    ex = examples()
    assert set(ex) == {"record", "salt", "leaf", "checkpoint", "inclusion-proof", "vkey"}
    verifier = parse_verifier_key(ex["vkey"].strip())
    assert verifier_key(verifier.name, verifier.public_key) == ex["vkey"].strip()
    cp = open_checkpoint(ex["checkpoint"], verifier)
    assert (cp.origin, cp.size) == ("registry.example/ledger", 3)
    leaf_bytes = ex["leaf"].strip().encode()
    proof = [base64.b64decode(line) for line in ex["inclusion-proof"].split()]
    verify_inclusion(hash_leaf(leaf_bytes), 2, cp.size, proof, cp.root)
    check_opening(parse_leaf(leaf_bytes), json.loads(ex["record"]), base64.b64decode(ex["salt"]))


def test_documented_tile_paths() -> None:
    text = DOC.read_text()
    names = {tile_path(lv, ix, w) for lv, ix, w in tile_coordinates(70_000) if ix in (0, 1, 273)}
    for path in ["tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"]:
        assert path in names and f"`{path}`" in text
    assert tile_path(0, 0, 3) == "tile/0/000.p/3"
    assert entries_path(0, 3) == "tile/entries/000.p/3"
