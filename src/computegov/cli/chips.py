"""`computegov chips`: the AI-accelerator catalog and export classification."""

from __future__ import annotations

from typing import Any

import typer

from computegov.catalog import ChipModel, all_chips, chip_metrics, custom_chip, get_chip
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.errors import InvalidInput
from computegov.instants import parse_instant
from computegov.rules import RULE_IDS, classify

app = typer.Typer(
    help="The AI-accelerator catalog and export classification.", no_args_is_help=True
)
_RATE_OPTION = typer.Option(
    [], "--rate", help="For a chip not in the catalog: PRECISION=dense TFLOPS, repeatable."
)


def _num(value: float | None, digits: int = 0) -> str | None:
    return None if value is None else f"{value:,.{digits}f}"


def parse_positive(text: str, what: str, example: str) -> float:
    """A positive number from what a person typed, or InvalidInput saying what is accepted."""
    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        raise InvalidInput(
            f"{what} is not a number: {text!r}; give a number such as {example}"
        ) from None
    if not value > 0 or value == float("inf"):
        raise InvalidInput(f"{what} must be a positive number, got {text!r}; e.g. {example}")
    return value


def parse_rates(items: list[str]) -> dict[str, float]:
    """`fp16=148` items into {"fp16": 148.0} (dense TFLOP/s, or TOP/s for int8)."""
    rates: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidInput(
                f"--rate takes PRECISION=TFLOPS, got {item!r}; e.g. --rate fp16=148 --rate fp8=296"
            )
        precision = key.strip().lower()
        rates[precision] = parse_positive(value, f"--rate {precision}", "fp16=148")
    return rates


def _show_float(value: float) -> str:
    if value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 100 else f"{value:.4g}"


def chip_row(chip: ChipModel) -> dict[str, Any]:
    """A catalog chip with its metrics, as `chips list --json` and `chips show --json` print it."""
    return {**chip.to_dict(), **chip_metrics(chip)}


@app.command("list")
def list_chips(as_json: bool = JSON_OPTION, quiet: bool = QUIET_OPTION) -> None:
    """List every accelerator in the catalog with its TPP, density and H100-equivalents.

    With -q, only the model names (what `chips show` takes), one a line."""
    chips = all_chips()
    if as_json:
        print_json([chip_row(chip) for chip in chips])
        return
    if quiet:
        print_ids(chip.model for chip in chips)
        return
    rows = []
    for chip in chips:
        m = chip_metrics(chip)
        rows.append(
            [
                chip.vendor,
                chip.model,
                chip.launch_year,
                _num(m["tpp"]),
                _num(m["performance_density"], 2),
                _num(m["h100_equivalents"], 2),
                _num(chip.memory_gb),
                _num(chip.tdp_w),
                _num(chip.price_usd),
                "yes" if chip.datacenter else "no",
            ]
        )
    print_table(
        ["Vendor", "Model", "Year", "TPP", "PD", "H100e", "Mem GB", "TDP W", "Price $", "DC"],
        rows,
        title="AI accelerators (dense rates; TPP = max over precisions of TOPS x bits)",
    )


@app.command("show")
def show_chip(
    name: str = typer.Argument(..., help="Model or alias, any case (e.g. H100, mi300x)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one accelerator's specs, sources and metrics."""
    chip = get_chip(name)
    data = chip_row(chip)
    if as_json:
        print_json(data)
        return
    rows = []
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(value, float):
            value = _show_float(value)
        rows.append([key, value])
    print_table(["Field", "Value"], rows, title=chip.name)


@app.command("classify")
def classify_chip(
    name: str | None = typer.Argument(None, help="A catalog model or alias; omit with --rate."),
    rule: str | None = typer.Option(
        None, "--rule", help=f"Evaluate one rule alone: {', '.join(RULE_IDS)}."
    ),
    on: str | None = typer.Option(
        None, "--on", help="Date (YYYY-MM-DD) whose 3A090 text applies; default now."
    ),
    rate: list[str] = _RATE_OPTION,
    die_area: str | None = typer.Option(None, "--die-area", help="Logic die area in mm^2."),
    io: str | None = typer.Option(None, "--io", help="Aggregate bidirectional I/O in GB/s."),
    memory_bandwidth: str | None = typer.Option(
        None, "--memory-bandwidth", help="Memory bandwidth in GB/s."
    ),
    consumer: bool = typer.Option(
        False, "--consumer", help="Not designed or marketed for datacenters."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Classify a chip under ECCN 3A090 (the text in force at --on, or one --rule)."""
    custom = bool(rate) or any(x is not None for x in (die_area, io, memory_bandwidth)) or consumer
    if name is not None and custom:
        raise InvalidInput("give either a catalog NAME or --rate/--die-area/--consumer, not both")
    if name is not None:
        chip = get_chip(name)
    elif rate:
        chip = custom_chip(
            parse_rates(rate),
            die_area_mm2=parse_positive(die_area, "--die-area", "814") if die_area else None,
            io_bandwidth_gbps=parse_positive(io, "--io", "900") if io else None,
            memory_bandwidth_gbps=(
                parse_positive(memory_bandwidth, "--memory-bandwidth", "4000")
                if memory_bandwidth
                else None
            ),
            datacenter=not consumer,
        )
    else:
        raise InvalidInput(
            "name a catalog chip (e.g. `chips classify H100`) or describe one with "
            "--rate fp16=148 [--die-area 814] [--consumer]"
        )
    when = parse_instant(on) if on is not None else None
    result = classify(chip, rule=rule, on=when)
    if as_json:
        print_json(result.to_dict())
        return
    print_table(
        ["Chip", "Rule", "ECCN", "TPP", "PD", "Datacenter"],
        [
            [
                result.chip,
                result.rule or "(none in force)",
                result.eccn or ("H20-class" if result.controlled else "not 3A090"),
                _num(result.tpp),
                _num(result.performance_density, 2),
                "yes" if result.datacenter else "no",
            ]
        ],
        title=f"Classification on {result.on.date().isoformat()}"
        if result.on and rule is None
        else "Classification",
    )
    for reason in result.reasons:
        typer.echo(f"- {reason}")
