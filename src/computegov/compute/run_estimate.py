"""One training run, estimated every way the caller can describe it, with consistency checks.

This is the function behind `computegov compute estimate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from computegov.compute.checks import Verdict, check_reported
from computegov.compute.estimates import HardwareRun, OperationCount
from computegov.errors import InvalidInput


@dataclass(frozen=True)
class RunEstimate:
    """The estimates for one run; `flop` is the headline figure and `method` says whose it is.

    Operation counting wins when both are given, as in Epoch AI's practice, because the
    hardware method rests on an assumed utilization.
    """

    flop: float
    method: str
    operation_count: OperationCount | None
    hardware: HardwareRun | None
    reported: float | None
    checks: list[Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "flop": self.flop,
            "method": self.method,
            "operation_count": self.operation_count.to_dict() if self.operation_count else None,
            "hardware": self.hardware.to_dict() if self.hardware else None,
            "reported": self.reported,
            "checks": [verdict.to_dict() for verdict in self.checks],
            "notes": list(self.notes),
        }


def estimate_run(
    *,
    operation_count: OperationCount | None = None,
    hardware: HardwareRun | None = None,
    reported: float | None = None,
    notes: list[str] | None = None,
) -> RunEstimate:
    """Estimate a run from whichever descriptions are given and check them against each other.

    With both, 6ND is checked against the hardware (the utilization it implies); a
    `reported` figure is checked against each estimate given.
    """
    if operation_count is None and hardware is None:
        raise InvalidInput(
            "give the model and data (params and tokens), the hardware (chip or peak FLOP/s, "
            "chips and hours), or both"
        )
    checks: list[Verdict] = []
    if operation_count is not None and hardware is not None:
        checks += check_reported(
            operation_count.flop, hardware=hardware.peak_flop, subject="operation_count"
        )
    if reported is not None:
        checks += check_reported(
            reported,
            operation_count=operation_count.flop if operation_count else None,
            hardware=hardware.peak_flop if hardware else None,
        )
    if operation_count is not None:
        flop, method = operation_count.flop, "operation_count"
    else:
        assert hardware is not None
        flop, method = hardware.flop, "hardware"
    return RunEstimate(flop, method, operation_count, hardware, reported, checks, notes or [])
