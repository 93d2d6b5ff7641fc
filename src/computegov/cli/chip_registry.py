"""`computegov chips register|history|inventory|report|bind-key|approve-key|attestation`,
`chips vendors|bind-vendor|fabs`: the chip registry from the command line (the catalog
commands live in `cli/chips.py`)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from computegov.catalog import SITE_KINDS, all_sites
from computegov.cli.connection import (
    DEFAULT_URL,
    DryRun,
    IdempotencyKey,
    KeyFile,
    Token,
    TokenFile,
    Url,
    connect,
    verifier_key_option,
)
from computegov.cli.keys import public_key_of
from computegov.cli.output import JSON_OPTION, QUIET_OPTION, print_ids, print_json, print_table
from computegov.client import RegistryClient
from computegov.errors import InvalidInput
from computegov.identity.keys import decode_public_key
from computegov.instants import utcnow
from computegov.ledger import note
from computegov.registry.chips import manifests
from computegov.registry.chips import reads as chip_reads

CHUNK = 1 << 20
INVENTORY_COLUMNS = ["id", "vendor", "serial", "model", "status", "country", "custodian"]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _read(path: Path, progress: Progress) -> bytes:
    try:
        size = path.stat().st_size
        task = progress.add_task(f"reading {path.name}", total=size)
        parts = []
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                parts.append(chunk)
                progress.advance(task, len(chunk))
    except OSError as exc:
        raise InvalidInput(f"cannot read the manifest {path}: {exc.strerror}") from None
    return b"".join(parts)


def _chunks(data: bytes, progress: Progress, label: str) -> Iterator[bytes]:
    task = progress.add_task(label, total=len(data))
    for start in range(0, len(data), CHUNK):
        piece = data[start : start + CHUNK]
        progress.advance(task, len(piece))
        yield piece


def register_manifest(
    client: RegistryClient,
    data: bytes,
    *,
    country: str | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    idempotency_key: str | None = None,
) -> Any:
    """Check a manifest locally, sign its root and envelope with the client's key, upload it."""
    if client.signer is None:
        raise InvalidInput("registering chips must be signed: give --key FILE (or COMPUTEGOV_KEY)")
    body = manifests.registration_body(data, client.signer.sign, on=utcnow(), country=country)
    upload = json.dumps({"signed": client.signed("chip.register", body), "csv": data.decode()})
    raw = upload.encode()
    chunks = _chunks(raw, progress, "uploading") if progress else iter([raw])
    return client.post_stream(
        "/v1/manifests", chunks, dry_run=dry_run, idempotency_key=idempotency_key
    )


def register(
    manifest: Annotated[Path, typer.Argument(help="The manifest CSV (see manifest-template).")],
    country: Annotated[
        str | None,
        typer.Option(
            help="A check: every row's assembly site must be in this country (chips start "
            "where they were finished)."
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
    """Register a manifest's chips as their manufacturer, all or nothing.

    Every row is checked locally first; the manufacturer key (--key) signs the manifest's
    RFC 9162 root and the envelope carrying its SHA-256. Each chip starts in its assembly
    site's country; only vendors bound to you (or to a party above you) may be registered."""
    with _progress() as progress, connect(url, token, token_file, key) as client:
        data = _read(manifest, progress)
        hashed = progress.add_task("hashing rows", total=None)
        result = register_manifest(
            client,
            data,
            country=country,
            progress=progress,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
        progress.remove_task(hashed)
    if as_json:
        print_json(result)
        return
    man = result["manifest"]
    print_table(
        ["", ""],
        [
            ("manifest", man["id"]),
            ("chips", f"{result['chips']:,}"),
            ("country", ", ".join(result.get("countries") or [result["country"]])),
            ("sha256", man["sha256"]),
            ("root", man["root"]),
            ("signed by key", man["key_id"]),
            ("entry id", result.get("entry_id", "(dry run)")),
        ],
        title="Chips registered" if not dry_run else "Dry run: nothing registered",
    )


def manifest_template() -> None:
    """Print an example manifest (CSV, UTF-8): one chip a row.

    fab and assembly_site (final packaging and test) come from `chips fabs`; the chip starts
    in its assembly site's country. device_public_key is base64 of the chip's 32-byte Ed25519
    key, mandatory for models classified 3A090 at registration; serials are unique per vendor."""
    typer.echo(manifests.TEMPLATE, nl=False)


def find_chip_id(client: RegistryClient, vendor: str, serial: str) -> str:
    """The id of the chip (vendor, serial) as the server lists it to this reader."""
    found = client.get("/v1/chips", vendor=vendor, serial=serial, limit=1)
    if not found["items"]:
        raise InvalidInput(
            f"no chip {vendor} {serial} that you may read; `computegov chips inventory` lists them"
        )
    return str(found["items"][0]["id"])


def chip_history(client: RegistryClient, vendor: str, serial: str, vkey: str | None) -> Any:
    """A chip's history with each step's proof verified here against the signed checkpoint."""
    key, pinned = note.pinned_or_served(
        vkey, lambda: str(client.get("/v1/log/key")["verifier_key"])
    )
    chip_id = find_chip_id(client, vendor, serial)
    served = client.get(f"/v1/chips/{chip_id}/history")

    def leaf_at(index: int) -> bytes:
        return base64.b64decode(client.get(f"/v1/log/entries/{index}")["leaf"])

    checks = chip_reads.verify_history(served, key, leaf_at)
    for step, ok in zip(served["steps"], checks, strict=True):
        step["verified"] = ok
    served["key_pinned"] = pinned
    return served


def history(
    vendor: Annotated[str, typer.Argument(help="Vendor, e.g. NVIDIA.")],
    serial: Annotated[str, typer.Argument(help="The chip's serial.")],
    vkey: str | None = verifier_key_option("--vkey", "Pinned log verifier key (recommended)."),
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """A chip's chain of custody, each step's inclusion proof verified here.

    Each proof is checked against the checkpoint signed by the log key: the one pinned with
    --vkey (or COMPUTEGOV_VERIFIER_KEY), else the one the server serves."""
    with connect(url, token, token_file) as client:
        served = chip_history(client, vendor, serial, vkey)
    if as_json:
        print_json(served)
        return
    mark = {True: "✓", None: "pending", False: "✗"}
    print_table(
        ["step", "kind", "time", "party", "party name", "ledger index", "proof", "opening"],
        [
            (
                s["step"],
                s["kind"],
                s["at"],
                s["party_id"],
                s.get("party_name"),
                s["index"],
                mark[s["verified"]],
                "✓" if s["opening"] else "-",
            )
            for s in served["steps"]
        ],
        title=f"{vendor} {serial} ({served['chip']['id']}), checkpoint size "
        f"{served['checkpoint']['size']}" + ("" if served["key_pinned"] else ", key not pinned"),
    )


def inventory(
    model: Annotated[str | None, typer.Option(help="Catalog model name, e.g. 'H100 SXM'.")] = None,
    country: Annotated[str | None, typer.Option(help="Where the chips are.")] = None,
    status: Annotated[str | None, typer.Option(help="in_stock, installed, lost, ...")] = None,
    custodian: Annotated[str | None, typer.Option(help="Custodian party id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Registered chips you may read, filtered and paginated."""
    with connect(url, token, token_file) as client:
        result = client.get(
            "/v1/chips",
            model=model,
            country=country,
            status=status,
            custodian=custodian,
            limit=limit,
            offset=offset,
        )
    if as_json:
        print_json(result)
        return
    if quiet:
        print_ids(c["id"] for c in result["items"])
        return
    rows = [
        (
            c["id"],
            c["vendor"],
            c["serial"],
            c["model"],
            c["status"],
            c["country"],
            c["custodian_id"],
        )
        for c in result["items"]
    ]
    shown = f"{offset + 1}-{offset + len(rows)} of {result['total']:,}" if rows else "none"
    print_table(INVENTORY_COLUMNS, rows, title=f"Chips ({shown})")


def _act_show(result: Any, as_json: bool, title: str) -> None:
    if as_json:
        print_json(result)
        return
    chip = result.get("chip") or {}
    rows = [(k, chip[k]) for k in ("id", "vendor", "serial", "status", "device_key_id") if chip]
    if "binding" in result:
        rows += [
            ("binding", result["binding"]["id"]),
            ("binding status", result["binding"]["status"]),
        ]
    rows += [("flag", f) for f in result.get("flags", [])]
    rows.append(("entry id", result.get("entry_id", "(dry run)")))
    print_table(["", ""], rows, title=title)


def report(
    vendor: Annotated[str, typer.Argument(help="Vendor, e.g. NVIDIA.")],
    serial: Annotated[str, typer.Argument(help="The chip's serial.")],
    status: Annotated[str, typer.Option(help="lost, stolen or decommissioned.")],
    note: Annotated[str, typer.Option(help="What happened, for the regulators.")] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    as_json: bool = JSON_OPTION,
) -> None:
    """As its custodian, report a chip lost, stolen or decommissioned.

    Lost and stolen chips are flagged for regulators."""
    body = {"chip": {"vendor": vendor, "serial": serial}, "status": status, "note": note}
    with connect(url, token, token_file, key) as client:
        result = client.act("chip.report", "/v1/chips/reports", body, dry_run=dry_run)
    _act_show(result, as_json, f"{vendor} {serial} reported {status}")


def _device_key(text: str) -> str:
    path = Path(text)
    if path.is_file():
        return public_key_of(path)
    decode_public_key(text)  # InvalidInput naming the expected form
    return text


def bind_key(
    vendor: Annotated[str, typer.Argument(help="Vendor, e.g. NVIDIA.")],
    serial: Annotated[str, typer.Argument(help="The chip's serial.")],
    device_key: Annotated[
        str, typer.Option("--device-key", help="New device public key (base64) or key file.")
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """As its custodian, ask to bind a new device key to a chip.

    A regulator of the chip's country approves it (`approve-key`)."""
    body = {
        "chip": {"vendor": vendor, "serial": serial},
        "device_public_key": _device_key(device_key),
    }
    with connect(url, token, token_file, key) as client:
        result = client.act("chip.key.request", "/v1/chips/keys", body)
    _act_show(result, as_json, f"Key binding requested for {vendor} {serial}")


def approve_key(
    binding_id: Annotated[str, typer.Argument(help="The binding id (kbd_...).")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of approve.")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """As a regulator of the chip's country, approve (or reject) a device-key binding."""
    body = {"binding_id": binding_id, "approve": not reject}
    with connect(url, token, token_file, key) as client:
        result = client.act("chip.key.approve", "/v1/chips/keys/decisions", body)
    _act_show(result, as_json, f"Key binding {'rejected' if reject else 'approved'}")


def attestation(
    vendor: Annotated[str, typer.Argument(help="Vendor, e.g. NVIDIA.")],
    serial: Annotated[str, typer.Argument(help="The chip's serial.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Fetch a chip's manufacturer attestation and verify it here.

    Checked here: the signature over the manifest root, and the chip's inclusion path."""
    with connect(url, token, token_file) as client:
        served = client.get(f"/v1/chips/{find_chip_id(client, vendor, serial)}/attestation")
    chip_reads.check_attestation(served)
    served["verified"] = True
    if as_json:
        print_json(served)
        return
    a = served["attestation"]
    digest = hashlib.sha256(base64.b64decode(served["manufacturer_key"])).hexdigest()[:16]
    print_table(
        ["", ""],
        [
            ("manifest", a["manifest_id"]),
            ("leaf index", f"{a['leaf_index']} of {a['size']}"),
            ("root", a["root"]),
            ("signed by key", f"{a['key_id']} (manufacturer {served['manufacturer_id']})"),
            ("key id of the served key", digest),
            ("verified", "✓ signature and inclusion path"),
        ],
        title=f"Attestation of {vendor} {serial}",
    )


def bind_vendor(
    vendor: Annotated[str, typer.Argument(help="Catalog vendor, e.g. NVIDIA.")],
    manufacturer_id: Annotated[str, typer.Argument(help="The manufacturer party (pty_...).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Rebind a vendor bound to another manufacturer.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    key: KeyFile = None,
    dry_run: DryRun = False,
    as_json: bool = JSON_OPTION,
) -> None:
    """Bind a catalog vendor to the manufacturer that makes its chips.

    As the administrator or a regulator of the vendor's headquarters country; the manufacturer
    and its subsidiaries then register the vendor's chips."""
    body = {"vendor": vendor, "manufacturer_id": manufacturer_id, "replace": replace}
    with connect(url, token, token_file, key) as client:
        result = client.act("vendor.bind", "/v1/vendors/bindings", body, dry_run=dry_run)
    if as_json:
        print_json(result)
        return
    b = result["binding"]
    rows = [
        ("vendor", b["vendor"]),
        ("headquarters", b["hq_country"]),
        ("manufacturer", b["manufacturer_id"]),
        ("replaced", result.get("replaced") or "-"),
        ("entry id", result.get("entry_id", "(dry run)")),
    ]
    print_table(["", ""], rows, title=f"{b['vendor']} bound")


def vendors(
    url: Url = DEFAULT_URL,
    token: Token = None,
    token_file: TokenFile = None,
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """The catalog's vendors, their headquarters and the manufacturer each is bound to.

    `yours` marks a vendor whose chips you may register."""
    with connect(url, token, token_file) as client:
        result = client.get("/v1/vendors")
    if as_json:
        print_json(result)
        return
    if quiet:
        print_ids(v["vendor"] for v in result["items"])
        return
    rows = [
        (
            v["vendor"],
            v["legal_name"],
            v["hq_country"],
            "yours" if v["yours"] else (v["manufacturer_id"] or "yes") if v["bound"] else "no",
        )
        for v in result["items"]
    ]
    print_table(["vendor", "legal name", "HQ", "bound"], rows, title="Chip vendors")


def fabs(
    kind: Annotated[
        str | None, typer.Option(help=f"Only one kind: {' or '.join(SITE_KINDS)}.")
    ] = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """The fabs and assembly sites a manifest may name, with their countries and sources.

    An assembly site does final packaging and test; a chip starts in its assembly site's
    country."""
    if kind is not None and kind not in SITE_KINDS:
        raise InvalidInput(f"--kind must be one of {', '.join(SITE_KINDS)}, not {kind!r}")
    sites = all_sites(kind)
    if as_json:
        print_json(
            [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "operator": s.operator,
                    "country": s.country,
                    "aliases": list(s.aliases),
                    "source": s.source,
                }
                for s in sites
            ]
        )
        return
    rows = [(s.name, s.kind, s.operator, s.country, "; ".join(s.aliases)) for s in sites]
    print_table(
        ["name", "kind", "operator", "country", "aliases"],
        rows,
        title="Fabs and assembly sites (`--json` for each row's source)",
    )


def add_commands(app: typer.Typer) -> None:
    """Add the registry commands to the `chips` group."""
    app.command("register")(register)
    app.command("manifest-template")(manifest_template)
    app.command("history")(history)
    app.command("inventory")(inventory)
    app.command("report")(report)
    app.command("bind-key")(bind_key)
    app.command("approve-key")(approve_key)
    app.command("attestation")(attestation)
    app.command("vendors")(vendors)
    app.command("bind-vendor")(bind_vendor)
    app.command("fabs")(fabs)
