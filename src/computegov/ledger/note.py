"""C2SP signed notes and tlog checkpoints, signed with Ed25519 (signature type 0x01).

A note is text ending in a newline, a blank line, then signature lines
`— <name> base64(key id || signature)`. A checkpoint is a note whose text is the log's
origin, tree size and base64 root hash, one per line. Verifiers ignore signatures by keys
they do not know, so keys can be rotated and witnesses can add cosignatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from computegov.errors import ComputegovError, InvalidInput
from computegov.identity.keys import check_public_key, verify_signature
from computegov.ledger.merkle import HASH_SIZE

ED25519 = 0x01
ED25519_KEY_BYTES = 32
ED25519_SIGNATURE_BYTES = 64
MAX_SIGNATURES = 100  # signed-note: verifiers must accept at least 16
EM_DASH = "\u2014"


class NoteError(ComputegovError):
    """A note or checkpoint is malformed, or carries no valid signature by the expected key."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Strict standard base64, or None: no whitespace, padding required, canonical."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if _b64(data) == text else None


def _has_control(text: str) -> bool:
    """A control character but newline, or a lone surrogate (text that has no UTF-8 form,
    as a command-line argument of undecodable bytes becomes)."""
    return any((ord(c) < 0x20 and c != "\n") or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name or _has_control(name):
        raise InvalidInput(
            f"bad key name {name!r}: a key name is non-empty, with no spaces and no '+' "
            "(a schema-less URL such as registry.example/ledger)"
        )


def _check_public_key(public_key: bytes) -> None:
    if len(public_key) != ED25519_KEY_BYTES:
        raise InvalidInput(
            f"an Ed25519 public key is {ED25519_KEY_BYTES} bytes, got {len(public_key)}"
        )


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4]: names the key in signature lines."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The key as C2SP and Go's note package write it: `<name>+<hex key id>+<base64(0x01||pk)>`."""
    _check_name(name)
    _check_public_key(public_key)
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(bytes([ED25519]) + public_key)}"


@dataclass(frozen=True)
class Verifier:
    """A trusted Ed25519 note key: who signs (name), how lines name it (key_id), the key."""

    name: str
    key_id: bytes
    public_key: bytes


def parse_verifier_key(vkey: str) -> Verifier:
    """Parse `<name>+<hex key id>+<base64(0x01||pk)>`, checking the key id matches the key."""
    accepted = "expected <name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>"
    if not vkey.strip():
        raise InvalidInput(
            f"an empty verifier key pins nothing: {vkey!r}; {accepted} (the log's key as you "
            "pinned it), or leave the option out to trust the key the server serves"
        )
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise InvalidInput(f"not a verifier key: {vkey!r}; {accepted}")
    name, hex_id, material = parts
    raw = _unb64(material)
    if (
        not re.fullmatch(r"[0-9a-f]{8}", hex_id)
        or raw is None
        or len(raw) != 1 + ED25519_KEY_BYTES
        or raw[0] != ED25519
    ):
        raise InvalidInput(f"not an Ed25519 verifier key: {vkey!r}; {accepted}")
    _check_name(name)
    public_key = check_public_key(raw[1:], what=f"key of verifier {name!r}")  # no weak keys
    expected = key_id(name, public_key)
    if expected.hex() != hex_id:
        raise InvalidInput(
            f"verifier key {vkey!r} names key id {hex_id}, but its name and key give "
            f"{expected.hex()}"
        )
    return Verifier(name=name, key_id=expected, public_key=public_key)


def pinned_or_served(pinned: str | None, served: Callable[[], str]) -> tuple[str, bool]:
    """The verifier key to check a checkpoint against, and whether the user pinned it.

    A key given is parsed (`parse_verifier_key` refuses an empty, blank or malformed one) and
    used as given, never replaced by the server's: a verifier that silently trusts the server
    is what pinning exists to prevent. Only an absent key (None) falls back to `served()`.
    """
    if pinned is not None:
        parse_verifier_key(pinned)
        return pinned, True
    return served(), False


def _check_text(text: str) -> None:
    if not text.endswith("\n") or _has_control(text):
        raise NoteError(
            "note text must end in a newline and hold no control characters but newlines "
            "(and no lone surrogates)"
        )


def sign_note(text: str, *, name: str, public_key: bytes, sign: Callable[[bytes], bytes]) -> str:
    """The signed note: text, a blank line, and one signature line by `sign` (Ed25519)."""
    _check_text(text)
    _check_name(name)
    _check_public_key(public_key)
    signature = sign(text.encode())
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise NoteError(f"an Ed25519 signature is 64 bytes, the signer gave {len(signature)}")
    return f"{text}\n{EM_DASH} {name} {_b64(key_id(name, public_key) + signature)}\n"


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(name, key id || signature)]) of a well-formed note."""
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    if not block.endswith("\n"):
        raise NoteError("malformed note: the last signature line must end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signatures; at most {MAX_SIGNATURES} are read")
    signatures = []
    for line in lines:
        match = re.fullmatch(EM_DASH + r" (\S+) (\S+)", line)
        blob = _unb64(match[2]) if match else None
        if match is None or blob is None or len(blob) < 5 or "+" in match[1]:
            raise NoteError(f"malformed signature line {line!r}; expected '— <name> <base64>'")
        signatures.append((match[1], blob))
    return text, signatures


def verify_note(note: str, verifier: Verifier) -> str:
    """The note's text, if the note carries a valid signature by `verifier`'s key.

    Signatures by other keys are ignored; a bad signature by this key rejects the note.
    """
    text, signatures = _split_note(note)
    verified = False
    for name, blob in signatures:
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        # Refuses weak keys and non-canonical signatures too (see identity.keys).
        if not verify_signature(verifier.public_key, blob[4:], text.encode()):
            raise NoteError(f"the signature by {name} does not verify")
        verified = True
    if not verified:
        raise NoteError(f"the note has no signature by {verifier.name} ({verifier.key_id.hex()})")
    return text


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin, its size and its root hash (C2SP tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The note text: origin, decimal size and base64 root, each ending in a newline."""
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"


def parse_checkpoint(body: str) -> Checkpoint:
    """A checkpoint from its note text; NoteError unless it is exactly origin, size and root."""
    lines = body.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise NoteError(
            "malformed checkpoint: expected exactly three lines (origin, tree size, base64 root "
            f"hash), each ending in a newline; got {body!r}"
        )
    origin, size_text, root_text = lines[:3]
    if not origin or _has_control(origin):
        raise NoteError(f"malformed checkpoint origin {origin!r}")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise NoteError(f"malformed checkpoint tree size {size_text!r}: a decimal, no leading 0")
    root = _unb64(root_text)
    if root is None or len(root) != HASH_SIZE:
        raise NoteError(f"malformed checkpoint root {root_text!r}: base64 of a 32-byte hash")
    return Checkpoint(origin=origin, size=int(size_text), root=root)


def sign_checkpoint(
    cp: Checkpoint, *, name: str, public_key: bytes, sign: Callable[[bytes], bytes]
) -> str:
    """The checkpoint as a signed note; the signer name is the log origin."""
    if cp.size < 0 or len(cp.root) != HASH_SIZE:
        raise InvalidInput(f"a checkpoint needs size >= 0 and a 32-byte root, got {cp!r}")
    return sign_note(cp.body(), name=name, public_key=public_key, sign=sign)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """Verify a signed checkpoint by `verifier`, then parse it; its origin must be the key name."""
    cp = parse_checkpoint(verify_note(note, verifier))
    if cp.origin != verifier.name:
        raise NoteError(f"checkpoint origin {cp.origin!r} is not the log {verifier.name!r}")
    return cp
