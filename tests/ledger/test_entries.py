"""Leaves: canonical bytes, commitments to private records, openings and the size limit."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from computegov.errors import InvalidInput
from computegov.ledger.entries import (
    MAX_LEAF_BYTES,
    Leaf,
    OpeningError,
    check_opening,
    commitment,
    make_leaf,
    new_salt,
    parse_leaf,
)

SALT = bytes(range(32))
TIME = datetime(2025, 1, 13, 9, 30, tzinfo=UTC)
RECORD: dict[str, Any] = {
    "chip": {"vendor": "NVIDIA", "serial": "1650123456789"},
    "to": "DE",
    "quantity": 8,
    "price": 1.0,
    "note": "café",
    "flags": [True, None],
}
# The same record written out by hand in RFC 8785 form: keys sorted by code unit, no spaces,
# 1.0 as 1, non-ASCII as UTF-8.
RECORD_JCS = (
    '{"chip":{"serial":"1650123456789","vendor":"NVIDIA"},"flags":[true,null],'
    '"note":"café","price":1,"quantity":8,"to":"DE"}'
).encode()


def leaf(**changes: Any) -> Leaf:
    fields: dict[str, Any] = dict(
        type="custody.transferred", v=1, id="e-1", time=TIME, actor="a1b2c3d4", record=RECORD
    )
    fields.update(changes)
    return make_leaf(
        salt=changes.pop("salt", SALT), **{k: fields[k] for k in fields if k != "salt"}
    )


def test_commitment_is_sha256_of_salt_and_canonical_record() -> None:
    assert commitment(SALT, RECORD) == hashlib.sha256(SALT + RECORD_JCS).digest()
    reordered = dict(reversed(list(RECORD.items())))
    assert commitment(SALT, reordered) == commitment(SALT, RECORD)


def test_leaf_bytes_are_canonical_and_stable() -> None:
    c = base64.b64encode(hashlib.sha256(SALT + RECORD_JCS).digest()).decode()
    expected = (
        '{"actor":"a1b2c3d4","commitment":"' + c + '","id":"e-1",'
        '"time":"2025-01-13T09:30:00Z","type":"custody.transferred","v":1}'
    ).encode()
    assert leaf().to_bytes() == expected
    # The same instant in another zone is the same leaf.
    cet = TIME.astimezone(timezone(timedelta(hours=1)))
    assert leaf(time=cet).to_bytes() == expected
    assert parse_leaf(expected) == leaf()


@pytest.mark.parametrize(
    "change",
    [
        {"to": "CN"},
        {"quantity": 9},
        {"price": 1.5},
        {"note": "cafe"},
        {"flags": [True, False]},
        {"flags": [None, True]},
        {"chip": {"vendor": "NVIDIA", "serial": "1650123456780"}},
        {"extra": None},
    ],
)
def test_commitment_changes_with_any_record_change(change: dict[str, Any]) -> None:
    assert commitment(SALT, {**RECORD, **change}) != commitment(SALT, RECORD)


def test_commitment_changes_without_a_field_and_with_the_salt() -> None:
    for key in RECORD:
        smaller = {k: v for k, v in RECORD.items() if k != key}
        assert commitment(SALT, smaller) != commitment(SALT, RECORD)
    for bit in range(8 * len(SALT)):
        flipped = bytearray(SALT)
        flipped[bit // 8] ^= 1 << (bit % 8)
        assert commitment(bytes(flipped), RECORD) != commitment(SALT, RECORD)


def test_new_salts_are_fresh() -> None:
    salts = {new_salt() for _ in range(100)}
    assert len(salts) == 100
    assert all(len(s) == 32 for s in salts)


def test_opening_checks_record_and_salt() -> None:
    public = parse_leaf(leaf().to_bytes())
    check_opening(public, RECORD, SALT)
    with pytest.raises(OpeningError, match="do not match leaf e-1"):
        check_opening(public, {**RECORD, "quantity": 80}, SALT)
    with pytest.raises(OpeningError, match="do not match"):
        check_opening(public, RECORD, new_salt())
    with pytest.raises(OpeningError, match="malformed"):
        check_opening(public, RECORD, SALT[:16])


def test_leaf_size_limit() -> None:
    base = len(leaf(id="x").to_bytes()) - 1
    at_limit = leaf(id="x" * (MAX_LEAF_BYTES - base))
    assert len(at_limit.to_bytes()) == MAX_LEAF_BYTES
    assert parse_leaf(at_limit.to_bytes()) == at_limit
    with pytest.raises(InvalidInput, match="at most 65535"):
        leaf(id="x" * (MAX_LEAF_BYTES - base + 1))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": ""}, "type must be a non-empty string"),
        ({"v": 0}, "v"),
        ({"v": True}, "v"),
        ({"time": datetime(2025, 1, 13)}, "aware datetime"),
        ({"salt": b"short"}, "salt is 32"),
        ({"record": {"n": 2**60}}, "canonical JSON"),
        ({"record": {"x": float("nan")}}, "canonical JSON"),
    ],
)
def test_bad_leaves_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        leaf(**change)


GOOD = leaf().to_bytes()


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[]",
        GOOD.replace(b',"v":1}', b"}"),  # missing field
        GOOD.replace(b',"v":1}', b',"v":1,"x":0}'),  # extra field
        GOOD.replace(b'"v":1', b'"v":"1"'),
        GOOD.replace(b"09:30:00Z", b"09:30:00+00:00"),  # not the wire form
        GOOD.replace(b'"time":"2025-01-13T09:30:00Z"', b'"time":"2025-01-13"'),
        GOOD.replace(b'{"actor"', b'{ "actor"'),  # whitespace
        json.dumps(json.loads(GOOD), separators=(",", ":"), sort_keys=False)
        .replace('"actor":"a1b2c3d4",', "")
        .replace("}", ',"actor":"a1b2c3d4"}')
        .encode(),  # keys out of order
        GOOD.replace(b'"commitment":"', b'"commitment":"AAAA'),  # 35 bytes
        GOOD.replace(b'"commitment":"', b'"commitment":"!'),  # not base64
    ],
)
def test_non_canonical_leaves_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput, match="leaf"):
        parse_leaf(data)
