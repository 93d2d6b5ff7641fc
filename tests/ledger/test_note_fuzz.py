"""Fuzz the signed-note, checkpoint and verifier-key parsers: parse, or a clear refusal."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from computegov.errors import InvalidInput
from computegov.identity.keys import public_key_bytes
from computegov.ledger.merkle import EMPTY_ROOT
from computegov.ledger.note import (
    Checkpoint,
    NoteError,
    open_checkpoint,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
)
from fuzzing import any_char, any_text, fuzz, parses_or_refuses

NAME = "registry.example/ledger"
PRIVATE = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = public_key_bytes(PRIVATE)
VKEY = verifier_key(NAME, PUBLIC)
VERIFIER = parse_verifier_key(VKEY)
NOTE = sign_checkpoint(
    Checkpoint(NAME, 0, EMPTY_ROOT), name=NAME, public_key=PUBLIC, sign=PRIVATE.sign
)
REFUSALS = (InvalidInput, NoteError)


def _open(note: str) -> None:
    checkpoint = parses_or_refuses(open_checkpoint, note, VERIFIER, refusals=REFUSALS)
    if checkpoint is not None:
        assert checkpoint.origin == NAME


@fuzz()
@given(any_text)
def test_any_text_as_a_note_checkpoint_and_key(text: str) -> None:
    _open(text)
    _open(text + "\n\n" + NOTE.split("\n\n")[1])
    parses_or_refuses(parse_checkpoint, text, refusals=REFUSALS)
    parses_or_refuses(parse_verifier_key, text)


@fuzz()
@given(st.data())
def test_a_signed_checkpoint_with_characters_changed(data: st.DataObject) -> None:
    note = list(NOTE)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(note) - 1))
        note[at] = data.draw(any_char)
    _open("".join(note))


@fuzz()
@given(st.lists(st.sampled_from(["\u2014 ", NAME, " ", "+", "\n", "AAAA", "\n\n", "0"]) | any_text))
def test_notes_built_from_note_pieces(pieces: list[str]) -> None:
    _open("".join(pieces))


@fuzz()
@given(st.data())
def test_a_verifier_key_with_characters_changed(data: st.DataObject) -> None:
    vkey = list(VKEY)
    at = data.draw(st.integers(0, len(vkey) - 1))
    vkey[at] = data.draw(any_char)
    parses_or_refuses(parse_verifier_key, "".join(vkey))
