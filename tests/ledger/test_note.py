"""Signed notes and checkpoints, against the published Go and C2SP known answers."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from computegov.errors import InvalidInput
from computegov.ledger.merkle import EMPTY_ROOT, hash_leaf
from computegov.ledger.note import (
    Checkpoint,
    NoteError,
    key_id,
    open_checkpoint,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_note,
)

# golang.org/x/mod sumdb/note (note.go package doc and note_test.go).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
ENOCH_SIG = (
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
# C2SP signed-note.md, the specification's example.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def go_private_key() -> Ed25519PrivateKey:
    # PRIVATE+KEY+<name>+<id>+base64(0x01 || 32-byte seed); the base64 may contain '+'.
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert seed[0] == 1
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


def raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_go_known_answer_signs_byte_for_byte() -> None:
    key = go_private_key()
    assert verifier_key("PeterNeumann", raw(key)) == GO_VKEY
    note = sign_note(GO_TEXT, name="PeterNeumann", public_key=raw(key), sign=key.sign)
    assert note == GO_TEXT + "\n" + GO_SIG
    assert verify_note(note, parse_verifier_key(GO_VKEY)) == GO_TEXT


def test_spec_example_verifies_and_its_key_round_trips() -> None:
    verifier = parse_verifier_key(SPEC_VKEY)
    assert verifier.name == "example.com/foo"
    assert (
        verifier.key_id
        == bytes.fromhex("530d903a")
        == key_id("example.com/foo", verifier.public_key)
    )
    assert verifier_key(verifier.name, verifier.public_key) == SPEC_VKEY
    assert verify_note(SPEC_NOTE, verifier) == "This is an example message.\n"


def test_unknown_signatures_are_ignored() -> None:
    two = GO_TEXT + "\n" + ENOCH_SIG + GO_SIG
    assert verify_note(two, parse_verifier_key(GO_VKEY)) == GO_TEXT
    assert verify_note(two, parse_verifier_key(ENOCH_VKEY)) == GO_TEXT
    # Same name, another key (so another key id): ignored, and nothing else verifies.
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    stranger = parse_verifier_key(verifier_key("PeterNeumann", raw(other)))
    with pytest.raises(NoteError, match="no signature by PeterNeumann"):
        verify_note(two, stranger)


def test_modified_text_or_signature_is_rejected() -> None:
    verifier = parse_verifier_key(GO_VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(GO_TEXT.replace("cryptography", "cryptographY") + "\n" + GO_SIG, verifier)
    bad_sig = GO_SIG.replace("x08go/ZJku", "x08go/ZJkv")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(GO_TEXT + "\n" + ENOCH_SIG + bad_sig, verifier)


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT + GO_SIG,  # no blank line
        GO_TEXT + "\n" + GO_SIG.rstrip("\n"),  # no final newline
        GO_TEXT + "\n",  # no signatures
        GO_TEXT + "\n" + GO_SIG.replace("—", "-"),
        GO_TEXT + "\n" + GO_SIG.replace("=\n", "\n"),  # bad base64 padding
        "text\twith a tab\n\n" + GO_SIG,
        GO_TEXT + "\n" + GO_SIG * 101,
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(NoteError):
        verify_note(note, parse_verifier_key(GO_VKEY))


def test_every_mangled_verifier_key_is_refused() -> None:
    # As Go's TestNewVerifier: every proper substring and every one-byte change fails.
    for i in range(len(GO_VKEY)):
        for j in range(i + 1, len(GO_VKEY) + 1):
            if (i, j) != (0, len(GO_VKEY)):
                with pytest.raises(InvalidInput):
                    parse_verifier_key(GO_VKEY[i:j])
    for i, c in enumerate(GO_VKEY):
        mangled = GO_VKEY[:i] + chr(ord(c) + 1) + GO_VKEY[i + 1 :]
        with pytest.raises(InvalidInput):
            parse_verifier_key(mangled)


def test_verifier_key_refuses_bad_names_and_keys() -> None:
    pk = raw(go_private_key())
    for name in ["", "a b", "a+b", "tab\tname"]:
        with pytest.raises(InvalidInput, match="key name"):
            verifier_key(name, pk)
    with pytest.raises(InvalidInput, match="32 bytes"):
        verifier_key("log.example", pk[:31])


ORIGIN = "registry.example/ledger"
LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
LOG_VERIFIER = parse_verifier_key(verifier_key(ORIGIN, raw(LOG_KEY)))


def test_checkpoint_body_is_three_lines() -> None:
    root = hash_leaf(b"x")
    cp = Checkpoint(origin=ORIGIN, size=12345, root=root)
    assert cp.body() == f"{ORIGIN}\n12345\n{base64.b64encode(root).decode()}\n"
    assert parse_checkpoint(cp.body()) == cp
    empty = Checkpoint(origin=ORIGIN, size=0, root=EMPTY_ROOT)
    assert empty.body() == f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",  # no final newline
        f"{ORIGIN}\n05\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        f"{ORIGIN}\n-5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        f"{ORIGIN}\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",  # unpadded
        f"{ORIGIN}\n5\nZG9uJ3QgY2FyZQ==\n",  # not 32 bytes
        "\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        f"{ORIGIN}\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextension\n",
    ],
)
def test_malformed_checkpoints_are_rejected(body: str) -> None:
    with pytest.raises(NoteError, match="malformed checkpoint"):
        parse_checkpoint(body)


def test_signed_checkpoint_round_trip() -> None:
    cp = Checkpoint(origin=ORIGIN, size=8, root=hash_leaf(b"root"))
    note = sign_checkpoint(cp, name=ORIGIN, public_key=raw(LOG_KEY), sign=LOG_KEY.sign)
    assert note.startswith(cp.body() + "\n— " + ORIGIN + " ")
    assert open_checkpoint(note, LOG_VERIFIER) == cp
    # A witness cosignature (unknown here) does not disturb it.
    assert open_checkpoint(note + ENOCH_SIG, LOG_VERIFIER) == cp
    with pytest.raises(NoteError):
        open_checkpoint(note.replace("\n8\n", "\n9\n"), LOG_VERIFIER)
    with pytest.raises(NoteError, match="no signature"):
        open_checkpoint(note, parse_verifier_key(GO_VKEY))


def test_checkpoint_must_come_from_its_own_log() -> None:
    cp = Checkpoint(origin="other.example/log", size=1, root=EMPTY_ROOT)
    note = sign_checkpoint(cp, name=ORIGIN, public_key=raw(LOG_KEY), sign=LOG_KEY.sign)
    with pytest.raises(NoteError, match="is not the log"):
        open_checkpoint(note, LOG_VERIFIER)


def test_a_weak_verifier_key_and_a_forged_signature_are_refused() -> None:
    identity = b"\x01" + bytes(31)  # a small-order point: R = identity, S = 0 verifies anything
    name = "registry.example/ledger"
    kid = key_id(name, identity)
    material = base64.b64encode(bytes([1]) + identity).decode()
    vkey = f"{name}+{kid.hex()}+{material}"
    with pytest.raises(InvalidInput, match="small order") as info:
        parse_verifier_key(vkey)
    assert info.value.extra["reason"] == "small_order_key"
    text = Checkpoint(name, 5, EMPTY_ROOT).body()
    forged = f"{text}\n— {name} {base64.b64encode(kid + identity + bytes(32)).decode()}\n"
    from computegov.ledger.note import Verifier

    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(forged, Verifier(name=name, key_id=kid, public_key=identity))


def test_text_without_a_utf8_form_is_refused_not_a_crash() -> None:
    # A command-line argument of undecodable bytes arrives as lone surrogates.
    with pytest.raises(InvalidInput, match="bad key name"):
        parse_verifier_key("\udcff+00000000+" + GO_VKEY.split("+")[2])
    verifier = parse_verifier_key(GO_VKEY)
    with pytest.raises(NoteError, match="lone surrogates"):
        verify_note("\ud800\n\n" + GO_SIG, verifier)
