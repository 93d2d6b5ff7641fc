"""Monte Carlo over the parameter ranges: one triangular draw (low, central, high) per parameter.

The triangular distribution keeps the central value as the mode and respects asymmetric ranges
(a B100 packs 16 per CoWoS wafer, an H100 28). Draws are vectorised: one array of shape
(draws,) per parameter. Each parameter has its own numpy Generator seeded from (seed, CRC-32 of
its name), so a seed reproduces a run exactly, and adding a row to the parameter file does not
change the draws of the others.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

from computegov.errors import InvalidInput
from computegov.supply.params import load_parameters

Draws = dict[str, NDArray[np.float64]]
MAX_DRAWS = 5_000_000


def draw_parameters(n: int, seed: int | None = 0) -> Draws:
    """`n` joint draws of every parameter (independent triangular distributions); seed None is 0."""
    if not 1 <= n <= MAX_DRAWS:
        raise InvalidInput(f"draws must be between 1 and {MAX_DRAWS:,}, got {n}")
    base = 0 if seed is None else seed
    if base < 0:
        raise InvalidInput(f"seed must not be negative, got {seed}")
    out: Draws = {}
    for name, p in load_parameters().items():
        if p.high > p.low:
            rng = np.random.default_rng([base, zlib.crc32(name.encode())])
            out[name] = rng.triangular(p.low, p.central, p.high, size=n)
        else:
            out[name] = np.full(n, p.central)
    return out


def central_parameters(n: int = 1) -> Draws:
    """Every parameter at its central value, as arrays of length `n`."""
    return {name: np.full(n, p.central) for name, p in load_parameters().items()}


def quantiles(
    values: NDArray[np.float64], qs: tuple[float, ...] = (0.05, 0.5, 0.95)
) -> NDArray[np.float64]:
    """Nearest-rank quantiles along axis 0, shape (len(qs), ...).

    Uses np.partition (linear time) on a float32 copy: sorting 100k draws per column per output
    is what would make a large run slow, and 7 significant digits are ample for inputs known to
    one or two.
    """
    n = values.shape[0]
    ranks = [min(n - 1, max(0, int(round(q * (n - 1))))) for q in qs]
    part = np.partition(values.astype(np.float32), sorted(set(ranks)), axis=0)
    return np.stack([part[k] for k in ranks]).astype(np.float64)
