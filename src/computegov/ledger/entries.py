"""Log leaves: public commitments to private records.

A leaf is the RFC 8785 (JCS) form of `{type, v, id, time, actor, commitment}` where
`commitment = SHA-256(salt || JCS(record))` with a fresh 32-byte salt per record. The log
is public and shows only that something of a type happened, when and by whom; the record
and its salt (the opening) stay in the database, and whoever may read the record can
check it against the public leaf. The salt keeps a guessable record from being confirmed
by hashing guesses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import rfc8785

from computegov.errors import ComputegovError, InvalidInput
from computegov.instants import parse_instant, to_wire

MAX_LEAF_BYTES = 65535  # tlog-tiles entry bundles prefix each entry with a uint16 length
SALT_BYTES = 32
COMMITMENT_BYTES = 32
LEAF_FIELDS = ("type", "v", "id", "time", "actor", "commitment")


class OpeningError(ComputegovError):
    """A record and salt do not open a leaf's commitment: the record is not what was logged."""


def new_salt() -> bytes:
    """A fresh random salt for one record."""
    return os.urandom(SALT_BYTES)


_SAFE_INT = 2**53


def _plain(value: Any) -> bool:
    """True for JSON without floats and with ASCII keys, where sorted compact `json.dumps`
    writes exactly the RFC 8785 bytes (same escapes, same key order)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        elif kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        else:
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value; InvalidInput for what JSON cannot hold exactly.

    Values without floats or non-ASCII keys take a fast path: for them RFC 8785 is exactly
    Python's compact JSON with sorted keys (same string escapes, same integer form). Floats
    and everything else go through the `rfc8785` package.
    """
    if _plain(value):  # the common case, several times faster than the general encoder
        try:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let rfc8785 refuse it
            pass
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(
            f"cannot write as canonical JSON ({exc}); records hold str, int (|n| < 2**53), "
            "finite float, bool, None, lists and objects with string keys"
        ) from None


def commitment(salt: bytes, record: Mapping[str, Any]) -> bytes:
    """SHA-256(salt || JCS(record)): what the public leaf shows of a private record."""
    if len(salt) != SALT_BYTES:
        raise InvalidInput(f"a salt is {SALT_BYTES} random bytes, got {len(salt)}")
    return hashlib.sha256(bytes(salt) + canonical_json(record)).digest()


@dataclass(frozen=True)
class Leaf:
    """One log entry as the public sees it."""

    type: str
    v: int
    id: str
    time: datetime
    actor: str
    commitment: bytes

    def __post_init__(self) -> None:
        for name in ("type", "id", "actor"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise InvalidInput(f"leaf {name} must be a non-empty string, got {value!r}")
        if not isinstance(self.v, int) or isinstance(self.v, bool) or self.v < 1:
            raise InvalidInput(f"leaf v (format version) must be an integer >= 1, got {self.v!r}")
        if not isinstance(self.time, datetime) or self.time.tzinfo is None:
            raise InvalidInput(f"leaf time must be an aware datetime, got {self.time!r}")
        if not isinstance(self.commitment, bytes) or len(self.commitment) != COMMITMENT_BYTES:
            raise InvalidInput(f"leaf commitment must be {COMMITMENT_BYTES} bytes (SHA-256)")

    def to_bytes(self) -> bytes:
        """The leaf as logged: RFC 8785 JSON, at most MAX_LEAF_BYTES."""
        return self._canonical

    @cached_property
    def _canonical(self) -> bytes:
        data = canonical_json(
            {
                "type": self.type,
                "v": self.v,
                "id": self.id,
                "time": to_wire(self.time),
                "actor": self.actor,
                "commitment": base64.b64encode(self.commitment).decode("ascii"),
            }
        )
        if len(data) > MAX_LEAF_BYTES:
            raise InvalidInput(
                f"leaf is {len(data)} bytes; a leaf is at most {MAX_LEAF_BYTES} "
                "(log a hash of large content, not the content)"
            )
        return data


def parse_leaf(data: bytes) -> Leaf:
    """The leaf whose canonical bytes are `data`; InvalidInput for anything else."""
    expected = "RFC 8785 JSON {type, v, id, time, actor, commitment}"
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        raise InvalidInput(f"leaf is not JSON; expected {expected}") from None
    if not isinstance(obj, dict) or sorted(obj) != sorted(LEAF_FIELDS):
        raise InvalidInput(f"leaf has the wrong fields; expected {expected}")
    try:
        raw = base64.b64decode(obj["commitment"], validate=True)
        time = parse_instant(obj["time"])
    except (binascii.Error, ValueError, TypeError, AttributeError):
        raise InvalidInput(f"leaf time or commitment is malformed; expected {expected}") from None
    leaf = Leaf(
        type=obj["type"],
        v=obj["v"],
        id=obj["id"],
        time=time,
        actor=obj["actor"],
        commitment=raw,
    )
    if leaf.to_bytes() != bytes(data):
        raise InvalidInput(f"leaf is not in canonical form; expected {expected}")
    return leaf


def make_leaf(
    *,
    type: str,
    v: int,
    id: str,
    time: datetime,
    actor: str,
    record: Mapping[str, Any],
    salt: bytes,
) -> Leaf:
    """The public leaf for a private record; checks the leaf fits in MAX_LEAF_BYTES."""
    leaf = Leaf(type=type, v=v, id=id, time=time, actor=actor, commitment=commitment(salt, record))
    leaf.to_bytes()
    return leaf


def check_opening(leaf: Leaf, record: Mapping[str, Any], salt: bytes) -> None:
    """Raise OpeningError unless `record` with `salt` is what `leaf` committed to."""
    try:
        opened = commitment(salt, record)
    except InvalidInput as exc:
        raise OpeningError(f"the opening of leaf {leaf.id} is malformed: {exc}") from None
    if opened != leaf.commitment:
        raise OpeningError(
            f"record and salt do not match leaf {leaf.id}: they commit to "
            f"{opened.hex()}, the leaf to {leaf.commitment.hex()}"
        )
