"""What the registry computes about one stage on receipt: both estimates, and verdicts.

Two independent estimates, from the compute library (`computegov.compute`):

- **operation counting**: 6 x N x D, with N the active parameters where given (a mixture of
  experts) and D the tokens;
- **hardware time**: for each line of compute used, the catalog's dense peak of the chip at
  the stated precision x chips x hours, summed (the *peak capacity*), x the default
  utilization (Epoch AI's 0.3 for LLMs; `estimation.json`).

The declared figure is checked against each with the library's bands (`bands.json`): its
ratio to 6ND, and the utilization it implies on the peak capacity; 6ND is checked against
the peak capacity too. A verdict outside the plausible band (`flag` or `implausible`) raises
an `implausible_compute` flag for the regulators; the report is recorded all the same.

How the bands treat honest runs that differ from the textbook case:

- **FP8**: the peak is taken at the precision the report states, so an FP8 run is measured
  against the chip's FP8 rate (twice BF16 on an H100/H800): DeepSeek-V3's 3.4e24 FLOP on
  2.788M H800-hours implies 0.17 at FP8 (0.34 at BF16), inside the plausible band 0.1-0.7.
  A run that states BF16 but ran in FP8 can imply more than 0.7 and is flagged, with the
  band's reason naming the likely cause (FP8 against a BF16 peak).
- **RL and synthetic-data stages**: their compute is mostly generation (rollouts, 2N per
  generated token) and reward models, not 6 x N x the tokens trained on, so the ratio to 6ND
  is not a verdict for them: 6ND is shown as a lower bound only. Generation is memory-bound,
  so a low implied utilization is expected and is shown as a note, never a flag; an implied
  utilization above the band (more than the chips could plausibly do) flags as for any stage.
"""

from __future__ import annotations

from typing import Any

from computegov.catalog import get_chip
from computegov.compute import OperationCount, Verdict, check_reported, default_utilization
from computegov.compute.checks import IMPLIED_UTILIZATION, RATIO_TO_OPERATION_COUNT, band
from computegov.compute.estimates import default_utilization_source

STAGE_KINDS = ("pre_training", "continued_pre_training", "fine_tuning", "rl", "synthetic_data")
#: Stages whose compute is not 6 N D of their tokens (generation dominates): no ratio verdict,
#: and a low implied utilization is a note, not a flag.
GENERATION_STAGES = frozenset({"rl", "synthetic_data"})
SECONDS_PER_HOUR = 3600.0


def line_peak(line: dict[str, Any], precision: str) -> dict[str, Any]:
    """One line of compute used with its chip's dense peak at `precision` and its capacity.

    The caller has checked the chip is in the catalog and publishes that rate."""
    chip = get_chip(line["chip_model"])
    rate = chip.peak_flops(precision)
    assert rate is not None
    chip_hours = float(line["chip_count"]) * float(line["hours"])
    return {
        "provider_id": line["provider_id"],
        "site_id": line["site_id"],
        "chip_model": chip.name,
        "chip_count": line["chip_count"],
        "hours": line["hours"],
        "chip_hours": chip_hours,
        "peak_flops_per_chip": rate,
        "peak_flop": rate * chip_hours * SECONDS_PER_HOUR,
    }


def _shown(verdict: Verdict, stage_kind: str) -> dict[str, Any]:
    """A verdict as stored, with whether it raises a flag."""
    shown = verdict.to_dict()
    raises = verdict.verdict != "plausible"
    if (
        raises
        and stage_kind in GENERATION_STAGES
        and verdict.check == IMPLIED_UTILIZATION
        and verdict.value < band(IMPLIED_UTILIZATION).plausible[0]
    ):
        raises = False
        shown["note"] = (
            f"a {stage_kind} stage spends most of its compute generating, which is "
            "memory-bound: a low implied utilization is expected and raises no flag"
        )
    shown["raises_flag"] = raises
    return shown


def assess_stage(
    *,
    stage_kind: str,
    declared_flop: float,
    params: float | None,
    active_params: float | None,
    tokens: float | None,
    precision: str,
    compute_used: list[dict[str, Any]],
) -> dict[str, Any]:
    """Both estimates of one stage and the verdicts on its declared figure (module doc)."""
    notes: list[str] = []
    operation: dict[str, Any] | None = None
    operation_flop: float | None = None
    generation = stage_kind in GENERATION_STAGES
    if params is not None and tokens is not None:
        count = OperationCount(params, tokens, active_params)
        operation = count.to_dict()
        operation_flop = count.flop
        if generation:
            operation["lower_bound_only"] = True
            notes.append(
                f"a {stage_kind} stage's compute is mostly generation and reward scoring, "
                "not 6 x N x the tokens trained on: 6ND is a lower bound here, and the "
                "declared figure is not checked against it"
            )
    lines = [line_peak(line, precision) for line in compute_used]
    hardware: dict[str, Any] | None = None
    peak: float | None = None
    if lines:
        peak = sum(line["peak_flop"] for line in lines)
        utilization = default_utilization()
        hardware = {
            "flop": peak * utilization,
            "formula": "sum(peak_flops_per_chip * chips * hours * 3600) * utilization",
            "precision": precision,
            "peak_flop": peak,
            "utilization": utilization,
            "utilization_source": default_utilization_source(),
            "chip_hours": sum(line["chip_hours"] for line in lines),
            "lines": lines,
        }
    verdicts: list[Verdict] = []
    if operation_flop is not None and not generation:
        verdicts += check_reported(
            declared_flop, operation_count=operation_flop, subject="declared"
        )
    if peak is not None:
        verdicts += check_reported(declared_flop, hardware=peak, subject="declared")
        if operation_flop is not None and not generation:
            verdicts += check_reported(operation_flop, hardware=peak, subject="operation_count")
    if operation is None and hardware is None:
        notes.append(
            "neither parameters and tokens nor compute used were given: the declared figure "
            "cannot be checked"
        )
    checks = [_shown(v, stage_kind) for v in verdicts]
    return {
        "declared_flop": declared_flop,
        "operation_count": operation,
        "hardware": hardware,
        "checks": checks,
        "bands": {
            name: {"plausible": list(b.plausible), "flag": list(b.flag), "source": b.source}
            for name, b in ((n, band(n)) for n in (RATIO_TO_OPERATION_COUNT, IMPLIED_UTILIZATION))
        },
        "plausible": not any(c["raises_flag"] for c in checks),
        "notes": notes,
    }
