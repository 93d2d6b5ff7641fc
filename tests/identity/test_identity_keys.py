"""Weak Ed25519 keys and non-canonical signatures are refused wherever they enter.

A key of small order let a bearer token alone act as a party: the signature R = identity,
S = 0 verifies for every message under the identity key, so whoever registered it (or stole
its party's token) needed no private key. These tests use the 14 encodings of the 8 small-order
points, derived from the curve equation in `ed25519_points`.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from computegov.errors import InvalidInput
from computegov.identity import keys
from computegov.identity.envelopes import (
    EnvelopeRejected,
    SignedEnvelope,
    make_envelope,
    verify_envelope,
)
from computegov.registry.chips import manifests
from ed25519_points import BASE, P, add, encode, recover, small_order_encodings, torsion_points

WEAK = small_order_encodings()
IDENTITY_KEY = b"\x01" + bytes(31)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ORIGIN = "localhost/computegov"


def test_the_module_lists_exactly_the_small_order_points() -> None:
    assert len(WEAK) == 14
    assert {y for _, y in torsion_points()} == set(keys.SMALL_ORDER_Y)


@pytest.mark.parametrize(("label", "raw"), WEAK, ids=[label for label, _ in WEAK])
def test_every_small_order_encoding_is_refused_as_a_key(label: str, raw: bytes) -> None:
    with pytest.raises(InvalidInput) as info:
        keys.check_public_key(raw)
    assert info.value.extra["reason"] in {keys.SMALL_ORDER_KEY, keys.NON_CANONICAL_KEY}
    assert "refused" in info.value.detail
    with pytest.raises(InvalidInput):
        keys.decode_public_key(base64.b64encode(raw).decode())
    assert keys.public_key_problem(raw) is not None  # the cheap per-row check agrees


@pytest.mark.parametrize(("label", "raw"), WEAK, ids=[label for label, _ in WEAK])
def test_a_forged_signature_under_a_small_order_key_never_verifies(label: str, raw: bytes) -> None:
    forged = IDENTITY_KEY + bytes(32)  # R = identity, S = 0
    for message in (b"", b"party.create", b"any message at all", bytes(range(256))):
        assert not keys.verify_signature(raw, forged, message)


def test_the_identity_forgery_is_what_the_check_stops() -> None:
    # Without the check, the forged signature is a valid cofactorless Ed25519 signature.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    forged = IDENTITY_KEY + bytes(32)
    Ed25519PublicKey.from_public_bytes(IDENTITY_KEY).verify(forged, b"any message")
    assert not keys.verify_signature(IDENTITY_KEY, forged, b"any message")


def test_non_canonical_encodings_of_ordinary_points_are_refused() -> None:
    # y + p for small y that is on the curve: a second encoding of a real point.
    for y in range(2, 19):
        if recover(y) is None:
            continue
        raw = encode((0, y), y_offset=P)
        with pytest.raises(InvalidInput) as info:
            keys.check_public_key(raw)
        assert info.value.extra["reason"] == keys.NON_CANONICAL_KEY
        assert "not reduced modulo p" in info.value.detail


def test_a_point_off_the_curve_and_a_mixed_order_point_are_refused() -> None:
    off = next(y for y in range(2, 100) if recover(y) is None)
    with pytest.raises(InvalidInput, match="not a point of edwards25519"):
        keys.check_public_key(off.to_bytes(32, "little"))
    assert BASE is not None
    mixed = encode(add(BASE, torsion_points()[1]))  # B + a point of order 8
    with pytest.raises(InvalidInput, match="small-order component") as info:
        keys.check_public_key(mixed)
    assert info.value.extra["reason"] == keys.SMALL_ORDER_KEY
    keys.check_public_key(encode(BASE))  # the base point itself is a sound key


def test_generated_keys_pass_and_still_verify() -> None:
    for _ in range(20):
        private = Ed25519PrivateKey.generate()
        raw = keys.public_key_bytes(private)
        assert keys.check_public_key(raw) == raw
        assert keys.verify_signature(raw, private.sign(b"m"), b"m")


def test_wrong_length_keys_are_refused_with_the_expected_form() -> None:
    for text in ("", "AAAA", base64.b64encode(bytes(33)).decode(), "not base64!"):
        with pytest.raises(InvalidInput, match="base64 of 32 raw bytes") as info:
            keys.decode_public_key(text)
        assert info.value.extra["reason"] == keys.INVALID_KEY


def _valid_signature() -> tuple[bytes, bytes, bytes]:
    private = Ed25519PrivateKey.generate()
    return keys.public_key_bytes(private), private.sign(b"message"), b"message"


def test_a_signature_with_s_not_below_l_is_refused() -> None:
    public, signature, message = _valid_signature()
    s = int.from_bytes(signature[32:], "little") + keys.L
    assert s < 2**256
    malleated = signature[:32] + s.to_bytes(32, "little")
    assert keys.signature_problem(malleated) == (
        "its S is not below the group order L (RFC 8032 5.1.7)"
    )
    assert not keys.verify_signature(public, malleated, message)


@pytest.mark.parametrize(("label", "raw"), WEAK, ids=[label for label, _ in WEAK])
def test_a_signature_whose_r_has_small_order_is_refused(label: str, raw: bytes) -> None:
    public, signature, message = _valid_signature()
    odd = raw + signature[32:]
    assert keys.signature_problem(odd) is not None
    assert keys.signature_problem(odd).startswith("its R is refused")  # type: ignore[union-attr]
    assert not keys.verify_signature(public, odd, message)


def test_signatures_of_the_wrong_length_are_refused() -> None:
    public, signature, message = _valid_signature()
    for bad in (b"", signature[:63], signature + b"\x00"):
        assert keys.signature_problem(bad) is not None
        assert not keys.verify_signature(public, bad, message)


def test_an_envelope_names_a_weak_key_and_a_non_canonical_signature() -> None:
    envelope = make_envelope("party.create", {"x": 1}, origin=ORIGIN, time=NOW)
    forged = SignedEnvelope(envelope, keys.key_id(IDENTITY_KEY), IDENTITY_KEY + bytes(32))
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(forged, public_key=IDENTITY_KEY, origin=ORIGIN, now=NOW)
    assert info.value.reason == "weak_key"
    assert "small order" in info.value.detail

    private = Ed25519PrivateKey.generate()
    public = keys.public_key_bytes(private)
    signature = private.sign(envelope.canonical())
    s = int.from_bytes(signature[32:], "little") + keys.L
    signed = SignedEnvelope(
        envelope, keys.key_id(public), signature[:32] + s.to_bytes(32, "little")
    )
    with pytest.raises(EnvelopeRejected) as info:
        verify_envelope(signed, public_key=public, origin=ORIGIN, now=NOW)
    assert info.value.reason == "non_canonical_signature"


def test_a_manifest_row_with_a_weak_device_key_is_refused_with_its_line() -> None:
    header = ",".join(manifests.COLUMNS)
    good = base64.b64encode(keys.public_key_bytes(Ed25519PrivateKey.generate())).decode()
    rows = [f"SN-1,H100,2026-01-15,TSMC Fab 18,Amkor Arizona,{good}"]
    rows += [
        f"SN-{i + 2},H100,2026-01-15,TSMC Fab 18,Amkor Arizona,{base64.b64encode(raw).decode()}"
        for i, (_, raw) in enumerate(WEAK)
    ]
    data = "\n".join([header, *rows]).encode() + b"\n"
    with pytest.raises(InvalidInput) as info:
        manifests.parse_manifest(data, on=NOW)
    detail = info.value.detail
    assert f"has {len(WEAK)} bad rows" in detail
    assert "line 2:" not in detail  # the sound key passes
    for line in range(3, 3 + len(WEAK)):
        assert f"line {line}: device_public_key is refused" in detail
