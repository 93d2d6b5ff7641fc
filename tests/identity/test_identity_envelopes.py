"""Signed envelopes: what a party signs is exactly what the registry checks."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from computegov.errors import InvalidInput
from computegov.identity.envelopes import (
    EnvelopeRejected,
    make_envelope,
    parse_signed_envelope,
    sign_envelope,
    verify_envelope,
)
from computegov.identity.keys import decode_public_key, encode_public_key, key_id
from computegov.store.signer import Ed25519FileSigner


def generate_key() -> Ed25519FileSigner:
    return Ed25519FileSigner(Ed25519PrivateKey.generate())


def public_key_bytes(signer: Ed25519FileSigner) -> bytes:
    return signer.public_key_bytes()


ORIGIN = "localhost/computegov"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _signed(body: dict[str, object] | None = None, time: datetime = NOW):  # type: ignore[no-untyped-def]
    key = generate_key()
    envelope = make_envelope("party.create", body or {"name": "A"}, origin=ORIGIN, time=time)
    return key, sign_envelope(envelope, key)


def test_round_trip_through_the_wire_form_verifies() -> None:
    key, signed = _signed({"legal_name": "Example Fab", "country": "TW", "n": 3})
    wire = signed.to_dict()
    parsed = parse_signed_envelope(wire)
    assert parsed == signed
    verify_envelope(parsed, public_key=public_key_bytes(key), origin=ORIGIN, now=NOW)


def test_changed_body_is_a_bad_signature() -> None:
    key, signed = _signed({"quantity": 10})
    wire = signed.to_dict()
    wire["envelope"]["body"]["quantity"] = 11
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(
            parse_signed_envelope(wire), public_key=public_key_bytes(key), origin=ORIGIN, now=NOW
        )
    assert info.value.reason == "bad_signature"


def test_signature_by_another_key_is_refused() -> None:
    _, signed = _signed()
    other = generate_key()
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(signed, public_key=public_key_bytes(other), origin=ORIGIN, now=NOW)
    assert info.value.reason == "wrong_key"
    forged = dataclasses.replace(signed, key_id=key_id(public_key_bytes(other)))
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(forged, public_key=public_key_bytes(other), origin=ORIGIN, now=NOW)
    assert info.value.reason == "bad_signature"


def test_envelope_for_another_registry_is_refused() -> None:
    key, signed = _signed()
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(signed, public_key=public_key_bytes(key), origin="other/log", now=NOW)
    assert info.value.reason == "wrong_origin"


@pytest.mark.parametrize(
    ("offset", "reason"),
    [(timedelta(minutes=-6), "stale"), (timedelta(minutes=6), "future")],
)
def test_clock_skew_beyond_five_minutes_is_refused(offset: timedelta, reason: str) -> None:
    key, signed = _signed(time=NOW + offset)
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(signed, public_key=public_key_bytes(key), origin=ORIGIN, now=NOW)
    assert info.value.reason == reason
    verify_envelope(signed, public_key=public_key_bytes(key), origin=ORIGIN, now=NOW + offset / 2)


def test_seen_nonce_is_a_replay() -> None:
    key, signed = _signed()
    seen = {signed.envelope.nonce}
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(
            signed,
            public_key=public_key_bytes(key),
            origin=ORIGIN,
            now=NOW,
            nonce_seen=seen.__contains__,
        )
    assert info.value.reason == "replay"


def test_short_nonce_is_refused_even_when_signed() -> None:
    key = generate_key()
    envelope = dataclasses.replace(make_envelope("x", {}, origin=ORIGIN, time=NOW), nonce="abc")
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(
            sign_envelope(envelope, key), public_key=public_key_bytes(key), origin=ORIGIN, now=NOW
        )
    assert info.value.reason == "bad_nonce"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda w: w.pop("signature"),
        lambda w: w["envelope"].pop("nonce"),
        lambda w: w["envelope"].update(extra=1),
        lambda w: w["envelope"].update(v="1"),
        lambda w: w["envelope"].update(v=True),
        lambda w: w["envelope"].update(time="yesterday"),
        lambda w: w["signature"].update(sig="***"),
    ],
)
def test_malformed_wire_forms_are_invalid_input(mutate) -> None:  # type: ignore[no-untyped-def]
    _, signed = _signed()
    wire = signed.to_dict()
    mutate(wire)
    with pytest.raises(InvalidInput):
        parse_signed_envelope(wire)


def test_public_key_wire_form() -> None:
    raw = public_key_bytes(generate_key())
    assert decode_public_key(encode_public_key(raw)) == raw
    with pytest.raises(InvalidInput, match="32 raw bytes"):
        decode_public_key(base64.b64encode(raw[:31]).decode())
    assert len(key_id(raw)) == 16


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (float("nan"), "is nan"),
        (float("inf"), "is inf"),
        (2**53, "beyond +-(2^53 - 1)"),
        (-(2**53), "beyond +-(2^53 - 1)"),
        ("a\ud800", "lone surrogate"),
        ([[[{"x": "\udfff"}]]], "lone surrogate"),
    ],
)
def test_an_envelope_that_is_not_i_json_is_invalid_input(value: object, said: str) -> None:
    _, signed = _signed()
    wire = signed.to_dict()
    wire["envelope"]["body"]["value"] = value
    with pytest.raises(InvalidInput, match=r"^\$\.envelope\.body\.value") as info:
        parse_signed_envelope(wire)
    assert said in info.value.detail
    assert info.value.extra["reason"] == "not_i_json"
    wire["envelope"]["body"]["value"] = 2**53 - 1  # the largest I-JSON integer is fine
    parse_signed_envelope(wire)


def test_an_envelope_nested_too_deep_is_invalid_input() -> None:
    _, signed = _signed()
    wire = signed.to_dict()
    deep: list[object] = []
    wire["envelope"]["body"]["value"] = deep
    for _ in range(100):
        deep.append([])
        deep = deep[0]  # type: ignore[assignment]
    with pytest.raises(InvalidInput, match="nested deeper than 64 levels"):
        parse_signed_envelope(wire)


@pytest.mark.parametrize("version", [0, 2, 99])
def test_an_unknown_envelope_version_is_invalid_input(version: int) -> None:
    key = generate_key()
    envelope = make_envelope("party.create", {}, origin=ORIGIN, time=NOW, v=version)
    with pytest.raises(InvalidInput, match=f"v={version} is unknown") as info:
        parse_signed_envelope(sign_envelope(envelope, key).to_dict())
    assert info.value.extra["reason"] == "unknown_version"
