"""`computegov compute`: training-compute estimates, consistency checks and thresholds."""

from __future__ import annotations

import math

import typer

from computegov.catalog import PRECISIONS, get_chip
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.compute import (
    HardwareRun,
    OperationCount,
    RunEstimate,
    estimate_run,
    parse_amount,
    parse_count,
    thresholds,
)
from computegov.errors import InvalidInput
from computegov.instants import parse_instant, to_wire, utcnow

DEFAULT_PRECISION = "bf16"
# When a chip publishes no BF16 rate and none was asked for: the nearest training precision first.
FALLBACK_PRECISIONS = ("fp16", "tf32", "fp32", "fp8", "int8", "fp4", "fp64")

app = typer.Typer(help="Training-compute estimates and reporting thresholds.", no_args_is_help=True)


def fmt_flop(value: float | None) -> str:
    """FLOP for people: three significant figures in e-notation, e.g. 3.15e23."""
    if value is None or not math.isfinite(value):
        return ""
    text = f"{value:.3g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def _amount(text: str | None, what: str) -> float | None:
    return None if text is None else parse_amount(text, what=what)


def _operation_count(
    params: str | None, tokens: str | None, active_params: str | None
) -> OperationCount | None:
    if params is None and tokens is None and active_params is None:
        return None
    if params is None or tokens is None:
        raise InvalidInput("operation counting needs both --params and --tokens, e.g. 70B and 15T")
    count = OperationCount(
        parse_amount(params, what="--params"),
        parse_amount(tokens, what="--tokens"),
        _amount(active_params, "--active-params"),
    )
    count.to_dict()  # validates now, so bad numbers fail before anything prints
    return count


def chip_peak(chip_name: str, precision: str | None) -> tuple[str, str, float, list[str]]:
    """A catalog chip's dense peak FLOP/s: (chip name, precision used, rate, notes).

    Without `precision`, BF16, or the nearest rate the chip publishes (and a note saying so).
    """
    chip = get_chip(chip_name)
    published = [p for p in PRECISIONS if chip.peak_flops(p) is not None]
    if not published:
        raise InvalidInput(f"{chip.name} has no published peak rate in the catalog")
    wanted = (precision or DEFAULT_PRECISION).strip().lower()
    rate = chip.peak_flops(wanted)
    if rate is not None:
        return chip.name, wanted, rate, []
    if precision is not None:
        raise InvalidInput(
            f"{chip.name} has no published {wanted} rate; it has: {', '.join(published)}"
        )
    used = next(p for p in (*FALLBACK_PRECISIONS, *published) if p in published)
    fallback = chip.peak_flops(used)
    assert fallback is not None
    note = (
        f"{chip.name} has no published {DEFAULT_PRECISION} rate; using {used} "
        f"(it has: {', '.join(published)}); choose with --precision"
    )
    return chip.name, used, fallback, [note]


def _hardware(
    chip: str | None,
    precision: str | None,
    peak_flops: str | None,
    chips: str | None,
    hours: str | None,
    utilization: str | None,
) -> tuple[HardwareRun | None, list[str]]:
    if chip is not None and peak_flops is not None:
        raise InvalidInput("give either --chip (a catalog model) or --peak-flops, not both")
    if precision is not None and chip is None:
        raise InvalidInput("--precision picks a catalog rate and needs --chip, e.g. --chip H100")
    if chip is None and peak_flops is None and chips is None and hours is None:
        if utilization is not None:
            raise InvalidInput(
                "--utilization needs the hardware: --chip (or --peak-flops), --chips, --hours"
            )
        return None, []
    if (chip is None and peak_flops is None) or chips is None or hours is None:
        raise InvalidInput(
            "the hardware method needs --chip (or --peak-flops), --chips and --hours, "
            "e.g. --chip H100 --chips 16K --hours 1900"
        )
    notes: list[str] = []
    chip_name: str | None = None
    used_precision: str | None = None
    if chip is not None:
        chip_name, used_precision, rate, notes = chip_peak(chip, precision)
    else:
        assert peak_flops is not None
        rate = parse_amount(peak_flops, what="--peak-flops")
    run = HardwareRun(
        rate,
        parse_count(chips, what="--chips"),
        parse_amount(hours, what="--hours"),
        _amount(utilization, "--utilization"),
        chip=chip_name,
        precision=used_precision,
    )
    run.to_dict()  # validates now, so bad numbers fail before anything prints
    return run, notes


def _print_estimate(result: RunEstimate) -> None:
    rows = []
    if result.operation_count is not None:
        count = result.operation_count
        used = count.active_params if count.active_params is not None else count.params
        detail = f"6 x {fmt_flop(used)} params x {fmt_flop(count.tokens)} tokens"
        if count.active_params is not None:
            detail += f" (active, of {fmt_flop(count.params)})"
        rows.append(("operation count", fmt_flop(count.flop), detail))
    if result.hardware is not None:
        run = result.hardware
        rate = f"{fmt_flop(run.peak_flops_per_chip)} FLOP/s"
        if run.chip:
            rate = f"{run.chip} {run.precision or ''} {rate}".replace("  ", " ")
        detail = (
            f"{run.chips:g} x {rate} x {run.hours:,.6g} h x utilization {run.used_utilization:g}"
        )
        rows.append(("hardware", fmt_flop(run.flop), detail))
    if result.reported is not None:
        rows.append(("reported", fmt_flop(result.reported), ""))
    print_table(
        ["method", "FLOP", "how"],
        rows,
        title=f"Training compute: {fmt_flop(result.flop)} FLOP ({result.method.replace('_', ' ')})",
    )
    if result.checks:
        print_table(
            ["figure", "check", "verdict", "reason"],
            [
                (v.subject.replace("_", " "), v.check.replace("_", " "), v.verdict, v.reason)
                for v in result.checks
            ],
            title="Consistency",
        )
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)


@app.command("estimate")
def estimate(
    params: str | None = typer.Option(None, "--params", help="Total parameters N, e.g. 70B."),
    tokens: str | None = typer.Option(None, "--tokens", help="Training tokens D, e.g. 15T."),
    active_params: str | None = typer.Option(
        None, "--active-params", help="Parameters active per token (mixture of experts)."
    ),
    chip: str | None = typer.Option(
        None, "--chip", help="Catalog chip model, e.g. H100 (`computegov chips list`)."
    ),
    precision: str | None = typer.Option(
        None,
        "--precision",
        help=f"Which peak rate of --chip: {', '.join(PRECISIONS)} (default bf16).",
    ),
    peak_flops: str | None = typer.Option(
        None, "--peak-flops", help="Peak dense FLOP/s per chip, instead of --chip, e.g. 989e12."
    ),
    chips: str | None = typer.Option(None, "--chips", help="Number of chips, e.g. 16384 or 16K."),
    hours: str | None = typer.Option(None, "--hours", help="Wall-clock hours of training."),
    utilization: str | None = typer.Option(
        None,
        "--utilization",
        help="Fraction of peak achieved (default 0.3, Epoch AI's LLM figure).",
    ),
    reported: str | None = typer.Option(
        None, "--reported", help="A reported FLOP figure to check against the estimates."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Estimate training FLOP by 6 N D and/or hardware time, and check them against each other."""
    count = _operation_count(params, tokens, active_params)
    hardware, notes = _hardware(chip, precision, peak_flops, chips, hours, utilization)
    result = estimate_run(
        operation_count=count,
        hardware=hardware,
        reported=_amount(reported, "--reported"),
        notes=notes,
    )
    if as_json:
        print_json(result.to_dict())
    else:
        _print_estimate(result)


@app.command("thresholds")
def thresholds_command(
    flop: str = typer.Argument(..., help="Training compute in FLOP, e.g. 3.8e25."),
    on: str | None = typer.Option(
        None, "--on", help="The day to ask about, YYYY-MM-DD (default: now)."
    ),
    bio: bool = typer.Option(
        False, "--bio", help="The model is trained mainly on biological sequence data."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Which reporting obligations a run of FLOP triggers on a day, instrument by instrument."""
    amount = parse_amount(flop, what="FLOP")
    when = utcnow() if on is None else parse_instant(on)
    results = thresholds(amount, when, bio=bio)
    if as_json:
        print_json([result.to_dict() for result in results])
        return
    print_table(
        ["instrument", "threshold", "crossed", "status", "applies"],
        [
            (
                r.instrument,
                f"{'>' if r.comparison == 'above' else '>='} {fmt_flop(r.threshold)}",
                "yes" if r.crossed else "no",
                r.status,
                "yes" if r.triggered else "no",
            )
            for r in results
        ],
        title=f"{fmt_flop(amount)} FLOP on {to_wire(when)[:10]}",
    )
    for r in results:
        if r.crossed:
            typer.echo(f"- {r.instrument} [{r.status}]: {r.obligation}")
