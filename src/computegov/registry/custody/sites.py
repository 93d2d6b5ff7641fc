"""Sites (data centres): create one, install chips there, move chips between one's own sites.

A site's declared networking is kept for the cluster checks of a later issue: how fast its
chips can talk to each other (`interconnect_gbit_s`, per chip) and how many operations per
second the site says one cluster can run (`cluster_ops_per_s`). Installing chips and moving
them between two sites of one custodian in one country are custody events; a move to
another country is a transfer (`transfer.declare`) and is refused here.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from computegov.countries import parse_country
from computegov.errors import NotFound, Refused
from computegov.identity.access import Resource
from computegov.instants import to_wire
from computegov.registry.actions import ActionContext, ActionResult
from computegov.registry.bodies import Body, parse_body
from computegov.registry.chips.models import Chip
from computegov.registry.custody.common import (
    ChipList,
    add_events,
    check_movable,
    chip_list_field,
    reader_filter,
    resolve_chips,
    site_resource,
)
from computegov.registry.custody.models import Site
from computegov.registry.ids import new_id
from computegov.registry.licensing.follow import check_diversion
from computegov.registry.parties.models import Party

#: Declared networking: the keys a site may declare, each a finite number >= 0.
NETWORKING_KEYS = {
    "interconnect_gbit_s": "per-chip interconnect bandwidth within a cluster, Gbit/s",
    "cluster_ops_per_s": "the largest cluster's peak operations per second, as declared",
    "clusters": "how many separately networked clusters the site runs",
    "uplink_gbit_s": "the site's bandwidth to the outside, Gbit/s",
}


class SiteCreate(Body):
    name: str = Field(min_length=1, max_length=300)
    country: str
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    networking: dict[str, float] = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return parse_country(value)

    @field_validator("networking")
    @classmethod
    def _networking(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if key not in NETWORKING_KEYS:
                raise ValueError(
                    f"unknown networking key {key!r}; use {', '.join(sorted(NETWORKING_KEYS))}"
                )
            if not math.isfinite(number) or number < 0:
                raise ValueError(f"networking {key} must be a finite number >= 0, got {number}")
        return value


class SiteInstall(Body):
    site_id: str
    chips: ChipList = chip_list_field()


def site_dict(site: Site, chips: int | None = None) -> dict[str, Any]:
    """The API view of a site (flat, for lists and CSV)."""
    data: dict[str, Any] = {
        "id": site.id,
        "operator_id": site.operator_id,
        "name": site.name,
        "country": site.country,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "networking": dict(site.networking or {}),
        "created_at": to_wire(site.created_at),
        "entry_id": site.entry_id,
    }
    if chips is not None:
        data["chips"] = chips
    return data


def get_site(session: Session, site_id: str) -> Site:
    """The site with this id, or NotFound."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"no site with id {site_id!r}")
    return site


def create_site(ctx: ActionContext) -> ActionResult:
    """Declare a site operated by the acting party."""
    body = parse_body(SiteCreate, ctx.body)
    ctx.authorize(
        "site.create",
        Resource(owners=frozenset({ctx.party.id}), countries=frozenset({body.country})),
    )
    site = Site(
        id=new_id("sit"),
        operator_id=ctx.party.id,
        name=body.name,
        country=body.country,
        latitude=body.latitude,
        longitude=body.longitude,
        networking=dict(body.networking),
        created_at=ctx.now,
        entry_id=ctx.entry_id,
    )
    ctx.session.add(site)
    return ActionResult({"site": site_dict(site)}, 201, [site.id], [site.country], [site])


def install_chips(ctx: ActionContext) -> ActionResult:
    """Install chips the acting party holds at one of its sites (or move them there from
    another of its sites in the same country)."""
    body = parse_body(SiteInstall, ctx.body)
    site = get_site(ctx.session, body.site_id)
    ctx.authorize("site.install", site_resource(site))
    if site.operator_id != ctx.party.id:
        raise Refused(f"site {site.id} is operated by {site.operator_id}", reason="not_operator")
    chips = resolve_chips(ctx.session, body.chips)
    for chip in chips:
        check_movable(chip, ctx.party.id)
        if chip.country != site.country:
            raise Refused(
                f"chip {chip.id} is in {chip.country} and site {site.id} in {site.country}: a "
                "move to another country is a transfer (declare it with transfer.declare)",
                reason="other_country",
            )
        if chip.site_id == site.id:
            raise Refused(
                f"chip {chip.id} is already installed at {site.id}", reason="already_there"
            )
    installed = [c for c in chips if c.status == "in_stock"]
    moved = [c for c in chips if c.status == "installed"]
    events = add_events(
        ctx.session, installed, "installed", ctx.party.id, ctx.now, {"site_id": site.id}
    )
    events += add_events(
        ctx.session,
        moved,
        "moved",
        ctx.party.id,
        ctx.now,
        {"site_id": site.id},
        {c.id: {"from_site_id": c.site_id} for c in moved},
    )
    for chip in chips:
        chip.status = "installed"
        chip.site_id = site.id
    flags = check_diversion(
        ctx.session,
        chips,
        ctx.party.id,
        site.country,
        "site.install",
        ctx.now,
        subject=("site", site.id),
        details={"site_id": site.id},
    )
    return ActionResult(
        {
            "site_id": site.id,
            "installed": [c.id for c in installed],
            "moved": [c.id for c in moved],
            "flags": flags,
        },
        200,
        [site.id, *(c.id for c in chips)],
        [site.country],
        events,
    )


def visible_sites(
    session: Session, reader: Party, *, country: str | None = None
) -> list[dict[str, Any]]:
    """The sites a reader may see (by the access matrix), with their installed chip counts."""
    allowed = reader_filter(session, reader, "site.read")
    query = sa.select(Site).order_by(Site.created_at, Site.id)
    if country:
        query = query.where(Site.country == parse_country(country))
    counts = dict(
        session.execute(
            sa.select(Chip.site_id, sa.func.count())
            .where(Chip.site_id.is_not(None), Chip.status == "installed")
            .group_by(Chip.site_id)
        ).all()
    )
    return [
        site_dict(site, int(counts.get(site.id, 0)))
        for site in session.scalars(query)
        if allowed(site_resource(site))
    ]
