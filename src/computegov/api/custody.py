"""Routes for sites, export licenses, transfers and rule impact (mutations are signed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from computegov.api.deps import add_signed_route, bearer_token, store_of
from computegov.api.lists import Limit, Offset, list_response, wants_csv
from computegov.identity.access import Resource
from computegov.instants import parse_instant
from computegov.registry.actions import authorize
from computegov.registry.custody import cluster, sites, transfers
from computegov.registry.custody import impact as impacts
from computegov.registry.custody.common import license_resource, page, transfer_resource
from computegov.registry.licensing import service as licenses
from computegov.registry.licensing.follow import followed_transfer
from computegov.registry.reads import reader_session

router = APIRouter(prefix="/v1", tags=["custody"])
Token = Annotated[str | None, Depends(bearer_token)]


add_signed_route(
    router,
    "/sites",
    "site.create",
    sites.create_site,
    201,
    "Declare a site you operate (`site.create`).",
)
add_signed_route(
    router,
    "/sites/install",
    "site.install",
    sites.install_chips,
    200,
    "Install chips you hold at one of your sites, or move them there from another of your "
    "sites in the same country (`site.install`).",
)
add_signed_route(
    router,
    "/licenses",
    "license.issue",
    licenses.issue_license,
    201,
    "Issue an export license (`license.issue`): a regulator, under one of its jurisdictions; "
    "it counts only for the instruments that jurisdiction administers.",
)
add_signed_route(
    router,
    "/transfers",
    "transfer.declare",
    transfers.declare_transfer,
    201,
    "Declare a transfer of chips you hold (`transfer.declare`), citing the export licenses "
    "that cover it (`license_id`, `licenses`). Refused (422) with a `reason` when a check "
    "fails; where a license is missing, `jurisdiction` names whose and `fired` each "
    "instrument that fired.",
)
add_signed_route(
    router,
    "/transfers/confirm",
    "transfer.confirm",
    transfers.confirm_transfer,
    200,
    "Confirm receipt of a pending transfer addressed to you (`transfer.confirm`).",
)
add_signed_route(
    router,
    "/transfers/cancel",
    "transfer.cancel",
    transfers.cancel_transfer,
    200,
    "Cancel a pending transfer you declared (`transfer.cancel`).",
)


@router.get("/sites")
def list_sites(
    request: Request,
    token: Token,
    country: Annotated[str | None, Query(max_length=2)] = None,
    operator: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Sites the caller may see (its own; a regulator's: in its jurisdiction), paginated."""
    with reader_session(store_of(request), token, "site.read", "sites") as (session, reader):
        rows = sites.visible_sites(session, reader, country=country)
        if operator:
            rows = [r for r in rows if r["operator_id"] == operator]
        return page(rows, limit, offset)


@router.get("/sites/{site_id}/cluster", response_model=None)
def site_cluster(
    request: Request,
    site_id: Annotated[str, Path(max_length=32, pattern=r"^[A-Za-z0-9_]+$")],
    token: Token,
    on: Annotated[
        str | None, Query(max_length=40, description="an earlier instant; default now")
    ] = None,
) -> dict[str, Any] | Response:
    """The cluster check of a site: the peak ops/s of the chips installed there (now, or at
    `on` from custody records) at each model's maximum dense rate and at dense BF16, against
    the historical EO 14110 cluster test and the 2024 BIS proposal (what-if), with the site's
    declared cluster figure beside it. Its operator and the regulators of its country; 404
    for a site the caller may not see. `?format=csv`: one line per chip model."""
    store = store_of(request)
    with reader_session(store, token, "site.read", site_id) as (session, reader):
        at = parse_instant(on) if on else None
        check = cluster.site_cluster(session, reader, site_id, store.clock.now(), at)
    if wants_csv(request):
        lines = check["models"]
        name = f"cluster-{site_id}"
        return list_response(
            request,
            total=len(lines),
            items=lines,
            limit=len(lines),
            offset=0,
            name=name,
            columns=cluster.LINE_COLUMNS,
        )
    return check


@router.get("/licenses")
def list_licenses(
    request: Request,
    token: Token,
    licensee: Annotated[str | None, Query(max_length=32)] = None,
    destination: Annotated[str | None, Query(max_length=2)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Export licenses the caller may see: as licensee, consignee or issuer, or (regulators)
    to a destination in its jurisdiction."""
    with reader_session(store_of(request), token, "license.read", "licenses") as (session, reader):
        rows = licenses.visible_licenses(
            session, reader, licensee=licensee, destination=destination
        )
        shown = page(rows, limit, offset)
        licenses.name_licenses(session, shown["items"])
        return shown


@router.get("/licenses/{license_id}")
def show_license(request: Request, license_id: str, token: Token) -> dict[str, Any]:
    """One export license, with what is left of it."""
    with reader_session(store_of(request), token, "license.read", license_id) as (session, reader):
        lic = licenses.get_license(session, license_id)
        authorize(session, reader, "license.read", license_resource(lic))
        return licenses.named_license(session, lic)


@router.get("/transfers")
def list_transfers(
    request: Request,
    token: Token,
    status: Annotated[str | None, Query(pattern="^(pending|completed|cancelled)$")] = None,
    role: Annotated[str | None, Query(pattern="^(incoming|outgoing)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Transfers the caller may see, newest first; `role=incoming` shows those addressed to it."""
    with reader_session(store_of(request), token, "transfer.read", "transfers") as (
        session,
        reader,
    ):
        rows = transfers.visible_transfers(session, reader, status=status, role=role)
        shown = page(rows, limit, offset)
        transfers.name_transfers(session, shown["items"])
        return shown


@router.get("/transfers/{transfer_id}")
def show_transfer(request: Request, transfer_id: str, token: Token) -> dict[str, Any]:
    """One transfer with its chips and the regime evaluated at its receipt."""
    with reader_session(store_of(request), token, "transfer.read", transfer_id) as (
        session,
        reader,
    ):
        transfer = transfers.get_transfer(session, transfer_id)
        resource = followed_transfer(session, transfer_resource(transfer))
        authorize(session, reader, "transfer.read", resource)
        return transfers.named_transfer(session, transfer, transfers.chips_of(session, transfer.id))


@router.get("/impact")
def rule_impact(
    request: Request,
    token: Token,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    on: Annotated[str | None, Query(max_length=40, description="an instant; default now")] = None,
) -> dict[str, Any]:
    """Which chips now held would need a license where they are, under `rule` or the regime
    at `on`, with each fired instrument's review policy for a transfer within the chips' own
    country and the conditions that would change it (regulators: chips in their
    jurisdiction; the administrator: all)."""
    store = store_of(request)
    with reader_session(store, token, "impact.read", "impact") as (session, reader):
        scope = frozenset(reader.jurisdiction or ())
        authorize(session, reader, "impact.read", Resource(id="impact", countries=scope))
        at = parse_instant(on) if on else store.clock.now()
        countries = None if reader.role == "administrator" else scope
        return impacts.impact(session, rule=rule, on=at, countries=countries)
