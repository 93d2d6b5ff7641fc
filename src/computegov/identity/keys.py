"""Ed25519 keys for parties and devices: generate, store with mode 0600, load, identify."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from computegov.errors import InvalidInput

PUBLIC_KEY_BYTES = 32


def generate_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


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


def write_private_key(key: Ed25519PrivateKey, path: Path) -> None:
    """Write a PKCS#8 PEM key file readable by its owner only; never overwrite one."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(f"{path} already exists; refusing to overwrite a key file") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Load a key file written by `write_private_key`; refuse one others can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InvalidInput(
            f"no key file at {path}; create one with `computegov keys generate`"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InvalidInput(
            f"key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}`"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise InvalidInput(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} holds a {type(key).__name__}; an Ed25519 key is required")
    return key
