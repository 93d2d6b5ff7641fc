"""Demo module `parties`: the administrator, three regulators, the three manufacturers under
their real names, and fictional distributors, cloud providers and AI developers in several
countries, each with its own key (`parties/<slug>.key`) and API token (`parties/<slug>.token`).

The administrator is made as every registry's is (`ensure_administrator`, at first start);
it creates every other party with `party.create`, signed with its key. Only the
manufacturers carry real names (their chips are catalog models); every other company name
is made up for the demo.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from computegov.demo.context import PARTIES_DIR, DemoContext, DemoParty
from computegov.demo.module import DemoModule
from computegov.identity.keys import encode_public_key
from computegov.registry.parties import service as parties
from computegov.registry.parties.bootstrap import ADMIN_NAME, ensure_administrator
from computegov.secrets import write_secret
from computegov.store.signer import Ed25519FileSigner

#: The EU's 27 member states: the EU regulator's jurisdiction.
_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU_MEMBERS = tuple(_EU.split())


@dataclass(frozen=True)
class Cast:
    slug: str
    role: str
    name: str
    country: str
    jurisdiction: tuple[str, ...] = ()
    parent: str | None = None


#: Everyone but the administrator, in the order they are created (a parent before its
#: subsidiaries). The manufacturers' names are the catalog's (catalog/data/vendors.csv).
CAST = (
    Cast("us-regulator", "regulator", "United States export regulator (demo)", "US", ("US",)),
    Cast("eu-regulator", "regulator", "European Union export regulators (demo)", "BE", EU_MEMBERS),
    Cast("cn-regulator", "regulator", "China export regulator (demo)", "CN", ("CN",)),
    Cast("nvidia", "manufacturer", "NVIDIA Corporation", "US"),
    Cast("amd", "manufacturer", "Advanced Micro Devices, Inc.", "US"),
    Cast("huawei", "manufacturer", "Huawei Technologies Co., Ltd.", "CN"),
    Cast("meridian", "distributor", "Meridian Accelerator Supply Inc.", "US"),
    Cast("lion-city", "distributor", "Lion City Compute Trading Pte. Ltd.", "SG"),
    Cast("northwind", "cloud_provider", "Northwind Cloud Services LLC", "US"),
    Cast("nordlicht", "cloud_provider", "Nordlicht Rechenzentren AG", "DE"),
    Cast("cumulus", "cloud_provider", "Cumulus Calcul SAS", "FR"),
    Cast("oasis", "cloud_provider", "Oasis Compute FZ-LLC", "AE"),
    Cast("yangtze", "cloud_provider", "Yangtze Cloud Computing Co., Ltd.", "CN"),
    Cast("aurora", "ai_developer", "Aurora Frontier Labs Inc.", "US"),
    Cast("helix", "ai_developer", "Helix Intelligence Ltd.", "GB"),
    Cast("sakura", "ai_developer", "Sakura Neural K.K.", "JP"),
    Cast("pearl-river", "ai_developer", "Pearl River Intelligence Co., Ltd.", "CN"),
    # A German cloud owned by the Chinese developer: transfers to it are flagged.
    Cast("elbe", "cloud_provider", "Elbe Compute GmbH", "DE", parent="pearl-river"),
    # A US test lab: it reviews shipments under the January 2026 rule before they leave.
    Cast("keystone", "test_lab", "Keystone Accelerator Test Laboratory LLC", "US"),
    # A trader the US regulator's demo screening list names: transfers to it are refused.
    Cast("kestrel", "distributor", "Kestrel Dynamics FZE", "AE"),
)


def _administrator(ctx: DemoContext) -> None:
    admin = ensure_administrator(ctx.store)
    folder = ctx.root / PARTIES_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    token = admin.token_path.read_text(encoding="utf-8").strip()
    party = DemoParty(
        slug="admin",
        id=admin.party_id,
        role="administrator",
        name=ADMIN_NAME,
        country=None,
        signer=Ed25519FileSigner.load(admin.key_path),
        token=token,
    )
    # The same credentials under the demo's naming, beside every other party's.
    shutil.copyfile(admin.key_path, ctx.root / party.key_file)
    (ctx.root / party.key_file).chmod(0o600)
    write_secret(ctx.root / party.token_file, token)
    ctx.parties["admin"] = party


def build(ctx: DemoContext) -> None:
    _administrator(ctx)
    for cast in CAST:
        signer = Ed25519FileSigner.generate(ctx.root / PARTIES_DIR / f"{cast.slug}.key")
        body: dict[str, object] = {
            "legal_name": cast.name,
            "role": cast.role,
            "country": cast.country,
            "jurisdiction": list(cast.jurisdiction),
            "public_keys": [encode_public_key(signer.public_key_bytes())],
        }
        if cast.parent is not None:
            body["parent_id"] = ctx.parties[cast.parent].id
        made = ctx.act("admin", "party.create", body, parties.create_party)
        party = DemoParty(
            slug=cast.slug,
            id=made["party"]["id"],
            role=cast.role,
            name=cast.name,
            country=cast.country,
            signer=signer,
            token=made["token"],
            jurisdiction=sorted(cast.jurisdiction),
        )
        write_secret(ctx.root / party.token_file, party.token)
        ctx.parties[cast.slug] = party


MODULE = DemoModule(name="parties", build=build)
