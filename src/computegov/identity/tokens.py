"""API tokens: random bearer secrets, shown once and stored only as their SHA-256.

Tokens authenticate a connection; they never stand in for a party's signature on an action.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "cgt_"


def new_token() -> str:
    """A fresh bearer token: a recognisable prefix and 32 random bytes, base64url."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps: the hex SHA-256 of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(token_hash(token), stored_hash)
