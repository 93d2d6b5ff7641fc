"""`computegov report model|training-run|list|show`: compute reports, signed by an AI
developer, and the registry's assessment of each (both estimates, verdicts, thresholds on the
lineage's cumulative compute)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from computegov.cli.compute import fmt_flop
from computegov.cli.connection import (
    DEFAULT_URL,
    DryRun,
    IdempotencyKey,
    KeyFile,
    Token,
    TokenFile,
    Url,
    connect,
)
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_json, print_table
from computegov.compute import parse_amount
from computegov.errors import InvalidInput

app = typer.Typer(
    help="Compute reports: models with their lineage, training runs and their assessment.",
    no_args_is_help=True,
)
Repeated = list[str] | None
FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="A JSON file with the report's fields (flags given override it)."),
]


def _file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read the report {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise InvalidInput(f"the report {path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"the report {path} must be a JSON object of the report's fields")
    return data


def _amount(text: str | None, what: str) -> float | None:
    return None if text is None else parse_amount(text, what=what)


def _compute_line(text: str) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) != 5:
        raise InvalidInput(
            f"--compute {text!r}: give PROVIDER:SITE:CHIP:COUNT:HOURS, e.g. "
            "pty_1:sit_2:H100:16000:1927.5"
        )
    provider, site, chip, count, hours = parts
    try:
        return {
            "provider_id": provider,
            "site_id": site,
            "chip_model": chip,
            "chip_count": int(count),
            "hours": float(hours),
        }
    except ValueError:
        raise InvalidInput(f"--compute {text!r}: COUNT is a whole number, HOURS a number") from None


def show_model(model: dict[str, Any]) -> None:
    lineage = model["lineage"]
    rows = [
        ("id", model["id"]),
        ("name", model["name"]),
        ("developer", model["developer_id"]),
        ("provider of record", model["provider_id"]),
        ("EU representative", model.get("eu_representative_id")),
        ("parent", model.get("parent_id")),
        ("markets", ", ".join(model["markets"])),
        ("addressed to", ", ".join(model["jurisdictions"])),
        ("cumulative FLOP", fmt_flop(lineage["cumulative_flop"]) or "withheld"),
    ]
    print_table(["field", "value"], rows, title="model")
    _show_lineage(lineage)


def _show_lineage(lineage: dict[str, Any]) -> None:
    steps = [
        (s["model_id"], s.get("developer_id"), fmt_flop(s["own_flop"]) or "withheld")
        for s in lineage["chain"]
    ]
    print_table(["model", "developer", "own FLOP"], steps, title="lineage")
    marks = [
        (t["id"], t["jurisdiction"], f"{t['threshold']:g}", t["status"])
        + (t["crossed"], t["triggered"])
        for t in lineage["thresholds"]
    ]
    columns = ["instrument", "jurisdiction", "threshold", "status", "crossed", "triggered"]
    print_table(columns, marks, title=f"thresholds on {lineage['on']} (cumulative)")
    modifier = lineage.get("modifier")
    if modifier:
        share = modifier["share"]
        typer.echo(
            f"modifier rule: modification {fmt_flop(modifier['modification_flop'])} FLOP"
            + (f", {share:.3g} of the original" if share is not None else "")
            + f"; becomes a provider: {'yes' if modifier['becomes_provider'] else 'no'} "
            f"({modifier['instrument']})"
        )


def show_report(report: dict[str, Any]) -> None:
    stage = report["assessment"]["stage"]
    operation = stage.get("operation_count") or {}
    hardware = stage.get("hardware") or {}
    superseded = f"no: superseded by {report['superseded_by_id']}"
    rows = [
        ("id", report["id"]),
        ("model", report["model_id"]),
        ("stage", f"{report['stage']} ({report['stage_kind']}, {report['report_kind']})"),
        ("counts", "yes" if report["counts"] else superseded),
        ("declared FLOP", fmt_flop(report["declared_flop"])),
        ("6ND FLOP", fmt_flop(operation.get("flop"))),
        ("hardware FLOP", fmt_flop(hardware.get("flop"))),
        ("hardware peak FLOP", fmt_flop(hardware.get("peak_flop"))),
        ("plausible", "yes" if stage["plausible"] else "no: flagged"),
    ]
    print_table(["field", "value"], rows, title="training-run report")
    checks = [
        (c["subject"], c["check"], f"{c['value']:.3g}", c["verdict"], c["reason"])
        for c in stage["checks"]
    ]
    if checks:
        print_table(["figure", "check", "value", "verdict", "reason"], checks, title="checks")
    for note in stage["notes"]:
        typer.echo(f"note: {note}")
    if "lineage" in report["assessment"]:
        _show_lineage(report["assessment"]["lineage"])


@app.command("model")
def model(
    file: FileOption = None,
    name: Annotated[str | None, typer.Option(help="The model's name.")] = None,
    model_id: Annotated[
        str | None, typer.Option("--model-id", help="Amend this model of yours (mdl_...).")
    ] = None,
    provider: Annotated[
        str | None, typer.Option(help="The provider of record (party id; default you).")
    ] = None,
    eu_representative: Annotated[
        str | None,
        typer.Option(help="The EU authorised representative (party id) of a non-EU provider."),
    ] = None,
    parent: Annotated[str | None, typer.Option(help="The parent model (mdl_...).")] = None,
    market: Annotated[
        Repeated, typer.Option(help="A country it is placed on the market in (or EU); repeatable.")
    ] = None,
    jurisdiction: Annotated[
        Repeated,
        typer.Option(help="A country whose regulators the report is addressed to (or EU)."),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Report a model (or amend one); print its lineage, cumulative compute and thresholds."""
    body = _file(file)
    flags = {
        "name": name,
        "model_id": model_id,
        "provider_id": provider,
        "eu_representative_id": eu_representative,
        "parent_id": parent,
        "markets": market,
        "jurisdictions": jurisdiction,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "report.model",
            "/v1/reports/models",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    elif quiet:
        typer.echo(result["model"]["id"])
    else:
        show_model(result["model"])
        if result.get("dry_run"):
            typer.echo("dry run: nothing was recorded")


@app.command("training-run")
def training_run(
    file: FileOption = None,
    model_id: Annotated[str | None, typer.Option("--model", help="The model (mdl_...).")] = None,
    stage: Annotated[str | None, typer.Option(help="The stage's name (default: its kind).")] = None,
    stage_kind: Annotated[
        str | None,
        typer.Option(
            help="pre_training, continued_pre_training, fine_tuning, rl or synthetic_data."
        ),
    ] = None,
    report_kind: Annotated[str | None, typer.Option(help="planned, interim or final.")] = None,
    start: Annotated[str | None, typer.Option(help="When the run started (UTC ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option(help="When it ended (UTC ISO 8601).")] = None,
    flop: Annotated[str | None, typer.Option(help="Declared FLOP, e.g. 3.8e25.")] = None,
    method: Annotated[
        str | None, typer.Option(help="operation_count, hardware, measured or other.")
    ] = None,
    uncertainty: Annotated[
        float | None, typer.Option(help="Relative uncertainty of the figure (0.2 = ±20%).")
    ] = None,
    params: Annotated[str | None, typer.Option(help="Total parameters, e.g. 405B.")] = None,
    active_params: Annotated[
        str | None, typer.Option(help="Parameters active per token (mixture of experts).")
    ] = None,
    tokens: Annotated[str | None, typer.Option(help="Tokens trained on, e.g. 15.6T.")] = None,
    precision: Annotated[str | None, typer.Option(help="Precision, e.g. bf16 or fp8.")] = None,
    bio: Annotated[
        bool, typer.Option("--bio", help="The data is mainly biological sequences.")
    ] = False,
    energy_kwh: Annotated[float | None, typer.Option(help="Energy used, in kWh.")] = None,
    compute: Annotated[
        Repeated,
        typer.Option(help="Compute used: PROVIDER:SITE:CHIP:COUNT:HOURS; repeatable."),
    ] = None,
    jurisdiction: Annotated[
        Repeated, typer.Option(help="Addressed to (default: the model's); repeatable.")
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Report one stage of a model; print the registry's assessment of it."""
    body = _file(file)
    flags: dict[str, Any] = {
        "model_id": model_id,
        "stage": stage,
        "stage_kind": stage_kind,
        "report_kind": report_kind,
        "started_at": start,
        "ended_at": end,
        "declared_flop": _amount(flop, "--flop"),
        "estimation_method": method,
        "flop_uncertainty": uncertainty,
        "params": _amount(params, "--params"),
        "active_params": _amount(active_params, "--active-params"),
        "tokens": _amount(tokens, "--tokens"),
        "precision": precision,
        "energy_kwh": energy_kwh,
        "compute_used": [_compute_line(c) for c in compute] if compute else None,
        "jurisdictions": jurisdiction,
    }
    body.update({k: v for k, v in flags.items() if v is not None})
    if bio:
        body["bio"] = True
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "report.training_run",
            "/v1/reports/training-runs",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    elif quiet:
        typer.echo(result["report"]["id"])
    else:
        show_report(result["report"])
        for raised in result.get("flags", []):
            typer.echo(f"flag raised for the regulators: {raised['id']} {raised['kind']}")
        if result.get("dry_run"):
            typer.echo("dry run: nothing was recorded")


@app.command("list")
def list_reports(
    models: Annotated[
        bool, typer.Option("--models", help="List models instead of training-run reports.")
    ] = False,
    model_id: Annotated[
        str | None, typer.Option("--model", help="Only this model's reports.")
    ] = None,
    developer: Annotated[
        str | None, typer.Option(help="Only this developer's reports (party id).")
    ] = None,
    provider: Annotated[
        str | None, typer.Option(help="Only reports with compute at this provider (party id).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(help="planned, interim or final (still counting), current or superseded."),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the list as CSV.")] = False,
    as_json: bool = JSON_OPTION,
) -> None:
    """The reports (or models) you may see: your own; a regulator's, those addressed to it."""
    filters = {
        "model_id": model_id,
        "developer_id": developer,
        "provider_id": provider,
        "status": status,
    }
    params = {k: v for k, v in filters.items() if v is not None}
    if models and set(params) - {"model_id"}:
        raise typer.BadParameter("--developer, --provider and --status filter reports, not models")
    params = {} if models else params
    path = "/v1/reports/models" if models else "/v1/reports/training-runs"
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(client.get_text(path, limit=1000, format="csv", **params), nl=False)
            return
        result = client.get(path, limit=1000, **params)
    if as_json:
        print_json(result)
        return
    if models:
        rows = [
            (
                m["id"],
                m["name"],
                m["developer_id"],
                m.get("parent_id"),
                fmt_flop(m["lineage"]["cumulative_flop"]) or "withheld",
            )
            for m in result["items"]
        ]
        print_table(["id", "name", "developer", "parent", "cumulative FLOP"], rows)
        return
    reports = [
        (
            r["id"],
            r["model_id"],
            r["stage"],
            r["report_kind"],
            fmt_flop(r["declared_flop"]),
            "yes" if r["counts"] else "no",
            "yes" if r["assessment"]["stage"]["plausible"] else "no",
        )
        for r in result["items"]
    ]
    columns = ["id", "model", "stage", "kind", "declared FLOP", "counts", "plausible"]
    print_table(columns, reports)


@app.command("show")
def show(
    record_id: Annotated[str, typer.Argument(help="A model (mdl_...) or report (trr_...) id.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """One model (lineage, cumulative compute, thresholds) or report (its page).

    A report's page is its assessment (both estimates and the checks), its model's lineage
    and thresholds, the obligations they bring and the flags about the report."""
    is_model = record_id.startswith("mdl_")
    path = f"/v1/reports/{'models' if is_model else 'training-runs'}/{record_id}"
    with connect(url, token, token_file) as client:
        result = client.get(path if is_model else f"{path}/page")
    if as_json:
        print_json(result)
    elif is_model:
        show_model(result)
    else:
        show_page(result)


def show_page(page: dict[str, Any]) -> None:
    """A report's page: the report and its assessment, its model's obligations, its flags."""
    show_report(page["report"])
    obligations = [
        (o["obligation_id"], o["state"], o.get("deadline") or "-", o["authority"])
        for o in page["obligations"]
    ]
    if obligations:
        print_table(["obligation", "state", "deadline", "authority"], obligations, title="duties")
    flags = [(f["id"], f["kind"], f["status"]) for f in page["flags"]]
    if flags:
        print_table(["flag", "kind", "status"], flags, title="flags about this report")


from computegov.cli import report_attestations as _attestations  # noqa: E402,F401 (adds commands)
from computegov.cli import reporting_identity as _identity  # noqa: E402,F401  (joins this app)
