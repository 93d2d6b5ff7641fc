"""Fuzz the signed-envelope parser and checks: any input parses or is refused clearly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from computegov import ijson
from computegov.errors import InvalidInput
from computegov.identity.envelopes import (
    EnvelopeRejected,
    make_envelope,
    parse_signed_envelope,
    sign_envelope,
    verify_envelope,
)
from computegov.identity.keys import public_key_bytes
from computegov.store.signer import Ed25519FileSigner
from fuzzing import any_text, fuzz, json_values, parses_or_refuses

ORIGIN = "localhost/computegov"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = public_key_bytes(PRIVATE)
VALID = sign_envelope(
    make_envelope("party.create", {"legal_name": "A", "n": 3}, origin=ORIGIN, time=NOW),
    Ed25519FileSigner(PRIVATE),
).to_dict()
VALID_TEXT = json.dumps(VALID)
REFUSALS = (InvalidInput, EnvelopeRejected)


def _check(data: Any) -> None:
    signed = parses_or_refuses(parse_signed_envelope, data)
    if signed is not None:
        parses_or_refuses(
            verify_envelope, signed, public_key=PUBLIC, origin=ORIGIN, now=NOW, refusals=REFUSALS
        )


def _from_bytes(raw: bytes) -> None:
    data = parses_or_refuses(ijson.loads, raw)
    if data is not None:
        _check(data)


@fuzz()
@given(st.binary(max_size=300))
def test_any_bytes(raw: bytes) -> None:
    _from_bytes(raw)


@fuzz()
@given(st.data())
def test_a_valid_envelope_with_bytes_changed(data: st.DataObject) -> None:
    raw = bytearray(VALID_TEXT.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    _from_bytes(bytes(raw))


@fuzz()
@given(st.data())
def test_a_valid_envelope_with_a_value_replaced(data: st.DataObject) -> None:
    wire: dict[str, Any] = json.loads(VALID_TEXT)
    part = data.draw(st.sampled_from(["envelope", "signature"]))
    names = sorted(wire[part]) + ["unexpected"]
    wire[part][data.draw(st.sampled_from(names))] = data.draw(json_values)
    _check(wire)


@fuzz()
@given(json_values)
def test_any_json_value(value: Any) -> None:
    _check(value)
    _check({"envelope": value, "signature": {"key_id": "0" * 16, "sig": "AAAA"}})


@fuzz()
@given(any_text)
def test_any_text_as_json(text: str) -> None:
    parses_or_refuses(ijson.loads, text)
