"""`computegov licenses suspend|revoke|reinstate`: a regulator of a license's jurisdiction
changes its status, with a reason. Suspending or revoking cancels the transfers declared
under it and not yet confirmed. Thin commands over `POST /v1/licenses/{id}/<verb>`. Also the
terms `licenses issue` states (`license_terms`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

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
from computegov.cli.output import JSON_OPTION, print_json, print_table
from computegov.errors import InvalidInput

LicenseId = Annotated[str, typer.Argument(help="The export license (lic_...).")]
Reason = Annotated[
    str, typer.Option("--reason", help="Why (kept with the license and in the ledger entry).")
]


def license_terms(
    value_usd: int | None,
    valid_from: str | None,
    riders: list[str],
    named: list[str],
    end_use_until: str | None,
    instruments: list[str] | None,
) -> dict[str, Any]:
    """The terms a `licenses issue` states, as body fields (only those given)."""
    terms: dict[str, Any] = {}
    if value_usd is not None:
        terms["value_usd"] = value_usd
    if valid_from:
        terms["valid_from"] = valid_from
    if end_use_until:
        terms["end_use_until"] = end_use_until
    if instruments:
        terms["instruments"] = list(dict.fromkeys(instruments))
    if riders:
        terms["riders"] = []
        for text in riders:
            rid, sep, rest = text.partition("=")
            item: dict[str, Any] = {"id": rid.strip()}
            if sep and rest.strip().isdigit():
                item["value"] = int(rest.strip())
            elif sep:
                item["text"] = rest.strip()
            terms["riders"].append(item)
    if named:
        terms["named_parties"] = []
        for text in named:
            role, sep, party = text.partition("=")
            if not sep or not party.strip():
                raise InvalidInput(f"--named takes ROLE=PARTY_ID, not {text!r}")
            terms["named_parties"].append({"role": role.strip(), "party_id": party.strip()})
    return terms


HELP = {
    "suspend": "Suspend an active export license, as a regulator of its jurisdiction.\n\n"
    "It authorizes no shipment until reinstated; the transfers declared under it and not yet "
    "confirmed are cancelled (chips back to the sender, chips and value back to the license).",
    "revoke": "Revoke an export license for good, as a regulator of its jurisdiction.\n\n"
    "The transfers declared under it and not yet confirmed are cancelled.",
    "reinstate": "Reinstate a suspended export license, as a regulator of its jurisdiction.\n\n"
    "A revoked license stays revoked.",
}


def _change(
    verb: str,
    license_id: str,
    reason: str,
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
            f"license.{verb}",
            f"/v1/licenses/{quote(license_id, safe='')}/{verb}",
            {"license_id": license_id, "reason": reason},
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    if as_json:
        print_json(result)
        return
    lic = result["license"]
    rows = [
        ("license", lic["id"]),
        ("status", lic["status"]),
        ("reason", lic["status_reason"]),
        ("since", lic["status_changed_at"]),
        ("remaining", f"{lic['remaining']} of {lic['quantity']} chips"),
        ("ledger entry", result.get("entry_id") or "(dry run)"),
    ]
    for cancelled in result.get("cancelled_transfers", []):
        rows.append(("cancelled", f"{cancelled['transfer_id']} ({cancelled['chips']} chips)"))
    print_table(["field", "value"], rows)


def _command(verb: str) -> Any:
    def command(
        license_id: LicenseId,
        reason: Reason,
        url: Url = DEFAULT_URL,
        token: Token = None,
        token_file: TokenFile = None,
        key: KeyFile = None,
        dry_run: DryRun = False,
        idempotency_key: IdempotencyKey = None,
        as_json: bool = JSON_OPTION,
    ) -> None:
        _change(
            verb,
            license_id,
            reason,
            url,
            token,
            token_file,
            key,
            dry_run,
            idempotency_key,
            as_json,
        )

    command.__doc__ = HELP[verb]
    command.__name__ = verb
    return command


def register(licenses_app: typer.Typer) -> None:
    """Add `suspend`, `revoke` and `reinstate` to the `licenses` command group."""
    for verb in ("suspend", "revoke", "reinstate"):
        licenses_app.command(verb)(_command(verb))
