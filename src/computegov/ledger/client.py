"""Checks for people who do not trust the log's operator, over HTTP (httpx).

`verify_log` is a monitor: the checkpoint must carry a valid signature by a pinned key and be
consistent with the checkpoint seen last; with `full=True` the whole tree is rebuilt from the
entry bundles and compared with the tiles and the signed root. `prove_entry` checks that an
entry is in the log and, given its opening, that the private record is what was committed.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx

from computegov.errors import ComputegovError, InvalidInput
from computegov.files import replace_file
from computegov.instants import to_wire
from computegov.ledger import entries, merkle, note, tiles


class Inconsistency(ComputegovError):
    """The log showed something a correct log cannot: a bad signature, proof or tile, a fork."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _get(client: httpx.Client, path: str, **params: int) -> httpx.Response:
    response = client.get(path, params=params or None)
    if response.status_code != 200:
        detail = response.text[:300]
        raise Inconsistency(f"GET {path} answered {response.status_code}: {detail}")
    return response


def _client(url: str, client: httpx.Client | None) -> httpx.Client:
    return client or httpx.Client(base_url=url.rstrip("/"), timeout=30.0)


def fetch_checkpoint(client: httpx.Client, verifier: note.Verifier) -> tuple[str, note.Checkpoint]:
    """The log's current checkpoint, opened with the pinned key (Inconsistency if unsigned)."""
    text = _get(client, "/checkpoint").text
    try:
        return text, note.open_checkpoint(text, verifier)
    except note.NoteError as exc:
        raise Inconsistency(
            f"the checkpoint is not validly signed by the pinned key: {exc}"
        ) from None


STATE_HINT = (
    "the state file keeps the last checkpoint seen as the signed note the log served; give "
    "the file this command wrote for this log, or a new path (e.g. last-checkpoint.note)"
)


def _read_state(path: Path, verifier: note.Verifier) -> note.Checkpoint | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise InvalidInput(f"cannot read the state file {path}: {why}; {STATE_HINT}") from None
    if text.lstrip().startswith(("{", "[")):
        raise InvalidInput(f"the state file {path} holds JSON, not a signed note; {STATE_HINT}")
    try:
        return note.open_checkpoint(text, verifier)
    except note.NoteError as exc:
        raise InvalidInput(
            f"the state file {path} does not hold a checkpoint signed by the pinned key ({exc}); "
            f"{STATE_HINT}"
        ) from None


def _write_state(path: Path, text: str) -> None:
    try:
        replace_file(path, text)
    except OSError as exc:
        raise InvalidInput(f"cannot write the state file {path}: {exc.strerror}") from None


def _check_consistency(client: httpx.Client, old: note.Checkpoint, new: note.Checkpoint) -> None:
    if old.origin != new.origin:
        raise Inconsistency(f"origin changed from {old.origin!r} to {new.origin!r}")
    if old.size > new.size:
        raise Inconsistency(
            f"the log shrank: a checkpoint of size {old.size} was seen before, now {new.size}"
        )
    if old.size == new.size:
        if old.root != new.root:
            raise Inconsistency(
                f"fork: two signed checkpoints of size {new.size} with different roots "
                f"({_b64(old.root)} seen before, {_b64(new.root)} now)"
            )
        return
    if old.size == 0:
        return
    body = _get(client, "/v1/log/proof/consistency", old=old.size, new=new.size).json()
    proof = [base64.b64decode(h) for h in body["proof"]]
    try:
        merkle.verify_consistency(old.size, new.size, proof, old.root, new.root)
    except merkle.ProofError as exc:
        raise Inconsistency(
            f"the checkpoint of size {new.size} is not consistent with the one of size "
            f"{old.size} seen before (fork?): {exc}"
        ) from None


def _rebuild(client: httpx.Client, cp: note.Checkpoint) -> int:
    """Rebuild the tree from every entry bundle; compare each tile and the signed root."""
    tree = merkle.MemoryTree()
    for level, index, width in tiles.tile_coordinates(cp.size):
        if level != 0:
            continue
        bundle = _get(client, "/" + tiles.entries_path(index, width)).content
        leaves = tiles.decode_entry_bundle(bundle)
        if len(leaves) != width:
            raise Inconsistency(
                f"entry bundle {index} holds {len(leaves)} entries where {width} were expected"
            )
        tree.extend(merkle.hash_leaf(leaf) for leaf in leaves)
    for level, index, width in tiles.tile_coordinates(cp.size):
        served = _get(client, "/" + tiles.tile_path(level, index, width)).content
        expected = b"".join(tiles.tile_hashes(level, index, width, tree.node))
        if served != expected:
            size = merkle.HASH_SIZE
            first = next(
                i
                for i in range(width)
                if served[i * size : (i + 1) * size] != expected[i * size : (i + 1) * size]
            )
            where = (index * tiles.TILE_WIDTH + first) << (tiles.TILE_HEIGHT * level)
            raise Inconsistency(
                f"tile {level}/{index} does not match the entries: hash {first} of the tile "
                f"(the subtree from entry {where}) differs from the hash of the served entries"
            )
    if tree.root(cp.size) != cp.root:
        raise Inconsistency(
            f"the entries rebuild the root {_b64(tree.root(cp.size))}, but the checkpoint of "
            f"size {cp.size} signs {_b64(cp.root)}"
        )
    return int(cp.size)


def verify_log(
    url: str,
    vkey: str,
    *,
    state_file: Path | None = None,
    full: bool = False,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Monitor the log at `url` against the pinned verifier key `vkey`.

    Raises Inconsistency naming what is wrong; on success records the checkpoint in
    `state_file` (when given) and returns what was checked.
    """
    verifier = note.parse_verifier_key(vkey)
    http = _client(url, client)
    try:
        text, cp = fetch_checkpoint(http, verifier)
        previous = _read_state(state_file, verifier) if state_file else None
        if previous is not None:
            _check_consistency(http, previous, cp)
        checked = _rebuild(http, cp) if full else 0
    finally:
        if client is None:
            http.close()
    if state_file is not None:
        _write_state(state_file, text)
    return {
        "url": url,
        "origin": cp.origin,
        "size": cp.size,
        "root": _b64(cp.root),
        "signature": "valid",
        "previous_size": previous.size if previous else None,
        "consistent_with_previous": True if previous else None,
        "entries_rebuilt": checked if full else None,
    }


def read_opening(path: Path) -> dict[str, Any]:
    """An opening file: JSON `{"id", "type", "record", "salt"}` (salt in base64)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the opening {path}: {exc}") from None
    missing = {"id", "type", "record", "salt"} - set(data if isinstance(data, dict) else {})
    if missing or not isinstance(data.get("record"), dict):
        raise InvalidInput(
            f"the opening {path} lacks {sorted(missing) or ['an object record']}; an opening "
            'is JSON {"id", "type", "record": {...}, "salt": base64}'
        )
    return dict(data)


def prove_entry(
    url: str,
    index: int,
    *,
    opening: dict[str, Any] | None = None,
    vkey: str | None = None,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Check that entry `index` is in the log's latest checkpoint (and matches `opening`).

    Without `vkey` the checkpoint is checked against the key the server itself publishes,
    which proves consistency only; pin a key to prove the log's identity.
    """
    http = _client(url, client)
    try:
        key, pinned = note.pinned_or_served(
            vkey, lambda: str(_get(http, "/v1/log/key").json()["verifier_key"])
        )
        text, cp = fetch_checkpoint(http, note.parse_verifier_key(key))
        response = http.get(f"/v1/log/entries/{index}")
        if response.status_code == 404:
            detail = response.json().get("detail", "") if response.content else ""
            raise InvalidInput(f"no entry {index} in this log: {detail}")
        if response.status_code != 200:
            raise Inconsistency(
                f"GET /v1/log/entries/{index} answered {response.status_code}: "
                f"{response.text[:300]}"
            )
        served = response.json()
        leaf = base64.b64decode(served["leaf"])
        leaf_hash = merkle.hash_leaf(leaf)
        if base64.b64decode(served["leaf_hash"]) != leaf_hash:
            raise Inconsistency(f"entry {index}: the served leaf hash is not the hash of the leaf")
        proof_body = _get(http, "/v1/log/proof/inclusion", index=index, size=cp.size).json()
        proof = [base64.b64decode(h) for h in proof_body["proof"]]
        try:
            merkle.verify_inclusion(leaf_hash, index, cp.size, proof, cp.root)
        except merkle.ProofError as exc:
            raise Inconsistency(
                f"entry {index} is not included in the checkpoint of size {cp.size}: {exc}"
            ) from None
    finally:
        if client is None:
            http.close()
    parsed = entries.parse_leaf(leaf)
    result: dict[str, Any] = {
        "index": index,
        "size": cp.size,
        "root": _b64(cp.root),
        "leaf_hash": _b64(leaf_hash),
        "id": parsed.id,
        "type": parsed.type,
        "time": to_wire(parsed.time),
        "actor": parsed.actor,
        "key_pinned": pinned,
        "included": True,
        "opening": None,
    }
    if opening is not None:
        if opening["id"] != parsed.id or opening["type"] != parsed.type:
            raise Inconsistency(
                f"the opening is for {opening['type']} {opening['id']}, but entry {index} is "
                f"{parsed.type} {parsed.id}"
            )
        try:
            salt = base64.b64decode(opening["salt"], validate=True)
        except ValueError:
            raise InvalidInput("the opening's salt is not base64") from None
        try:
            entries.check_opening(parsed, opening["record"], salt)
        except entries.OpeningError as exc:
            raise Inconsistency(
                f"the record does not match entry {index}'s commitment: {exc}"
            ) from None
        result["opening"] = "matches"
    return result
