"""Identifiers of registry records."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A short random identifier with a readable prefix, e.g. `pty_3f9c0a1b2c4d5e6f`."""
    return f"{prefix}_{secrets.token_hex(8)}"
