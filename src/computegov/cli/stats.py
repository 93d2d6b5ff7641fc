"""`computegov stats`: counts and H100-equivalents of the chips you may see, from a server."""

from __future__ import annotations

from typing import Annotated

import typer

from computegov.cli.connection import DEFAULT_URL, Token, TokenFile, Url, connect
from computegov.cli.output import JSON_OPTION, print_json, print_table

app = typer.Typer(
    help="Counts of registered chips and their H100-equivalents.", no_args_is_help=True
)


@app.command("chips")
def chips(
    by: Annotated[
        list[str],
        typer.Option("--by", help="Group by country, party, model or status (repeat to combine)."),
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Chips and H100-equivalents per group (GET /v1/stats/chips), for the chips you may see."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/stats/chips", by=by, limit=1000)
    if as_json:
        print_json(result)
        return
    dims = list(result["by"])
    if "party" in dims:
        dims.insert(dims.index("party") + 1, "party_name")
    rows = [
        [*(item.get(d) for d in dims), f"{item['chips']:,}", _h100e(item["h100_equivalents"])]
        for item in result["items"]
    ]
    rows.append(
        [
            "all",
            *([""] * (len(dims) - 1)),
            f"{result['chips']:,}",
            _h100e(result["h100_equivalents"]),
        ]
    )
    title = f"{result['chips']:,} chips, {_h100e(result['h100_equivalents'])} H100-equivalents"
    print_table([*dims, "chips", "H100e"], rows, title=title)


def _h100e(value: float | None) -> str | None:
    return None if value is None else f"{value:,.2f}"
