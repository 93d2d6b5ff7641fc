"""TEST SET-UP ONLY: a small, hand-counted registry for the list, stats and page tests.

Parties are created through the real signed-action API (`world.create`); chips, manifests,
transfers, custody events and flags are inserted as ORM rows straight into the test's store
(the chip-registration and transfer use cases are built on other branches). Every custody
event still points at a real ledger entry appended with `log.append` and integrated, so the
pages show real indexes and inclusion proofs; their records name `subjects` and `countries`
as `registry.actions.perform` writes them, so openings are authorized as in production.

The fixture, by custodian (manufacturer in brackets):
  maker   (maker)   US  3 x H100 SXM in_stock
  cloud   (maker)   NL  2 x H20 installed, 1 x H100 SXM in_transit
  dev     (maker2)  CN  1 x A100 SXM in_stock
One transfer maker -> cloud (US -> NL, 1 H100, pending) and one open flag on dev (CN).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from computegov.identity.keys import key_id
from computegov.ledger import log
from computegov.ledger.integrator import integrate_all
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.custody.models import CustodyEvent, Transfer, TransferChip
from computegov.registry.flags.models import Flag
from computegov.registry.ids import new_id
from conftest import Actor, World


@dataclass
class Fixture:
    """The parties and chips of the hand-counted registry."""

    maker: Actor
    maker2: Actor
    cloud: Actor
    dev: Actor
    regulator_nl: Actor
    regulator_cn: Actor
    chips: dict[str, list[str]] = field(default_factory=dict)  # custodian name -> chip ids
    transfer_id: str = ""
    flag_id: str = ""


def add_manifest(session: Session, maker: Actor, now: datetime) -> Manifest:
    """A manifest row for `maker`'s chips (its root and signature are placeholders)."""
    row = Manifest(
        id=new_id("man"),
        manufacturer_id=maker.id,
        sha256=hashlib.sha256(maker.id.encode()).hexdigest(),
        root=bytes(32),
        size=0,
        key_id=key_id(maker.signer.public_key_bytes()),
        signature=bytes(64),
        created_at=now,
        entry_id=log.append(session, "test.manifest", {"maker": maker.id}, maker.id),
    )
    session.add(row)
    session.flush()
    return row


def add_chip(
    session: Session,
    manifest: Manifest,
    serial: int,
    custodian_id: str,
    model: str,
    country: str,
    status: str,
    at: datetime,
) -> Chip:
    """A chip row with its `registered` custody event, both on one real ledger entry."""
    record = {
        "serial": serial,
        "subjects": sorted({manifest.manufacturer_id, custodian_id}),
        "countries": [country],
    }
    entry = log.append(session, "test.chip", record, manifest.manufacturer_id)
    chip = Chip(
        id=new_id("chp"),
        vendor="NVIDIA",
        serial=f"SN{serial:04d}",
        model=model,
        manufactured_on=date(2025, 6, 1),
        fab="TSMC Fab 18",
        manufacturer_id=manifest.manufacturer_id,
        custodian_id=custodian_id,
        country=country,
        status=status,
        manifest_id=manifest.id,
        manifest_index=serial,
        registered_at=at,
        entry_id=entry,
    )
    session.add(chip)
    session.flush()
    session.add(
        CustodyEvent(
            chip_id=chip.id,
            kind="registered",
            at=at,
            party_id=manifest.manufacturer_id,
            details={"model": model},
            entry_id=entry,
        )
    )
    return chip


def build(world: World) -> Fixture:
    """Create the parties over the API, then insert the chips and their history as rows."""
    fx = Fixture(
        maker=world.create(world.admin, "manufacturer", "Maker Inc", "US"),
        maker2=world.create(world.admin, "manufacturer", "Second Fab Ltd", "TW"),
        cloud=world.create(world.admin, "cloud_provider", "Cloud BV", "NL"),
        dev=world.create(world.admin, "ai_developer", "Dev Co", "CN"),
        regulator_nl=world.create(
            world.admin, "regulator", "NL Regulator", "NL", jurisdiction=["NL"]
        ),
        regulator_cn=world.create(
            world.admin, "regulator", "CN Regulator", "CN", jurisdiction=["CN"]
        ),
    )
    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        made = {fx.maker.id: add_manifest(session, fx.maker, now)}
        made[fx.maker2.id] = add_manifest(session, fx.maker2, now)
        serial = 0

        def chips(
            name: str, custodian: Actor, maker: Actor, model: str, country: str, status: str, n: int
        ) -> None:
            nonlocal serial
            for _ in range(n):
                serial += 1
                chip = add_chip(
                    session,
                    made[maker.id],
                    serial,
                    custodian.id,
                    model,
                    country,
                    status,
                    now + timedelta(seconds=serial),
                )
                fx.chips.setdefault(name, []).append(chip.id)

        chips("maker", fx.maker, fx.maker, "H100 SXM", "US", "in_stock", 3)
        chips("cloud", fx.cloud, fx.maker, "H20", "NL", "installed", 2)
        chips("cloud", fx.cloud, fx.maker, "H100 SXM", "NL", "in_transit", 1)
        chips("dev", fx.dev, fx.maker2, "A100 SXM", "CN", "in_stock", 1)

        moved = fx.chips["cloud"][-1]
        declared = now + timedelta(minutes=5)
        record = {
            "chip": moved,
            "subjects": sorted({fx.maker.id, fx.cloud.id}),
            "countries": ["NL", "US"],
        }
        entry = log.append(session, "test.transfer", record, fx.maker.id)
        transfer = Transfer(
            id=new_id("trf"),
            sender_id=fx.maker.id,
            receiver_id=fx.cloud.id,
            origin_country="US",
            destination_country="NL",
            status="pending",
            chip_count=1,
            regime={},
            declared_at=declared,
            entry_id=entry,
        )
        session.add(transfer)
        session.flush()
        session.add(TransferChip(transfer_id=transfer.id, chip_id=moved))
        session.add(
            CustodyEvent(
                chip_id=moved,
                kind="transfer_declared",
                at=declared,
                party_id=fx.maker.id,
                details={"transfer": transfer.id},
                entry_id=entry,
            )
        )
        fx.transfer_id = transfer.id
        fx.flag_id = new_id("flg")
        session.add(
            Flag(
                id=fx.flag_id,
                kind="lost_or_stolen",
                subject_type="chip",
                subject_id=fx.chips["dev"][0],
                evidence={"reported_by": fx.dev.id, "note": "test set-up"},
                status="open",
                countries=["CN"],
                created_at=declared,
            )
        )
    integrate_all(world.store)
    return fx
