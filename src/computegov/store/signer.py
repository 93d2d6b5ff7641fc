"""Signing keys behind one small interface: a key file now, a KMS or HSM later."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from computegov.errors import ComputegovError


class KeyFileError(ComputegovError):
    """A key file is missing, unreadable, malformed or too widely readable."""


class Signer(Protocol):
    """An Ed25519 signer: signs bytes and names its public key."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key_bytes(self) -> bytes: ...


class Ed25519FileSigner:
    """An Ed25519 private key held in a PKCS#8 PEM file readable by its owner only."""

    def __init__(self, private_key: Ed25519PrivateKey, path: Path | None = None) -> None:
        self._key = private_key
        self.path = path

    @classmethod
    def load(cls, path: Path) -> Ed25519FileSigner:
        """Read a key file; refuse one that group or others can read (mode must be 0600)."""
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileError(f"key file {path} does not exist") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"key file {path} has mode {stat.S_IMODE(mode):04o}; it must be readable "
                f"by its owner only: chmod 600 {path}"
            )
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise KeyFileError(f"key file {path} is not a PEM private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"key file {path} holds a {type(key).__name__}, not Ed25519")
        return cls(key, path)

    @classmethod
    def generate(cls, path: Path) -> Ed25519FileSigner:
        """Create a new key in a new file (mode 0600); never overwrites an existing file."""
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyFileError(f"key file {path} already exists; not overwriting it") from None
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        return cls(key, path)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def public_key_bytes(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
