"""Demo module `custody`: sites with coordinates, export licenses (one that lapses minutes
after the world is built), and transfers: confirmed, pending, into sites, moved between sites,
and refused for a missing license.

Which destinations need a license is the rules' answer at build time (`computegov export
check --chip H100 --to AE`): in December 2026, US rules fire for these models to CN, AE and
SA, wherever the chips are; not for the US, the EU, GB, JP, SG or MY. So NVIDIA's chips go
to the UAE under a license, H20s to China under one (still pending), and a shipment to a
Chinese developer without one is refused. Time is real: the lapsing license carries an
expiry LAPSING_LICENSE after the build, and the registry's own clock decides when it lapsed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from computegov.demo.context import DemoContext
from computegov.demo.module import DemoModule
from computegov.instants import to_wire
from computegov.registry.custody import sites, transfers
from computegov.registry.licensing import service as licenses

LAPSING_LICENSE = timedelta(minutes=15)
LICENSE_VALIDITY = timedelta(days=365)

#: (operator slug, site key, name, country, latitude, longitude): fictional sites at the
#: coordinates of the cities they are named after.
SITES = (
    ("meridian", "reno", "Meridian Reno warehouse", "US", 39.5296, -119.8138),
    ("lion-city", "jurong", "Lion City Jurong logistics hub", "SG", 1.3329, 103.7436),
    ("northwind", "ashburn", "Northwind Ashburn campus", "US", 39.0438, -77.4874),
    ("northwind", "quincy", "Northwind Quincy campus", "US", 47.2343, -119.8526),
    ("nordlicht", "frankfurt", "Nordlicht Frankfurt Rechenzentrum", "DE", 50.1109, 8.6821),
    ("cumulus", "saclay", "Cumulus Paris-Saclay", "FR", 48.7133, 2.1753),
    ("oasis", "abu-dhabi", "Oasis Abu Dhabi campus", "AE", 24.4539, 54.3773),
    ("yangtze", "wuhan", "Yangtze Wuhan cluster", "CN", 30.5928, 114.3055),
    ("aurora", "columbus", "Aurora Columbus training cluster", "US", 39.9612, -82.9988),
    ("helix", "cambridge", "Helix Cambridge cluster", "GB", 52.2053, 0.1218),
    ("sakura", "osaka", "Sakura Osaka cluster", "JP", 34.6937, 135.5023),
    ("elbe", "hamburg", "Elbe Hamburg cluster", "DE", 53.5511, 9.9937),
    ("huawei", "guiyang", "Huawei demo cluster, Guiyang", "CN", 26.6470, 106.6302),
)


class Custody:
    """The custody steps of the demo, each one signed action."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.sites: dict[str, str] = {}
        self.filings = 0  # export filings cited so far (one per licensed shipment)

    def site(self, key: str) -> str:
        return self.sites[key]

    def create_sites(self) -> None:
        networking = {"interconnect_gbit_s": 3200.0, "clusters": 2.0}
        for slug, key, name, country, lat, lon in SITES:
            body: dict[str, Any] = {
                "name": name,
                "country": country,
                "latitude": lat,
                "longitude": lon,
            }
            if slug == "northwind":
                body["networking"] = networking
            made = self.ctx.act(slug, "site.create", body, sites.create_site)
            self.sites[key] = made["site"]["id"]

    def license(
        self,
        licensee: str,
        consignee: str,
        country: str,
        model: str,
        quantity: int,
        valid: timedelta,
    ) -> dict[str, Any]:
        ctx = self.ctx
        body = {
            "licensee_id": ctx.parties[licensee].id,
            "consignee_id": ctx.parties[consignee].id,
            "destination": country,
            "models": [model],
            "quantity": quantity,
            "expires_at": to_wire(ctx.store.clock.now() + valid),
        }
        made = ctx.act("us-regulator", "license.issue", body, licenses.issue_license)
        license: dict[str, Any] = made["license"]
        return license

    def transfer_body(
        self,
        chips: list[str],
        receiver: str,
        country: str,
        site: str | None = None,
        license_id: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "chips": chips,
            "receiver_id": self.ctx.parties[receiver].id,
            "destination_country": country,
        }
        if site is not None:
            body["destination_site_id"] = self.site(site)
        if license_id is not None:
            # A shipment under a license carries its evidence: the demo's licensed shipments
            # leave Taiwan, so the filing is the origin's export declaration (no AES ITN), and
            # the commercial invoice carries the destination control statement (15 CFR 758.6).
            self.filings += 1
            body["license_id"] = license_id
            body["export_filing_ref"] = f"DEMO-EXPORT-{self.filings:04d}"
            body["destination_control_statement"] = True
        return body

    def declare(self, sender: str, body: dict[str, Any]) -> dict[str, Any]:
        made = self.ctx.act(sender, "transfer.declare", body, transfers.declare_transfer)
        transfer: dict[str, Any] = made["transfer"]
        return transfer

    def deliver(
        self, sender: str, receiver: str, model: str, count: int, country: str, **options: Any
    ) -> dict[str, Any]:
        """Declare a transfer of `count` chips and have the receiver confirm it."""
        chips = self.ctx.chip_ids(sender, model, count)
        transfer = self.declare(sender, self.transfer_body(chips, receiver, country, **options))
        body = {"transfer_id": transfer["id"]}
        self.ctx.act(receiver, "transfer.confirm", body, transfers.confirm_transfer)
        return transfer

    def refuse(self, sender: str, receiver: str, model: str, count: int, country: str) -> str:
        """A transfer that needs a license and cites none: refused, `license_required`."""
        chips = self.ctx.chip_ids(sender, model, count)
        body = self.transfer_body(chips, receiver, country)
        refusal = self.ctx.refused(
            sender, "transfer.declare", body, transfers.declare_transfer, "license_required"
        )
        return refusal.detail or str(refusal)

    def install(self, operator: str, site: str, chips: list[str]) -> None:
        body = {"site_id": self.site(site), "chips": chips}
        self.ctx.act(operator, "site.install", body, sites.install_chips)


def build(ctx: DemoContext) -> None:
    c = Custody(ctx)
    c.create_sites()
    examples = ctx.examples
    examples["sites"] = dict(c.sites)
    # NVIDIA ships from Taiwan, where its chips were finished.
    first = c.deliver("nvidia", "meridian", "H100 SXM", 800, "US")
    c.deliver("nvidia", "nordlicht", "H100 SXM", 300, "DE", site="frankfurt")
    # Elbe is in Germany but owned from China, so the US rules want a license (the
    # buyer's ultimate parent counts); licensed, the transfer goes, and is flagged.
    de = c.license("nvidia", "elbe", "DE", "H100 SXM", 64, LICENSE_VALIDITY)
    elbe = c.deliver("nvidia", "elbe", "H100 SXM", 64, "DE", site="hamburg", license_id=de["id"])
    uae = c.license("nvidia", "oasis", "AE", "H100 SXM", 256, LICENSE_VALIDITY)
    c.deliver("nvidia", "oasis", "H100 SXM", 256, "AE", site="abu-dhabi", license_id=uae["id"])
    cn = c.license("nvidia", "yangtze", "CN", "H20", 200, LICENSE_VALIDITY)
    h20 = ctx.chip_ids("nvidia", "H20", 200)
    pending = c.declare("nvidia", c.transfer_body(h20, "yangtze", "CN", "wuhan", cn["id"]))
    refused = c.refuse("nvidia", "pearl-river", "H100 SXM", 100, "CN")
    c.deliver("nvidia", "helix", "B200", 400, "GB", site="cambridge")
    c.deliver("nvidia", "sakura", "B200", 200, "JP")
    c.install("sakura", "osaka", ctx.chip_ids("sakura", "B200", 200))
    lapsing = c.license("nvidia", "oasis", "AE", "B200", 64, LAPSING_LICENSE)
    # The US distributor sells on; the first chip it sells is the demo's chip with a history.
    northwind = c.deliver("meridian", "northwind", "H100 SXM", 500, "US", site="ashburn")
    moved = ctx.chip_ids("northwind", "H100 SXM", 16, status="installed")
    c.install("northwind", "quincy", moved)
    c.declare(
        "meridian", c.transfer_body(ctx.chip_ids("meridian", "H100 SXM", 200), "aurora", "US")
    )
    c.refuse("meridian", "pearl-river", "H100 SXM", 40, "CN")
    c.refuse("meridian", "oasis", "H100 SXM", 20, "AE")
    # AMD ships from Malaysia; a Singapore distributor sells on to France.
    c.deliver("amd", "lion-city", "MI300X", 400, "SG")
    c.deliver("lion-city", "cumulus", "MI300X", 200, "FR", site="saclay")
    c.deliver("amd", "aurora", "MI300X", 300, "US", site="columbus")
    # Huawei runs some of its own chips in its own data centre.
    c.install("huawei", "guiyang", ctx.chip_ids("huawei", "Ascend 910B", 400))
    vendor, serial = ctx.chip_serial(moved[0])
    examples["rich_chip"] = {
        "id": moved[0],
        "vendor": vendor,
        "serial": serial,
        "story": "made in Taiwan; NVIDIA -> Meridian (US) -> Northwind, installed at "
        "Ashburn, moved to Quincy",
        "transfers": [first["id"], northwind["id"]],
    }
    examples["pending_transfer"] = pending["id"]
    examples["flagged_transfer"] = elbe["id"]
    examples["refused_transfer"] = {
        "sender": "nvidia",
        "receiver": "pearl-river",
        "reason": "license_required",
        "detail": refused,
    }
    examples["licenses"] = {"uae_h100": uae["id"], "china_h20": cn["id"], "elbe_h100": de["id"]}
    examples["lapsing_license"] = {"id": lapsing["id"], "expires_at": lapsing["expires_at"]}


MODULE = DemoModule(name="custody", build=build)
