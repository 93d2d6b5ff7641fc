"""`computegov sites cluster SITE` and `computegov report above-thresholds`: the threshold
views over what the registry holds, a site's cluster check and a regulator's list of the
models above thresholds."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from computegov.cli.compute import fmt_flop
from computegov.cli.connection import DEFAULT_URL, Token, TokenFile, Url, connect
from computegov.cli.custody import sites_app
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.cli.reporting import app as report_app

CSV_OPTION = typer.Option(False, "--csv", help="Print the lines as CSV (one per line).")
OnOption = Annotated[
    str | None, typer.Option("--on", help="A date (YYYY-MM-DD) or instant; default now.")
]


def _threshold_rows(check: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for basis, label in (("max_dense", "max dense"), ("bf16_dense", "dense BF16")):
        for t in check["thresholds"][basis]:
            status = "historical (revoked)" if t["historical"] else t["status"]
            network = {True: "yes", False: "no", None: "not declared"}[t["network_above"]]
            rows.append(
                (
                    label,
                    t["id"],
                    fmt_flop(t["threshold"]),
                    f">{t['network_gbit_s_above']:g}" if t["network_gbit_s_above"] else "",
                    "yes" if t["rate_crossed"] else "no",
                    network,
                    "yes" if t["crossed"] else "no",
                    status,
                )
            )
    return rows


def show_cluster(check: dict[str, Any]) -> None:
    """A site's cluster check for people: per-model lines, the thresholds, the declared figure."""
    site = check["site"]
    typer.echo(f"site {site['id']} {site['name']} ({site['country']}), {check['counted']}")
    lines = [
        (
            m["model"],
            m["chips"],
            m["max_precision"] or "",
            fmt_flop(m["max_ops_per_s"]),
            fmt_flop(m["bf16_ops_per_s"]),
        )
        for m in check["models"]
    ]
    print_table(["model", "chips", "max precision", "max ops/s", "BF16 ops/s"], lines)
    peak = check["peak"]
    network = check["interconnect_gbit_s"]
    typer.echo(
        f"peak: {fmt_flop(peak['max_dense']['ops_per_s'])} ops/s at max dense rate "
        f"({', '.join(peak['max_dense']['precisions']) or 'none'}), "
        f"{fmt_flop(peak['bf16_dense']['ops_per_s'])} ops/s at dense BF16; "
        f"interconnect {network if network is not None else 'not declared'} Gbit/s"
    )
    columns = ["rate", "threshold", "ops/s", "Gbit/s", "rate over", "network over", "crossed"]
    print_table([*columns, "status"], _threshold_rows(check))
    declared = check["declared"]
    shown = declared["cluster_ops_per_s"]
    typer.echo(
        f"declared cluster figure: {fmt_flop(shown) if shown is not None else 'none'} ops/s "
        f"(clusters: {declared['clusters'] or 'not declared'})"
    )
    for note in check["notes"]:
        typer.echo(f"note: {note}")


@sites_app.command("cluster")
def cluster(
    site_id: Annotated[str, typer.Argument(help="The site (sit_...).")],
    on: OnOption = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_csv: bool = CSV_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A site's cluster check: the peak ops/s of its chips against the cluster tests.

    At each chip's maximum dense rate and at dense BF16, against the EO 14110 cluster test
    (historical) and the 2024 BIS proposal (what-if)."""
    path = f"/v1/sites/{site_id}/cluster"
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(client.get_text(path, on=on, format="csv"), nl=False)
            return
        check = client.get(path, on=on)
    if as_json:
        print_json(check)
    else:
        show_cluster(check)


@report_app.command("above-thresholds")
def above_thresholds(
    on: OnOption = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_csv: bool = CSV_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Regulators: models addressed to you whose lineage crosses an instrument's threshold.

    Cumulative compute over each model's lineage, tested today (or on --on), with the
    instruments crossed."""
    path = "/v1/reports/above-thresholds"
    with connect(url, token, token_file) as client:
        if as_csv:
            typer.echo(client.get_text(path, on=on, format="csv", limit=1000), nl=False)
            return
        result = client.get(path, on=on, limit=1000)
    if as_json:
        print_json(result)
        return
    rows = [
        (
            m["id"],
            m["name"],
            m["developer"] or m["developer_id"],
            fmt_flop(m["cumulative_flop"]) or "withheld",
            ", ".join(m["in_force"]) or "none in force",
            ", ".join(m["instruments"]),
        )
        for m in result["items"]
    ]
    columns = ["id", "name", "developer", "cumulative FLOP", "in force", "crossed"]
    print_table(columns, rows, title=f"{result['total']} models above thresholds")
