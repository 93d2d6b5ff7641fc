"""TEST SET-UP ONLY: registered chips for the custody tests, written straight into the store.

Chip registration from signed manifests is built on another branch (chips5); these tests
need chips that exist, so `add_chips` inserts real `Manifest` and `Chip` rows through the
ORM with a dummy root and signature. It is not a way to register chips.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa

from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.ids import new_id
from computegov.registry.parties.models import Party
from conftest import Actor, World


def itn(world: World) -> str:
    """A fresh AES Internal Transaction Number dated by the test clock (X, YYYYMMDD, 6 digits)."""
    return f"X{world.clock.now():%Y%m%d}{secrets.randbelow(10**6):06d}"


def add_chips(
    world: World,
    manufacturer: Actor,
    model: str,
    count: int,
    *,
    country: str = "US",
    custodian: Actor | None = None,
    vendor: str = "NVIDIA",
) -> list[str]:
    """TEST SET-UP: `count` chips of `model` held in stock by `custodian` (default the
    manufacturer) in `country`; returns their ids."""
    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        manifest = Manifest(
            id=new_id("man"),
            manufacturer_id=manufacturer.id,
            sha256="0" * 64,
            root=b"\0" * 32,  # dummy: test set-up, not a real manifest
            size=count,
            key_id="test-setup",
            signature=b"\0" * 64,
            created_at=now,
            entry_id="test-setup",
        )
        session.add(manifest)
        session.flush()
        ids = [new_id("chp") for _ in range(count)]
        session.add_all(
            Chip(
                id=chip_id,
                vendor=vendor,
                serial=f"SN-{secrets.token_hex(6)}",
                model=model,
                manufactured_on=date(2025, 6, 1),
                fab="TSMC Fab 18",
                device_key=None,
                device_key_id=None,
                manufacturer_id=manufacturer.id,
                custodian_id=(custodian or manufacturer).id,
                country=country,
                site_id=None,
                status="in_stock",
                manifest_id=manifest.id,
                manifest_index=index,
                registered_at=now,
                entry_id="test-setup",
            )
            for index, chip_id in enumerate(ids)
        )
    return ids


def chip_rows(world: World, ids: list[str]) -> dict[str, Any]:
    """The chips' current state, by id: custodian, country, site and status."""
    with world.store.transaction() as session:
        rows = session.scalars(sa.select(Chip).where(Chip.id.in_(ids))).all()
        return {
            c.id: {
                "custodian": c.custodian_id,
                "country": c.country,
                "site": c.site_id,
                "status": c.status,
                "vendor": c.vendor,
                "serial": c.serial,
            }
            for c in rows
        }


def set_status(world: World, ids: list[str], status: str) -> None:
    """TEST SET-UP: mark chips lost/stolen/decommissioned (chips5 builds the real report)."""
    with world.store.transaction(write=True) as session:
        session.execute(sa.update(Chip).where(Chip.id.in_(ids)).values(status=status))


def party_row(world: World, party_id: str) -> Party:
    with world.store.transaction() as session:
        party = session.get(Party, party_id)
        assert party is not None
        return party


class Cast:
    """The parties the custody tests use: a US maker and regulators, buyers here and there.

    `de_sub` is a German cloud whose ultimate parent (`cn_parent`) is headquartered in China.
    """

    def __init__(self, world: World) -> None:
        admin = world.admin
        self.world = world
        self.us_reg = world.create(admin, "regulator", "US BIS", "US", jurisdiction=["US"])
        self.cn_reg = world.create(admin, "regulator", "CN MOFCOM", "CN", jurisdiction=["CN"])
        self.maker = world.create(admin, "manufacturer", "NVIDIA Corporation", "US")
        self.us_cloud = world.create(admin, "cloud_provider", "US Cloud Inc", "US")
        self.cn_cloud = world.create(admin, "cloud_provider", "Shanghai Compute Co", "CN")
        self.cn_parent = world.create(admin, "ai_developer", "Beijing AI Holdings", "CN")
        self.de_sub = world.create(
            admin, "cloud_provider", "Frankfurt GPU GmbH", "DE", parent_id=self.cn_parent.id
        )
        self.de_dist = world.create(admin, "distributor", "Berlin Distribution AG", "DE")

    def act(self, actor: Actor, type: str, path: str, body: dict[str, Any], **kwargs: Any) -> Any:
        """POST a signed action of `actor`; the httpx response."""
        return self.world.post(actor, path, self.world.envelope(actor, type, body), **kwargs)

    def declare(
        self,
        actor: Actor,
        chips: list[Any],
        receiver: Actor,
        country: str,
        *,
        evidence: bool = True,
        **body: Any,
    ) -> Any:
        """Declare a transfer; one citing a license carries the shipment's evidence (a fresh
        ITN dated today and the destination control statement) unless `evidence` is False
        or the body gives its own."""
        payload = {
            "chips": chips,
            "receiver_id": receiver.id,
            "destination_country": country,
            **body,
        }
        if evidence and (body.get("license_id") or body.get("licenses")):
            payload.setdefault("export_filing_ref", itn(self.world))
            payload.setdefault("destination_control_statement", True)
        return self.act(actor, "transfer.declare", "/v1/transfers", payload)

    def license(
        self,
        regulator: Actor,
        licensee: Actor,
        consignee: Actor,
        destination: str,
        models: list[str],
        quantity: int,
        expires_at: str = "2027-01-01T00:00:00Z",
    ) -> Any:
        body = {
            "licensee_id": licensee.id,
            "consignee_id": consignee.id,
            "destination": destination,
            "models": models,
            "quantity": quantity,
            "expires_at": expires_at,
        }
        return self.act(regulator, "license.issue", "/v1/licenses", body)

    def site(self, operator: Actor, country: str, name: str = "DC 1", **body: Any) -> str:
        payload = {"name": name, "country": country, **body}
        response = self.act(operator, "site.create", "/v1/sites", payload)
        assert response.status_code == 201, response.text
        return str(response.json()["site"]["id"])


def add_site(world: World, operator_id: str, country: str) -> str:
    """TEST SET-UP: a site row for any party (the generated access test needs them)."""
    from computegov.registry.custody.models import Site

    with world.store.transaction(write=True) as session:
        site = Site(
            id=new_id("sit"),
            operator_id=operator_id,
            name=f"site of {operator_id}",
            country=country,
            latitude=None,
            longitude=None,
            networking={},
            created_at=world.clock.now(),
            entry_id="test-setup",
        )
        session.add(site)
        return site.id


def add_license(
    world: World, regulator_id: str, licensee_id: str, consignee_id: str, destination: str
) -> str:
    """TEST SET-UP: an export-license row (H100 SXM, 100 chips, one year), issued under the
    regulator's first jurisdiction."""
    from datetime import timedelta

    from computegov.registry.licensing.models import ExportLicense

    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        regulator = session.get(Party, regulator_id)
        assert regulator is not None and regulator.jurisdiction
        lic = ExportLicense(
            id=new_id("lic"),
            regulator_id=regulator_id,
            jurisdiction=regulator.jurisdiction[0],
            licensee_id=licensee_id,
            consignee_id=consignee_id,
            destination=destination,
            models=["H100 SXM"],
            quantity=100,
            used=0,
            issued_at=now,
            expires_at=now + timedelta(days=365),
            entry_id="test-setup",
        )
        session.add(lic)
        return lic.id


def add_transfer(world: World, maker: Actor, sender_id: str, receiver_id: str, country: str) -> str:
    """TEST SET-UP: a pending transfer of one chip (in transit) from sender to receiver."""
    from computegov.registry.custody.models import Transfer, TransferChip

    [chip] = add_chips(world, maker, "H100 SXM", 1, country=country)
    with world.store.transaction(write=True) as session:
        session.execute(
            sa.update(Chip)
            .where(Chip.id == chip)
            .values(custodian_id=sender_id, status="in_transit")
        )
        transfer = Transfer(
            id=new_id("trf"),
            sender_id=sender_id,
            receiver_id=receiver_id,
            origin_country=country,
            destination_country=country,
            destination_site_id=None,
            license_id=None,
            status="pending",
            chip_count=1,
            regime={},
            declared_at=world.clock.now(),
            closed_at=None,
            entry_id="test-setup",
            closing_entry_id=None,
        )
        session.add(transfer)
        session.flush()
        session.add(TransferChip(transfer_id=transfer.id, chip_id=chip))
        return transfer.id


def add_flag(world: World, subject_id: str, country: str) -> str:
    """TEST SET-UP: an open flag touching `country`."""
    from computegov.registry.flags.models import Flag

    with world.store.transaction(write=True) as session:
        flag = Flag(
            id=new_id("flg"),
            kind="unconfirmed_receipt",
            subject_type="party",
            subject_id=subject_id,
            evidence={},
            status="open",
            countries=[country],
            created_at=world.clock.now(),
        )
        session.add(flag)
        return flag.id
