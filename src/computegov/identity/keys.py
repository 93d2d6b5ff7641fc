"""Ed25519 public keys of parties and devices: wire form, key ids, signature checks.

Private keys live in key files behind the `Signer` interface (`computegov.store.signer`).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from computegov.errors import InvalidInput

PUBLIC_KEY_BYTES = 32


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def encode_public_key(raw: bytes) -> str:
    """The wire form of a public key: standard base64 of the raw 32 bytes."""
    return base64.b64encode(raw).decode("ascii")


def decode_public_key(text: str) -> bytes:
    """Parse the wire form of a public key, or raise `InvalidInput` saying what is expected."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InvalidInput(
            f"not an Ed25519 public key: {text!r}; expected base64 of 32 raw bytes "
            "(as `computegov keys generate` prints)"
        )
    return raw


def key_id(raw_public_key: bytes) -> str:
    """A short stable name for a public key: the first 8 bytes of its SHA-256, in hex."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def verify_signature(raw_public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by that key."""
    try:
        Ed25519PublicKey.from_public_bytes(raw_public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
