"""A manufacturer registers only its own vendors' chips, where they really are (issue 9, High 1).

Seen: a manufacturer in CN registered "NVIDIA H100-00005..7" and the real NVIDIA's manifest for
those serials was then refused as already registered; NVIDIA registered H100s with
`--country CN`, so 3A090 chips appeared in China with no export check. Each test runs on both
engines against the real server.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from chips_helpers import (
    TAIWAN,
    bind_vendor,
    h100s,
    maker_of,
    manifest_csv,
    register,
    unsigned_body,
)
from typer.testing import CliRunner

from computegov.cli import app
from computegov.errors import InvalidInput
from computegov.identity.keys import encode_public_key, key_id
from computegov.instants import utcnow
from computegov.ledger import merkle
from computegov.registry.chips import manifests
from computegov.registry.chips import reads as chip_reads
from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.ids import new_id
from conftest import Actor, World, new_signer


def _serials(world: World, actor: object) -> list[str]:
    items = world.get(actor, "/v1/chips", params={"limit": 100}).json()["items"]
    return [f"{c['vendor']} {c['serial']}" for c in items]


def test_a_maker_in_china_cannot_register_nvidia_serials_and_nvidia_then_can(
    world: World,
) -> None:
    cn_regulator = world.create(world.admin, "regulator", "MOFCOM", "CN", jurisdiction=["CN"])
    squatter = world.create(cn_regulator, "manufacturer", "Shenzhen Maker", "CN")
    assert bind_vendor(world, "Huawei", squatter, by=cn_regulator).status_code == 201
    nvidia = maker_of(world, "NVIDIA", "NVIDIA Corporation", "US")
    size = world.log_size()

    data = manifest_csv(
        [(f"H100-{i:05d}", "H100", "2026-01-15", "TSMC Fab 18", None) for i in (5, 6, 7)]
        + [("ASC-1", "Ascend 910B", "2026-01-15", "SMIC Shanghai", None)],
        assembly="Tongfu Nantong",
    )
    refused = register(world, squatter, data)
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert detail.startswith("the manifest has 3 bad rows, nothing was registered")
    for line in (2, 3, 4):
        assert f"line {line}: NVIDIA chips are registered only by the manufacturer bound to" in (
            detail
        )
    assert "line 5" not in detail  # its own Huawei row was fine
    assert world.log_size() == size  # nothing was written, not even the envelope

    real = manifest_csv(
        [(f"H100-{i:05d}", "H100", "2026-01-15", "TSMC Fab 18", None) for i in (5, 6, 7)],
        assembly=TAIWAN,
    )
    accepted = register(world, nvidia, real)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["country"] == "TW" and accepted.json()["countries"] == ["TW"]
    assert _serials(world, nvidia) == [
        "NVIDIA H100-00005",
        "NVIDIA H100-00006",
        "NVIDIA H100-00007",
    ]
    huawei = manifest_csv(
        [("ASC-1", "Ascend 910B", "2026-01-15", "SMIC Shanghai", None)], assembly="Tongfu Nantong"
    )
    own = register(world, squatter, huawei)
    assert own.status_code == 201, own.text
    assert own.json()["country"] == "CN"


def test_a_vendor_bound_to_no_one_registers_nothing(world: World) -> None:
    maker = world.create(world.admin, "manufacturer", "Unbound", "US")
    response = register(world, maker, h100s(1))
    assert response.status_code == 400
    assert "line 2: NVIDIA is bound to no manufacturer yet" in response.json()["detail"]
    assert "a regulator of US binds it" in response.json()["detail"]


def test_nvidia_cannot_start_chips_in_china_by_saying_so(world: World) -> None:
    nvidia = maker_of(world, "NVIDIA", "NVIDIA Corporation", "US")
    data = h100s(2, assembly=TAIWAN)
    with pytest.raises(InvalidInput, match="is in TW, not CN"):  # the CLI refuses before upload
        manifests.registration_body(data, nvidia.signer.sign, on=world.clock.now(), country="CN")
    body = {**unsigned_body(data, nvidia, world), "country": "CN"}
    china = register(world, nvidia, data, body=body)
    assert china.status_code == 400
    detail = china.json()["detail"]
    assert "line 2: assembly_site TSMC Advanced Backend Fab 6 is in TW, not CN" in detail
    assert "line 3: assembly_site" in detail and "moving it is a transfer" in detail

    data = h100s(1, assembly="NVIDIA Shanghai Packaging")
    made_up = register(world, nvidia, data, body=unsigned_body(data, nvidia, world))
    assert made_up.status_code == 400
    detail = made_up.json()["detail"]
    assert "line 2: unknown assembly site 'NVIDIA Shanghai Packaging'" in detail
    assert "TSMC Advanced Backend Fab 6 (TW)" in detail and "Amkor Arizona (US)" in detail
    unknown_fab = manifest_csv([("X-1", "H100", "2026-01-15", "Shanghai Fab 1", None)])
    refused = register(world, nvidia, unknown_fab, body=unsigned_body(unknown_fab, nvidia, world))
    assert refused.status_code == 400
    assert "line 2: unknown fab 'Shanghai Fab 1'" in refused.json()["detail"]
    assert "Known fabs (`computegov chips fabs`): TSMC Fab 12 (TW)" in refused.json()["detail"]
    assert world.get(nvidia, "/v1/chips").json()["total"] == 0

    # The country, where given, is a check that must agree with the assembly site.
    taiwan = register(world, nvidia, h100s(2, assembly=TAIWAN), country="TW")
    assert taiwan.status_code == 201, taiwan.text
    assert {c["country"] for c in world.get(nvidia, "/v1/chips").json()["items"]} == {"TW"}
    chip = world.get(nvidia, "/v1/chips").json()["items"][0]
    assert chip["assembly_site"] == "TSMC Advanced Backend Fab 6"
    assert chip["fab"] == "TSMC Fab 18"


def test_only_the_administrator_or_a_regulator_of_the_vendors_hq_binds_it(world: World) -> None:
    cn = world.create(world.admin, "regulator", "MOFCOM", "CN", jurisdiction=["CN"])
    nl = world.create(world.admin, "regulator", "Dutch customs", "NL", jurisdiction=["NL"])
    us = world.create(world.admin, "regulator", "BIS", "US", jurisdiction=["US"])
    cn_maker = world.create(cn, "manufacturer", "Shenzhen Maker", "CN")
    us_maker = world.create(us, "manufacturer", "NVIDIA Corporation", "US")
    size = world.log_size()

    for regulator in (cn, nl):
        refused = bind_vendor(world, "NVIDIA", cn_maker, by=regulator)
        assert refused.status_code == 403, refused.text
        assert "NVIDIA is headquartered in US" in refused.json()["detail"]
    assert bind_vendor(world, "Huawei", us_maker, by=us).status_code == 403
    assert world.log_size() == size
    # A regulator binds only to a manufacturer it may see: an unseen one reads as no such one.
    unseen = bind_vendor(world, "NVIDIA", cn_maker, by=us)
    missing = world.post(
        us,
        "/v1/vendors/bindings",
        world.envelope(us, "vendor.bind", {"vendor": "NVIDIA", "manufacturer_id": "pty_nobody"}),
    )
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json()["detail"].replace(cn_maker.id, "X") == missing.json()["detail"].replace(
        "pty_nobody", "X"
    )

    bound = bind_vendor(world, "NVIDIA", us_maker, by=us)
    assert bound.status_code == 201, bound.text
    assert bound.json()["binding"]["manufacturer_id"] == us_maker.id
    assert bound.json()["binding"]["hq_country"] == "US"
    assert bind_vendor(world, "Huawei", cn_maker, by=cn).status_code == 201
    unknown = bind_vendor(world, "Nvidiaa", us_maker, by=us)
    assert unknown.status_code == 404 and "NVIDIA, AMD, Huawei" in unknown.json()["detail"]

    # Rebinding needs `replace`, and stays with the HQ's regulators.
    other = maker_of(world, "AMD", "Other US maker", "US")
    again = bind_vendor(world, "NVIDIA", other, by=us)
    assert again.status_code == 409 and "replace" in again.json()["detail"]
    assert bind_vendor(world, "NVIDIA", other, by=cn, replace=True).status_code == 403
    moved = bind_vendor(world, "NVIDIA", other, by=us, replace=True)
    assert moved.status_code == 200 and moved.json()["replaced"] == us_maker.id
    refused = register(world, us_maker, h100s(1))
    assert refused.status_code == 400 and "NVIDIA chips are registered only" in refused.text

    vendors = {v["vendor"]: v for v in world.get(other, "/v1/vendors").json()["items"]}
    assert vendors["NVIDIA"]["yours"] and vendors["AMD"]["yours"]
    assert vendors["Huawei"]["bound"] and vendors["Huawei"]["manufacturer_id"] is None
    assert vendors["Intel"] == {**vendors["Intel"], "bound": False, "hq_country": "US"}
    assert "sec.gov" in vendors["NVIDIA"]["source"]


def test_subsidiaries_of_the_bound_maker_register_its_chips(world: World) -> None:
    nvidia = maker_of(world, "NVIDIA", "NVIDIA Corporation", "US")
    subsidiary = maker_of(world, name="NVIDIA Taiwan", country="TW", parent=nvidia)
    grandchild = maker_of(world, name="NVIDIA Taiwan Test", country="TW", parent=subsidiary)
    stranger = world.create(world.admin, "manufacturer", "Not NVIDIA", "TW")
    first = register(world, subsidiary, h100s(2, prefix="SUB", assembly=TAIWAN))
    assert first.status_code == 201, first.text
    second = register(world, grandchild, h100s(1, prefix="GRAND", assembly=TAIWAN))
    assert second.status_code == 201, second.text
    refused = register(world, stranger, h100s(1, prefix="STR", assembly=TAIWAN))
    assert refused.status_code == 400
    assert "line 2: NVIDIA chips are registered only" in refused.json()["detail"]


def test_a_foreign_regulator_cannot_make_a_subsidiary_that_registers_nvidia_chips(
    world: World,
) -> None:
    nvidia = maker_of(world, "NVIDIA", "NVIDIA Corporation", "US")
    cn = world.create(world.admin, "regulator", "MOFCOM", "CN", jurisdiction=["CN"])
    signer = new_signer()
    body = {
        "legal_name": "NVIDIA Shenzhen (not really)",
        "role": "manufacturer",
        "country": "CN",
        "parent_id": nvidia.id,
        "public_keys": [encode_public_key(signer.public_key_bytes())],
    }
    created = world.post(cn, "/v1/parties", world.envelope(cn, "party.create", body))
    if created.status_code != 201:  # refused at creation (issue 9 item 11): nothing to register
        assert created.status_code in (403, 404), created.text
        return
    fake = Actor(created.json()["party"]["id"], "manufacturer", created.json()["token"], signer)
    data = h100s(1, assembly="Tongfu Nantong")
    refused = register(world, fake, data, body=unsigned_body(data, fake, world))
    assert refused.status_code == 400
    assert "was made a subsidiary by a party that may not bind NVIDIA" in refused.text
    assert world.get(nvidia, "/v1/chips").json()["total"] == 0


def test_chips_registered_before_assembly_sites_keep_verifying(world: World) -> None:
    # A manifest as registered before this change: leaves without `assembly_site`, a free-text
    # fab. Its rows are written as the old code wrote them; its attestations must still verify.
    maker = maker_of(world, "NVIDIA", "NVIDIA Corporation", "US")
    old_rows = [
        {
            "vendor": "NVIDIA",
            "serial": f"OLD-{i}",
            "model": "H100 SXM",
            "manufactured_on": "2025-06-01",
            "fab": "TSMC",
            "device_public_key": None,
        }
        for i in range(3)
    ]
    leaves = [merkle.hash_leaf(manifests.leaf_bytes(row)) for row in old_rows]
    root = merkle.root(leaves)
    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        manifest = Manifest(
            id=new_id("man"),
            manufacturer_id=maker.id,
            sha256="0" * 64,
            root=root,
            size=3,
            key_id=key_id(maker.signer.public_key_bytes()),
            signature=maker.signer.sign(manifests.root_message(root)),
            created_at=now,
            entry_id="old",
        )
        session.add(manifest)
        session.flush()
        for i, row in enumerate(old_rows):
            session.add(
                Chip(
                    id=f"chp_old{i}",
                    vendor="NVIDIA",
                    serial=row["serial"],
                    model="H100 SXM",
                    manufactured_on=date(2025, 6, 1),
                    fab="TSMC",
                    assembly_site=None,
                    device_key=None,
                    device_key_id=None,
                    manufacturer_id=maker.id,
                    custodian_id=maker.id,
                    country="US",
                    site_id=None,
                    status="in_stock",
                    manifest_id=manifest.id,
                    manifest_index=i,
                    registered_at=now,
                    entry_id="old",
                )
            )
    served = world.get(maker, "/v1/chips/chp_old1/attestation").json()
    assert "assembly_site" not in served["fields"]
    chip_reads.check_attestation(served)
    assert world.get(maker, "/v1/chips/chp_old1").json()["assembly_site"] is None


def test_the_vendor_commands(world: World) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the real clock
    maker = world.create(world.admin, "manufacturer", "NVIDIA Corporation", "US")
    runner = CliRunner()
    admin_key = world.store.settings.data_dir / "admin.key"  # written by ensure_administrator
    admin = ["--url", world.server.url, "--token", world.admin.token, "--key", str(admin_key)]
    bound = runner.invoke(
        app, ["chips", "bind-vendor", "NVIDIA", maker.id, "--json", *admin], catch_exceptions=False
    )
    assert bound.exit_code == 0, bound.output
    assert json.loads(bound.stdout)["binding"]["manufacturer_id"] == maker.id
    mine = ["--url", world.server.url, "--token", maker.token]
    listed = runner.invoke(app, ["chips", "vendors", *mine], catch_exceptions=False)
    assert listed.exit_code == 0 and "yours" in listed.stdout
    fabs = runner.invoke(app, ["chips", "fabs", "--kind", "assembly", "--json"])
    sites = json.loads(fabs.stdout)
    assert {s["kind"] for s in sites} == {"assembly"} and all(s["source"] for s in sites)
