"""Signed envelopes: every mutation is a party's signature over its RFC 8785 form.

The wire form is `{"envelope": {type, v, origin, nonce, time, body}, "signature": {key_id,
sig}}`. `origin` names the registry the action is addressed to, so an envelope signed for
one deployment cannot be replayed at another; `nonce` makes each envelope unique, and the
registry refuses a nonce it has seen; `time` must be within the allowed skew of the
server's clock. Which party acted follows from the key, never from a claim in the body.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rfc8785

from computegov import ijson
from computegov.errors import InvalidInput, Unauthenticated
from computegov.identity.keys import (
    key_id,
    public_key_problem,
    signature_problem,
    verify_signature,
)
from computegov.instants import parse_instant, to_wire
from computegov.store.signer import Signer

DEFAULT_MAX_SKEW = timedelta(minutes=5)
NONCE_BYTES = 16
ENVELOPE_FIELDS = ("type", "v", "origin", "nonce", "time", "body")
VERSIONS = (1,)  # the envelope format versions this registry reads


class EnvelopeRejected(Unauthenticated):
    """A signed envelope failed a check; `reason` is a stable machine-readable code."""

    title = "Signed envelope refused"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail, reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """One action a party takes, before or after signing."""

    type: str
    v: int
    origin: str
    nonce: str
    time: datetime
    body: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "v": self.v,
            "origin": self.origin,
            "nonce": self.nonce,
            "time": to_wire(self.time),
            "body": dict(self.body),
        }

    def canonical(self) -> bytes:
        """The exact bytes that are signed: RFC 8785 (JCS) of the envelope object."""
        return rfc8785.dumps(self.to_dict())


@dataclass(frozen=True)
class SignedEnvelope:
    """An envelope with the signature of one key."""

    envelope: Envelope
    key_id: str
    signature: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "envelope": self.envelope.to_dict(),
            "signature": {
                "key_id": self.key_id,
                "sig": base64.b64encode(self.signature).decode("ascii"),
            },
        }


def new_nonce() -> str:
    """16 random bytes, base64url without padding."""
    return base64.urlsafe_b64encode(os.urandom(NONCE_BYTES)).rstrip(b"=").decode("ascii")


def make_envelope(
    type: str, body: Mapping[str, Any], *, origin: str, time: datetime, v: int = 1
) -> Envelope:
    """A new envelope with a fresh nonce."""
    return Envelope(type=type, v=v, origin=origin, nonce=new_nonce(), time=time, body=body)


def sign_envelope(envelope: Envelope, signer: Signer) -> SignedEnvelope:
    """Sign the canonical form of `envelope` with the party's key."""
    signature = signer.sign(envelope.canonical())
    return SignedEnvelope(envelope, key_id(signer.public_key_bytes()), signature)


def parse_signed_envelope(data: Any) -> SignedEnvelope:
    """Parse the wire form, or raise `InvalidInput` naming the first thing that is wrong.

    The whole object must be I-JSON (RFC 7493: no NaN or Infinity, integers within
    +-(2^53 - 1), no lone surrogates), since its RFC 8785 form is what is signed, and `v` a
    version in `VERSIONS`.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("a signed envelope is a JSON object with `envelope` and `signature`")
    ijson.check(data)
    raw_env, raw_sig = data.get("envelope"), data.get("signature")
    if not isinstance(raw_env, Mapping) or not isinstance(raw_sig, Mapping):
        raise InvalidInput("a signed envelope needs objects `envelope` and `signature`")
    missing = [name for name in ENVELOPE_FIELDS if name not in raw_env]
    extra = sorted(set(raw_env) - set(ENVELOPE_FIELDS))
    if missing or extra:
        raise InvalidInput(
            f"envelope fields must be exactly {', '.join(ENVELOPE_FIELDS)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unexpected {', '.join(extra)}" if extra else "")
        )
    kinds: dict[str, type | tuple[type, ...]] = {
        "type": str,
        "v": int,
        "origin": str,
        "nonce": str,
        "time": str,
        "body": Mapping,
    }
    for name, kind in kinds.items():
        value = raw_env[name]
        if not isinstance(value, kind) or (name == "v" and isinstance(value, bool)):
            raise InvalidInput(f"envelope field `{name}` has the wrong type")
    if raw_env["v"] not in VERSIONS:
        raise InvalidInput(
            f"envelope version v={raw_env['v']} is unknown; this registry reads "
            f"v={' or '.join(str(v) for v in VERSIONS)}",
            reason="unknown_version",
        )
    key, sig = raw_sig.get("key_id"), raw_sig.get("sig")
    if not isinstance(key, str) or not isinstance(sig, str):
        raise InvalidInput("`signature` needs string fields `key_id` and `sig` (base64)")
    try:
        signature = base64.b64decode(sig, validate=True)
    except (ValueError, binascii.Error):
        raise InvalidInput("`signature.sig` is not base64") from None
    envelope = Envelope(
        type=raw_env["type"],
        v=raw_env["v"],
        origin=raw_env["origin"],
        nonce=raw_env["nonce"],
        time=parse_instant(raw_env["time"]),
        body=raw_env["body"],
    )
    return SignedEnvelope(envelope, key, signature)


def verify_envelope(
    signed: SignedEnvelope,
    *,
    public_key: bytes,
    origin: str,
    now: datetime,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    nonce_seen: Callable[[str], bool] | None = None,
) -> None:
    """Check signature, addressee, clock skew and nonce; raise `EnvelopeRejected` if any fails.

    The key's status (registered, revoked, whose it is) is the caller's to check first: the
    registry looks the key up by `signed.key_id` and passes its raw public key here.
    """
    env = signed.envelope
    if key_id(public_key) != signed.key_id:
        raise EnvelopeRejected("wrong_key", "the signature names another key than the one given")
    weak = public_key_problem(public_key)
    if weak is not None:
        raise EnvelopeRejected(
            "weak_key", f"key {signed.key_id} is not a sound Ed25519 key: {weak[1]}"
        )
    odd = signature_problem(signed.signature)
    if odd is not None:
        raise EnvelopeRejected(
            "non_canonical_signature",
            f"the signature by key {signed.key_id} is not canonical Ed25519: {odd}",
        )
    if not verify_signature(public_key, signed.signature, env.canonical()):
        raise EnvelopeRejected(
            "bad_signature", f"the signature by key {signed.key_id} does not verify"
        )
    if env.origin != origin:
        raise EnvelopeRejected(
            "wrong_origin", f"the envelope is addressed to {env.origin!r}, not {origin!r}"
        )
    skew = abs(env.time - now)
    if skew > max_skew:
        direction = "ahead of" if env.time > now else "behind"
        raise EnvelopeRejected(
            "stale" if env.time < now else "future",
            f"the envelope time {to_wire(env.time)} is {skew} {direction} the server clock "
            f"{to_wire(now)}; at most {max_skew} is allowed",
        )
    try:
        nonce_raw = base64.urlsafe_b64decode(env.nonce + "=" * (-len(env.nonce) % 4))
    except (ValueError, binascii.Error):
        nonce_raw = b""
    if len(nonce_raw) < NONCE_BYTES:
        raise EnvelopeRejected(
            "bad_nonce", f"the nonce must be at least {NONCE_BYTES} random bytes, base64url"
        )
    if nonce_seen is not None and nonce_seen(env.nonce):
        raise EnvelopeRejected("replay", f"nonce {env.nonce} was already used by this key")
