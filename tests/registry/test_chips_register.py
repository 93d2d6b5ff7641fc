"""Registering chips from a signed manifest: all or nothing, one ledger entry for the whole
manifest (its record commits to the manifest's root), every bad row reported, and an
attestation anyone can check offline."""

from __future__ import annotations

import base64

import pytest
from chips_helpers import TAIWAN, device_key, h100s, maker_of, manifest_csv, register, unsigned_body

from computegov.identity.keys import decode_public_key
from computegov.ledger import merkle
from computegov.registry.chips import manifests
from computegov.registry.chips import reads as chip_reads
from conftest import World


def test_registration_writes_each_chip_under_one_entry_and_a_verifiable_attestation(
    world: World,
) -> None:
    maker = maker_of(world, country="TW")
    before = world.log_size()
    data = h100s(5, assembly=TAIWAN)
    response = register(world, maker, data)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["chips"] == 5 and result["country"] == "TW"
    assert world.log_size() == before + 1  # one entry for the whole manifest
    listed = world.get(maker, "/v1/chips", params={"limit": 10}).json()
    assert listed["total"] == 5
    assert {c["status"] for c in listed["items"]} == {"in_stock"}
    assert {c["custodian_id"] for c in listed["items"]} == {maker.id}
    assert [c["serial"] for c in listed["items"]] == [f"SN-{i:04d}" for i in range(5)]
    assert {c["model"] for c in listed["items"]} == {"H100 SXM"}
    assert {c["entry_id"] for c in listed["items"]} == {result["entry_id"]}
    assert result["manifest"]["entry_id"] == result["entry_id"]
    assert {i["entry_id"] for i in result["items"]} == {result["entry_id"]}
    chip = listed["items"][3]
    served = world.get(maker, f"/v1/chips/{chip['id']}/attestation").json()
    assert served["attestation"]["leaf_index"] == 3
    assert served["attestation"]["root"] == result["manifest"]["root"]
    chip_reads.check_attestation(served)  # offline: signature and inclusion path
    assert decode_public_key(served["manufacturer_key"]) == maker.signer.public_key_bytes()
    tampered = {**served, "fields": {**served["fields"], "serial": "SN-9999"}}
    with pytest.raises(merkle.ProofError):
        chip_reads.check_attestation(tampered)
    other = {**served, "attestation": {**served["attestation"], "leaf_index": 2}}
    with pytest.raises(merkle.ProofError):
        chip_reads.check_attestation(other)
    forged = dict(served["attestation"])
    forged["signature"] = base64.b64encode(bytes(64)).decode()
    with pytest.raises(merkle.ProofError, match="signature"):
        chip_reads.check_attestation({**served, "attestation": forged})


def test_the_manifests_record_opens_against_its_leaf_and_commits_to_the_root(
    world: World,
) -> None:
    maker = maker_of(world, country="US")
    result = register(world, maker, h100s(2), country="US").json()
    item = result["items"][1]
    opening = world.get(maker, f"/v1/log/openings/{item['entry_id']}").json()
    record = opening["record"]
    assert opening["type"] == "chip.register"
    root = result["manifest"]["root"]
    assert record["manifest"] == {"id": result["manifest"]["id"], "root": root, "size": 2}
    assert record["envelope"]["envelope"]["body"]["root"] == root  # signed by the maker
    assert record["countries"] == ["US"] and record["subjects"] == [maker.id]


def test_a_chip_registered_twice_is_refused_naming_it(world: World) -> None:
    maker = maker_of(world, country="US")
    assert register(world, maker, h100s(3)).status_code == 201
    size = world.log_size()
    again = register(world, maker, h100s(2, prefix="SN") + b"")
    assert again.status_code == 409
    assert "NVIDIA SN-0000" in again.json()["detail"] and "NVIDIA SN-0001" in again.json()["detail"]
    assert world.log_size() == size
    assert world.get(maker, "/v1/chips").json()["total"] == 3


def test_a_serial_twice_in_one_file_is_a_bad_row(world: World) -> None:
    maker = maker_of(world, country="US")
    data = manifest_csv(
        [
            ("A", "H100", "2026-01-01", "TSMC Fab 18", None),
            ("A", "H100 SXM5", "2026-01-01", "TSMC Fab 18", None),
        ]
    )
    response = register(world, maker, data, body=unsigned_body(data, maker, world))
    assert response.status_code == 400
    assert "line 3: serial 'A' repeats line 2" in response.json()["detail"]


def test_a_bad_batch_reports_every_bad_row_and_writes_nothing(world: World) -> None:
    maker = maker_of(world, country="US")
    size = world.log_size()
    key = device_key()
    data = manifest_csv(
        [
            ("OK-1", "H100", "2026-01-01", "TSMC Fab 18", None),
            ("BAD-MODEL", "H9000", "2026-01-01", "TSMC Fab 18", None),
            ("BAD-DATE", "H100", "2026-13-01", "TSMC", None),
            ("NO-KEY", "H100", "2026-01-01", "TSMC Fab 18", ""),
            ("BAD-KEY", "H100", "2026-01-01", "TSMC Fab 18", "bm90IGEga2V5"),
            ("OK-2", "H100", "2026-01-01", "TSMC Fab 18", key),
            ("SAME-KEY", "H100", "2026-01-01", "TSMC Fab 18", key),
            ("FUTURE", "H100", "2027-01-01", "TSMC", None),
        ]
    )
    with pytest.raises(manifests.InvalidInput):  # the client refuses before uploading
        manifests.registration_body(data, maker.signer.sign, on=world.clock.now())
    response = register(world, maker, data, body=unsigned_body(data, maker, world))
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "6 bad rows" in detail
    assert "line 3: unknown model 'H9000'" in detail and "computegov chips list" in detail
    assert "line 4: manufactured_on '2026-13-01' is not a date" in detail
    assert "line 5: device_public_key is required: H100 SXM is classified 3A090" in detail
    assert "line 6: device_public_key is not an Ed25519 public key" in detail
    assert "line 8: device key repeats the one on line 7" in detail
    assert "line 9: manufactured_on 2027-01-01 is after today" in detail
    assert "line 2" not in detail and "line 7:" not in detail
    assert world.log_size() == size
    assert world.get(maker, "/v1/chips").json()["total"] == 0


def test_the_device_key_is_optional_only_for_models_outside_3a090(world: World) -> None:
    maker = maker_of(world, country="US")
    keyless = manifest_csv(
        [
            ("H20-1", "H20", "2026-01-01", "TSMC Fab 18", ""),
            ("L20-1", "L20", "2026-01-01", "TSMC Fab 18", ""),
        ]
    )
    response = register(world, maker, keyless)
    assert response.status_code == 201, response.text
    chips = world.get(maker, "/v1/chips").json()["items"]
    assert [c["device_public_key"] for c in chips] == [None, None]
    h100 = manifest_csv([("H100-1", "H100", "2026-01-01", "TSMC Fab 18", "")])
    refused = register(world, maker, h100, body=unsigned_body(h100, maker, world))
    assert refused.status_code == 400
    assert "device_public_key is required" in refused.json()["detail"]


def test_only_a_manufacturer_registers_chips(world: World) -> None:
    for role in ("distributor", "cloud_provider", "regulator"):
        extra = {"jurisdiction": ["US"]} if role == "regulator" else {}
        other = world.create(world.admin, role, f"A {role}", "US", **extra)
        response = register(world, other, h100s(1))
        assert response.status_code == 403, (role, response.text)
    assert register(world, world.admin, h100s(1)).status_code == 403


def test_the_envelope_must_sign_the_uploaded_manifest_and_its_root(world: World) -> None:
    maker = maker_of(world, country="US")
    data = h100s(3)
    body = manifests.registration_body(data, maker.signer.sign, on=world.clock.now())
    other = h100s(3, prefix="X")
    upload = {"signed": world.envelope(maker, "chip.register", body), "csv": other.decode()}
    response = world.post(maker, "/v1/manifests", upload)
    assert response.status_code == 400 and "SHA-256" in response.json()["detail"]
    forged = {**body, "root_signature": base64.b64encode(bytes(64)).decode()}
    response = register(world, maker, data, body=forged)
    assert response.status_code == 400 and "root_signature" in response.json()["detail"]
    assert world.get(maker, "/v1/chips").json()["total"] == 0
