"""Training compute estimated two independent ways: counting operations and timing hardware.

Formulas follow Epoch AI's methods: 6 N D for training (N = active parameters for a
mixture of experts), 2 N per token for inference, and peak x chips x time x utilization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from computegov.compute.data_files import load
from computegov.errors import InvalidInput

SECONDS_PER_HOUR = 3600.0


def _constant(key: str) -> float:
    return float(load("estimation.json")[key]["value"])


def default_utilization() -> float:
    """The utilization assumed when none is given (Epoch AI's figure for LLMs)."""
    return _constant("default_utilization")


def default_utilization_source() -> str:
    """Where the default utilization comes from, for output that states its assumptions."""
    return str(load("estimation.json")["default_utilization"]["source"])


def _positive(value: float, what: str) -> float:
    if not value > 0:
        raise InvalidInput(f"{what} must be a positive number, got {value!r}")
    return float(value)


def check_utilization(utilization: float) -> float:
    """Return a utilization given as a fraction in (0, 1]; reject percentages and nonsense."""
    if 1 < utilization <= 100:
        raise InvalidInput(
            f"utilization {utilization:g} looks like a percentage; "
            f"give it as a fraction in (0, 1], e.g. {utilization / 100:g}"
        )
    if not 0 < utilization <= 1:
        raise InvalidInput(
            f"utilization must be a fraction in (0, 1] such as 0.3, got {utilization:g}"
        )
    return float(utilization)


def training_flop(params: float, tokens: float, active_params: float | None = None) -> float:
    """Dense-equivalent training FLOP, 6 N D, with N the active parameters when given (MoE)."""
    _positive(params, "params")
    _positive(tokens, "tokens")
    used = params
    if active_params is not None:
        _positive(active_params, "active params")
        if active_params > params:
            raise InvalidInput(
                f"active params ({active_params:g}) cannot exceed total params ({params:g}); "
                "give the parameters used per token, e.g. 37e9 of 671e9"
            )
        used = active_params
    return _constant("training_flop_per_parameter_token") * used * tokens


def inference_flop(params: float, tokens: float) -> float:
    """Inference FLOP: 2 N per token processed (forward pass only)."""
    _positive(params, "params")
    _positive(tokens, "tokens")
    return _constant("inference_flop_per_parameter_token") * params * tokens


def peak_flop(peak_flops_per_chip: float, chips: float, hours: float) -> float:
    """What the chips could do at full peak for the hours: the ceiling for any honest figure."""
    _positive(peak_flops_per_chip, "peak FLOP/s per chip")
    _positive(chips, "chips")
    _positive(hours, "hours")
    return peak_flops_per_chip * chips * hours * SECONDS_PER_HOUR


def hardware_flop(
    peak_flops_per_chip: float, chips: float, hours: float, utilization: float | None = None
) -> float:
    """Training FLOP from hardware time: peak FLOP/s x chips x hours x utilization."""
    used = default_utilization() if utilization is None else check_utilization(utilization)
    return peak_flop(peak_flops_per_chip, chips, hours) * used


@dataclass(frozen=True)
class OperationCount:
    """A training run described by its model and data: N, active N and tokens."""

    params: float
    tokens: float
    active_params: float | None = None

    @property
    def flop(self) -> float:
        return training_flop(self.params, self.tokens, self.active_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "flop": self.flop,
            "formula": "6 * active_params * tokens"
            if self.active_params
            else "6 * params * tokens",
            "params": self.params,
            "active_params": self.active_params,
            "tokens": self.tokens,
        }


@dataclass(frozen=True)
class HardwareRun:
    """A training run described by its hardware: chips, hours, the peak rate and utilization.

    `chip` and `precision` are labels for output; the rate itself is `peak_flops_per_chip`.
    """

    peak_flops_per_chip: float
    chips: float
    hours: float
    utilization: float | None = None
    chip: str | None = None
    precision: str | None = None

    @property
    def used_utilization(self) -> float:
        if self.utilization is None:
            return default_utilization()
        return check_utilization(self.utilization)

    @property
    def peak_flop(self) -> float:
        return peak_flop(self.peak_flops_per_chip, self.chips, self.hours)

    @property
    def flop(self) -> float:
        return hardware_flop(self.peak_flops_per_chip, self.chips, self.hours, self.utilization)

    def to_dict(self) -> dict[str, Any]:
        return {
            "flop": self.flop,
            "formula": "peak_flops_per_chip * chips * hours * 3600 * utilization",
            "chip": self.chip,
            "precision": self.precision,
            "peak_flops_per_chip": self.peak_flops_per_chip,
            "chips": self.chips,
            "hours": self.hours,
            "utilization": self.used_utilization,
            "utilization_source": (
                "given" if self.utilization is not None else default_utilization_source()
            ),
            "peak_flop": self.peak_flop,
        }
