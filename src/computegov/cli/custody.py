"""`computegov sites` and `computegov transfers`: where chips are and changes of custody
(`computegov licenses` is `cli/licenses.py`). Thin commands over `/v1`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

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
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.client import ApiError
from computegov.errors import InvalidInput

sites_app = typer.Typer(
    help="Sites (data centres): declare, list, install chips.", no_args_is_help=True
)
transfers_app = typer.Typer(
    help="Transfers of custody: declare, confirm, cancel, list.", no_args_is_help=True
)

Chips = Annotated[list[str], typer.Argument(help="Chip ids (chp_...) or VENDOR/SERIAL.")]


def chip_names(values: list[str]) -> list[Any]:
    """Chip ids as they are; `VENDOR/SERIAL` as `{"vendor", "serial"}`."""
    names: list[Any] = []
    for value in values:
        if value.startswith("chp_"):
            names.append(value)
        elif "/" in value:
            vendor, serial = value.split("/", 1)
            names.append({"vendor": vendor, "serial": serial})
        else:
            raise InvalidInput(
                f"name a chip by its id (chp_...) or as VENDOR/SERIAL, not {value!r}"
            )
    return names


def _networking(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for value in values:
        key, sep, number = value.partition("=")
        try:
            out[key.strip()] = float(number)
        except ValueError:
            sep = ""
        if not sep:
            raise InvalidInput(
                f"--network takes KEY=NUMBER (e.g. interconnect_gbit_s=3200), not {value!r}"
            )
    return out


def show_record(record: dict[str, Any], entry_id: str | None) -> None:
    """One record as a two-column table (ids in full), with the entry it was logged as."""

    def cell(value: Any) -> Any:
        if isinstance(value, dict):
            if "license_id" in value:  # a license a transfer drew on
                whose = f"{value['jurisdiction']}, " if value.get("jurisdiction") else ""
                return f"{value['license_id']} ({whose}{value['chips']} chips)"
            return ", ".join(f"{k}={v:g}" for k, v in sorted(value.items()))
        return ", ".join(map(str, map(cell, value))) if isinstance(value, list) else value

    hidden = {"regime", "chips", "entry_id"} | ({"license_ids"} if "licenses" in record else set())
    rows = [(k, cell(v)) for k, v in record.items() if k not in hidden]
    print_table(["field", "value"], [*rows, ("ledger entry", entry_id or "(dry run)")])


SITE_COLUMNS = ["id", "name", "operator", "country", "lat", "lon", "networking", "chips"]


def _site_row(s: dict[str, Any]) -> tuple[Any, ...]:
    net = ", ".join(f"{k}={v:g}" for k, v in sorted(s["networking"].items()))
    return (
        s["id"],
        s["name"],
        s["operator_id"],
        s["country"],
        s["latitude"],
        s["longitude"],
        net,
        s.get("chips"),
    )


@sites_app.command("create")
def create_site(
    name: Annotated[str, typer.Option(help="The site's name.")],
    country: Annotated[str, typer.Option(help="Where it is (ISO alpha-2).")],
    latitude: Annotated[float | None, typer.Option("--lat", help="Latitude, -90..90.")] = None,
    longitude: Annotated[float | None, typer.Option("--lon", help="Longitude, -180..180.")] = None,
    network: Annotated[
        list[str] | None,
        typer.Option(
            help="Declared networking KEY=NUMBER (interconnect_gbit_s, cluster_ops_per_s, "
            "clusters, uplink_gbit_s); repeatable."
        ),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Declare a site you operate."""
    body: dict[str, Any] = {
        "name": name,
        "country": country,
        "networking": _networking(network or []),
    }
    if latitude is not None:
        body["latitude"] = latitude
    if longitude is not None:
        body["longitude"] = longitude
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "site.create", "/v1/sites", body, dry_run=dry_run, idempotency_key=idempotency_key
        )
    if as_json:
        print_json(result)
    else:
        show_record(result["site"], result.get("entry_id"))


@sites_app.command("list")
def list_sites(
    country: Annotated[str | None, typer.Option(help="Only sites in this country.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the sites you may see, with the chips installed at each."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/sites", country=country, limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(s["id"] for s in result["items"])
    else:
        print_table(
            SITE_COLUMNS, [_site_row(s) for s in result["items"]], title=f"{result['total']} sites"
        )


@sites_app.command("install")
def install(
    site: Annotated[str, typer.Argument(help="Your site's id (sit_...).")],
    chips: Chips,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Install chips you hold at one of your sites (or move them there from another of yours)."""
    body = {"site_id": site, "chips": chip_names(chips)}
    with connect(url, token, token_file, key) as client:
        result = client.act(
            "site.install",
            "/v1/sites/install",
            body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    else:
        rows = [(c, "installed") for c in result["installed"]] + [
            (c, "moved") for c in result["moved"]
        ]
        print_table(["chip", site], rows)


# A party's name sits beside its id: the id stays whole (the next command needs it), the name
# wraps between words (a server from before names left them out: an empty cell).
TRANSFER_COLUMNS = [
    "id",
    "status",
    "sender",
    "sender name",
    "receiver",
    "receiver name",
    "route",
    "chips",
    "licenses",
]


def _transfer_row(t: dict[str, Any]) -> tuple[Any, ...]:
    route = f"{t['origin_country']}->{t['destination_country']}"
    return (
        t["id"],
        t["status"],
        t["sender_id"],
        t.get("sender_name"),
        t["receiver_id"],
        t.get("receiver_name"),
        route,
        t["chip_count"],
        ", ".join(t.get("license_ids") or ([t["license_id"]] if t["license_id"] else [])),
    )


def _report_fired(exc: ApiError) -> None:
    for fired in exc.problem.get("fired", []):
        whose = f", {fired['jurisdiction']}" if fired.get("jurisdiction") else ""
        typer.echo(
            f"fired: {fired['rule']} ({fired['citation']}{whose}) on {fired.get('model')}: "
            f"{fired['reason']}",
            err=True,
        )


@transfers_app.command("declare")
def declare(
    chips: Chips,
    to: Annotated[str, typer.Option("--to", help="The receiver (party id).")],
    country: Annotated[str, typer.Option(help="Destination country (ISO alpha-2).")],
    site: Annotated[str | None, typer.Option(help="The receiver's site there (sit_...).")] = None,
    license_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--license",
            help="An export license (lic_...) that covers it; repeatable: for each jurisdiction "
            "whose instruments fire, licenses issued under it that cover every model moved.",
        ),
    ] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Declare a transfer of chips you hold.

    Refused with the reason (and, where a license is missing, each instrument that fired and
    the jurisdiction whose license is missing)."""
    body: dict[str, Any] = {
        "chips": chip_names(chips),
        "receiver_id": to,
        "destination_country": country,
    }
    if site:
        body["destination_site_id"] = site
    cited = list(dict.fromkeys(license_ids or []))
    if len(cited) == 1:
        body["license_id"] = cited[0]
    elif cited:
        body["licenses"] = cited
    with connect(url, token, token_file, key) as client:
        try:
            result = client.act(
                "transfer.declare",
                "/v1/transfers",
                body,
                dry_run=dry_run,
                idempotency_key=idempotency_key,
            )
        except ApiError as exc:
            _report_fired(exc)
            raise
    if as_json:
        print_json(result)
        return
    show_record(result["transfer"], result.get("entry_id"))
    for flag in result.get("flags", []):
        typer.echo(f"flag raised: {flag['kind']} ({flag['id']})")


def _close(
    action: str,
    path: str,
    transfer_id: str,
    url: str,
    token: str | None,
    token_file: Any,
    key: Any,
    dry_run: bool,
    idempotency_key: str | None,
    as_json: bool,
) -> None:
    with connect(url, token, token_file, key) as client:
        result = client.act(
            action,
            path,
            {"transfer_id": transfer_id},
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
    else:
        show_record(result["transfer"], result.get("entry_id"))


@transfers_app.command("confirm")
def confirm(
    transfer_id: Annotated[str, typer.Argument(help="The transfer (trf_...).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Confirm receipt of a transfer addressed to you: the chips become yours."""
    _close(
        "transfer.confirm",
        "/v1/transfers/confirm",
        transfer_id,
        url,
        token,
        token_file,
        key,
        dry_run,
        idempotency_key,
        as_json,
    )


@transfers_app.command("cancel")
def cancel(
    transfer_id: Annotated[str, typer.Argument(help="The transfer (trf_...).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Cancel a pending transfer you declared: chips back, license quantity returned."""
    _close(
        "transfer.cancel",
        "/v1/transfers/cancel",
        transfer_id,
        url,
        token,
        token_file,
        key,
        dry_run,
        idempotency_key,
        as_json,
    )


@transfers_app.command("list")
def list_transfers(
    incoming: Annotated[
        bool, typer.Option("--incoming", help="Only those addressed to you.")
    ] = False,
    outgoing: Annotated[bool, typer.Option("--outgoing", help="Only those you declared.")] = False,
    status: Annotated[str | None, typer.Option(help="pending, completed or cancelled.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """List the transfers you may see, newest first."""
    if incoming and outgoing:
        raise InvalidInput("give --incoming or --outgoing, not both")
    role = "incoming" if incoming else "outgoing" if outgoing else None
    with connect(url, token, token_file) as client:
        result = client.get("/v1/transfers", role=role, status=status, limit=1000)
    if as_json:
        print_json(result)
    elif quiet:
        print_ids(t["id"] for t in result["items"])
    else:
        print_table(
            TRANSFER_COLUMNS,
            [_transfer_row(t) for t in result["items"]],
            title=f"{result['total']} transfers",
        )
