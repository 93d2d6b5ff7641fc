"""The small-order points of edwards25519, derived here from the curve equation alone.

Plain affine arithmetic, independent of `computegov.identity.keys` (which only lists their
y-coordinates), so the tests check that list instead of repeating it. The 14 encodings are
the ones "Taming the many EdDSAs" (Chalkias et al., 2020) and libsodium's blocklist name:
the 8 points in canonical form, x = 0 with the sign bit set, and y + p for y < 19.
"""

from __future__ import annotations

import functools
from itertools import count

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1)

Point = tuple[int, int]


def _inv(x: int) -> int:
    return pow(x, P - 2, P)


def add(a: Point, b: Point) -> Point:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + y1 * x2) * _inv(1 + t) % P, (y1 * y2 + x1 * x2) * _inv(1 - t) % P)


def multiply(n: int, point: Point) -> Point:
    result = IDENTITY
    while n:
        if n & 1:
            result = add(result, point)
        point = add(point, point)
        n >>= 1
    return result


def recover(y: int, sign: int = 0) -> Point | None:
    """The point with this y and x's low bit `sign`, or None (RFC 8032 5.1.3)."""
    xx = (y * y - 1) * _inv(D * y * y + 1) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * SQRT_M1 % P
    if (x * x - xx) % P:
        return None
    return (x, y) if x & 1 == sign else ((P - x) % P, y)


def encode(point: Point, *, y_offset: int = 0, sign: int | None = None) -> bytes:
    x, y = point
    bit = x & 1 if sign is None else sign
    return ((y + y_offset) | bit << 255).to_bytes(32, "little")


def order(point: Point) -> int:
    for n in (1, 2, 4, 8):
        if multiply(n, point) == IDENTITY:
            return n
    raise AssertionError("not a small-order point")


BASE = recover(4 * _inv(5) % P, 0)
assert BASE is not None


@functools.cache
def torsion_points() -> list[Point]:
    """All 8 points of small order: the multiples of a point of order 8, found as [L]Q for
    points Q on the curve until one has order 8."""
    for y in count(2):
        q = recover(y)
        if q is None:
            continue
        t = multiply(L, q)
        if order(t) == 8:
            return [multiply(i, t) for i in range(8)]
    raise AssertionError("unreachable")


@functools.cache
def small_order_encodings() -> list[tuple[str, bytes]]:
    """(label, 32 bytes) for the 14 encodings of small-order points."""
    found: list[tuple[str, bytes]] = []
    for i, point in enumerate(torsion_points()):
        found.append((f"[{i}]T, order {order(point)}", encode(point)))
        if point[0] == 0:
            found.append((f"[{i}]T with the sign bit of x = 0 set", encode(point, sign=1)))
        if point[1] < 19:
            for sign in (0, 1):
                label = f"[{i}]T as y + p, sign {sign}"
                found.append((label, encode(point, y_offset=P, sign=sign)))
    unique = {raw: label for label, raw in found}
    return [(label, raw) for raw, label in unique.items()]
