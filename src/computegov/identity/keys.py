"""Ed25519 public keys of parties and devices: wire form, key ids, signature checks.

Private keys live in key files behind the `Signer` interface (`computegov.store.signer`).

Every public key that enters the registry, and every signature it verifies, is checked here
first, because Ed25519 verifiers accept more than honest signers produce ("Taming the many
EdDSAs", Chalkias et al. 2020; Zcash ZIP 215). A key of small order (one of the 8 torsion
points of edwards25519, such as the identity point or the all-zero bytes) makes the
signature `R = identity, S = 0` verify for every message, so it would let anyone act as the
party that registered it. Refused:

- non-canonical encodings: a y-coordinate not reduced modulo p, or the sign bit set for x = 0;
- small-order points, as keys and as a signature's R;
- a signature's S that is not below the group order L (RFC 8032 5.1.7);
- for keys, also points that are not on the curve or not in the prime-order subgroup (a
  generated key always is; this costs a modular square root and a scalar multiplication, so
  the per-row check of a manifest's device keys, `public_key_problem`, does the exact
  small-order and encoding checks only).

Plain integer arithmetic over the curve: the constants are RFC 8032's.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from computegov.errors import InvalidInput

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64

P = 2**255 - 19  # the field prime
L = 2**252 + 27742317777372353535851937790883648493  # the prime order of the base point
D = -121665 * pow(121666, P - 2, P) % P  # the curve constant d of -x^2 + y^2 = 1 + d x^2 y^2
SQRT_M1 = pow(2, (P - 1) // 4, P)  # a square root of -1 modulo p
_Y_MASK = (1 << 255) - 1

# The y-coordinates of the 8 points of small order (the torsion subgroup): the identity
# (y = 1), the point of order 2 (y = p - 1), the two of order 4 (y = 0) and the four of
# order 8 (y = +-Y8). Tests derive them again from the curve equation.
Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022
SMALL_ORDER_Y = frozenset({1, P - 1, 0, Y8, P - Y8})

# Reason codes, as the problem documents name them.
NON_CANONICAL_KEY = "non_canonical_key"
SMALL_ORDER_KEY = "small_order_key"
INVALID_KEY = "invalid_key"
NON_CANONICAL_SIGNATURE = "non_canonical_signature"


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def encode_public_key(raw: bytes) -> str:
    """The wire form of a public key: standard base64 of the raw 32 bytes."""
    return base64.b64encode(raw).decode("ascii")


def _point_problem(raw: bytes) -> tuple[str, str] | None:
    """(kind, what is wrong) when 32 bytes are a non-canonical or small-order point encoding.

    Exact without curve arithmetic: an encoding is canonical when y < p and the sign bit is
    clear whenever x = 0 (y = 1 or y = p - 1); the small-order points are those whose y is in
    `SMALL_ORDER_Y`.
    """
    y = int.from_bytes(raw, "little") & _Y_MASK
    sign = raw[31] >> 7
    if y >= P:
        return "non_canonical", "its y-coordinate is not reduced modulo p = 2^255 - 19"
    if sign and y in (1, P - 1):
        return "non_canonical", "it sets the sign bit of x where x = 0"
    if y in SMALL_ORDER_Y:
        return "small_order", (
            "it is a point of small order (one of the 8 torsion points of edwards25519), "
            "for which a forged signature verifies on any message"
        )
    return None


def public_key_problem(raw: bytes) -> tuple[str, str] | None:
    """(reason, what is wrong) when `raw` is not 32 bytes, a non-canonical encoding or a
    small-order point; None otherwise. Cheap (no curve arithmetic): for bulk input."""
    if len(raw) != PUBLIC_KEY_BYTES:
        return INVALID_KEY, f"it is {len(raw)} bytes, not {PUBLIC_KEY_BYTES}"
    found = _point_problem(raw)
    if found is None:
        return None
    kind, text = found
    return (NON_CANONICAL_KEY if kind == "non_canonical" else SMALL_ORDER_KEY), text


# Extended twisted Edwards coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, xy = T/Z.
_Point = tuple[int, int, int, int]
_IDENTITY: _Point = (0, 1, 1, 0)


def _add(p1: _Point, p2: _Point) -> _Point:
    """Point addition (add-2008-hwcd-3 for a = -1; complete, so it also doubles)."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _multiply(scalar: int, point: _Point) -> _Point:
    result = _IDENTITY
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _is_identity(point: _Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def decode_point(raw: bytes) -> _Point | None:
    """The curve point a canonical 32-byte encoding names (RFC 8032 5.1.3), or None when no
    point has that y-coordinate."""
    y = int.from_bytes(raw, "little") & _Y_MASK
    sign = raw[31] >> 7
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            return None
        x = x * SQRT_M1 % P
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def check_public_key(raw: bytes, *, what: str = "public key") -> bytes:
    """Return `raw` if it is a sound Ed25519 public key; otherwise raise `InvalidInput` with a
    `reason` (`invalid_key`, `non_canonical_key`, `small_order_key`) saying what is wrong.

    Sound: 32 bytes, a canonical encoding of a point on the curve in the prime-order
    subgroup. Every key that identifies a party, an issuer or a witness passes here.
    """
    found = public_key_problem(raw)
    if found is None:
        point = decode_point(raw)
        if point is None:
            found = INVALID_KEY, "it is not a point of edwards25519"
        elif not _is_identity(_multiply(L, point)):
            found = (
                SMALL_ORDER_KEY,
                (
                    "it has a small-order component (it is not in the prime-order subgroup), "
                    "which no generated key has"
                ),
            )
    if found is not None:
        reason, text = found
        raise InvalidInput(
            f"the {what} {encode_public_key(raw)!r} is refused: {text}; "
            "use a key made by `computegov keys generate`",
            reason=reason,
        )
    return raw


def decode_public_key(text: str, *, what: str = "public key") -> bytes:
    """Parse and check the wire form of a public key, or raise `InvalidInput` saying what is
    expected (with a `reason` when the bytes are a weak key: see `check_public_key`)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InvalidInput(
            f"not an Ed25519 public key: {text!r}; expected base64 of 32 raw bytes "
            "(as `computegov keys generate` prints)",
            reason=INVALID_KEY,
        )
    return check_public_key(raw, what=what)


def key_id(raw_public_key: bytes) -> str:
    """A short stable name for a public key: the first 8 bytes of its SHA-256, in hex."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def signature_problem(signature: bytes) -> str | None:
    """What makes `signature` non-canonical (its length, S >= L, R a non-canonical or
    small-order encoding), or None. A signer following RFC 8032 never produces one."""
    if len(signature) != SIGNATURE_BYTES:
        return f"an Ed25519 signature is {SIGNATURE_BYTES} bytes, not {len(signature)}"
    if int.from_bytes(signature[32:], "little") >= L:
        return "its S is not below the group order L (RFC 8032 5.1.7)"
    found = _point_problem(signature[:32])
    return f"its R is refused: {found[1]}" if found else None


def verify_signature(raw_public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature of `message` by that key.

    False, whatever the message, for a weak key (`public_key_problem`) and for a
    non-canonical signature (`signature_problem`).
    """
    if public_key_problem(raw_public_key) or signature_problem(signature):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw_public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
