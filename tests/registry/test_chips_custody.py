"""Status reports, device-key binding and a chip's history with its ledger proofs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import sqlalchemy as sa
from chips_helpers import device_key, h100s, maker_of, register

from computegov.ledger import merkle
from computegov.registry.chips import reads as chip_reads
from computegov.registry.chips.models import Chip
from conftest import Actor, World


def _chips(world: World, maker: Actor, count: int = 2) -> list[dict[str, Any]]:
    response = register(world, maker, h100s(count))
    assert response.status_code == 201, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _act(world: World, actor: Actor, type: str, path: str, body: dict[str, Any]) -> Any:
    return world.post(actor, path, world.envelope(actor, type, body))


def test_the_custodian_reports_a_chip_lost_and_regulators_see_the_flag(world: World) -> None:
    maker = maker_of(world, country="US")
    chip = _chips(world, maker)[0]
    stranger = world.create(world.admin, "distributor", "Stranger", "US")
    body = {"chip": {"vendor": "NVIDIA", "serial": chip["serial"]}, "status": "lost"}
    refused = _act(world, stranger, "chip.report", "/v1/chips/reports", body)
    assert refused.status_code == 403
    response = _act(world, maker, "chip.report", "/v1/chips/reports", {**body, "note": "dock 4"})
    assert response.status_code == 200, response.text
    assert response.json()["chip"]["status"] == "lost"
    assert len(response.json()["flags"]) == 1
    us = world.create(world.admin, "regulator", "BIS", "US", jurisdiction=["US"])
    fr = world.create(world.admin, "regulator", "SGDSN", "FR", jurisdiction=["FR"])
    flags = world.get(us, "/v1/flags").json()["items"]
    lost = [f for f in flags if f["kind"] == "lost_or_stolen"]
    assert len(lost) == 1 and lost[0]["subject_id"] == chip["id"]
    assert lost[0]["evidence"]["serial"] == chip["serial"]
    assert lost[0]["evidence"]["reported_by"] == maker.id
    assert lost[0]["evidence"]["note"] == "dock 4"
    assert not [
        f for f in world.get(fr, "/v1/flags").json()["items"] if f["kind"] == "lost_or_stolen"
    ]
    stolen = _act(world, maker, "chip.report", "/v1/chips/reports", {**body, "status": "stolen"})
    assert stolen.status_code == 200
    gone = {**body, "status": "decommissioned"}
    assert _act(world, maker, "chip.report", "/v1/chips/reports", gone).status_code == 200
    again = _act(world, maker, "chip.report", "/v1/chips/reports", {**body, "status": "lost"})
    assert again.status_code == 409
    assert "decommissioned" in again.json()["detail"]


def test_a_chip_in_transit_cannot_be_reported(world: World) -> None:
    maker = maker_of(world, country="US")
    chip = _chips(world, maker, 1)[0]
    # Transfers belong to another part of the registry; here the chip is put in transit directly.
    with world.store.transaction(write=True) as session:
        session.execute(sa.update(Chip).where(Chip.id == chip["id"]).values(status="in_transit"))
    body = {"chip": chip["id"], "status": "stolen"}
    response = _act(world, maker, "chip.report", "/v1/chips/reports", body)
    assert response.status_code == 409
    assert "in transit" in response.json()["detail"]


def test_binding_a_new_device_key_needs_a_regulator_of_the_chips_country(world: World) -> None:
    maker = maker_of(world, country="US")
    chip = _chips(world, maker)[1]
    new_key = device_key()
    request = {"chip": chip["id"], "device_public_key": new_key}
    response = _act(world, maker, "chip.key.request", "/v1/chips/keys", request)
    assert response.status_code == 201, response.text
    binding = response.json()["binding"]
    assert binding["status"] == "pending"
    fr = world.create(world.admin, "regulator", "SGDSN", "FR", jurisdiction=["FR"])
    decision = {"binding_id": binding["id"]}
    path = "/v1/chips/keys/decisions"
    assert _act(world, fr, "chip.key.approve", path, decision).status_code == 403
    assert _act(world, maker, "chip.key.approve", path, decision).status_code == 403
    us = world.create(world.admin, "regulator", "BIS", "US", jurisdiction=["US"])
    approved = _act(world, us, "chip.key.approve", path, decision)
    assert approved.status_code == 200, approved.text
    assert approved.json()["chip"]["device_public_key"] == new_key
    assert _act(world, us, "chip.key.approve", path, decision).status_code == 409
    shown = world.get(maker, f"/v1/chips/{chip['id']}").json()
    assert shown["device_public_key"] == new_key
    # The attestation still proves the chip as registered, with its original key.
    served = world.get(maker, f"/v1/chips/{chip['id']}/attestation").json()
    chip_reads.check_attestation(served)
    assert served["fields"]["device_public_key"] != new_key
    taken = _act(world, maker, "chip.key.request", "/v1/chips/keys", request)
    assert taken.status_code == 409


def test_history_steps_carry_ledger_indexes_and_proofs_that_verify(world: World) -> None:
    maker = maker_of(world, country="US")
    chip = _chips(world, maker)[0]
    report = {"chip": chip["id"], "status": "lost"}
    assert _act(world, maker, "chip.report", "/v1/chips/reports", report).status_code == 200
    before = world.get(maker, f"/v1/chips/{chip['id']}/history").json()
    world.log_size()  # integrates
    served = world.get(maker, f"/v1/chips/{chip['id']}/history").json()
    assert [s["kind"] for s in served["steps"]] == ["registered", "status_reported"]
    assert [s["entry_id"] for s in served["steps"]] == [s["entry_id"] for s in before["steps"]]
    indexes = [s["index"] for s in served["steps"]]
    assert all(isinstance(i, int) for i in indexes) and indexes[0] < indexes[1]
    registered = served["steps"][0]
    assert registered["opening"]["record"]["manifest"]["id"] == served["chip"]["manifest_id"]
    assert registered["manifest_proof"]["fields"]["serial"] == chip["serial"]
    assert served["steps"][0]["details"] == {"manifest_id": served["chip"]["manifest_id"]}
    assert served["chip"]["registered_at"] == world.clock.now().isoformat().replace("+00:00", "Z")

    def leaf_at(index: int) -> bytes:
        return base64.b64decode(world.get(None, f"/v1/log/entries/{index}").json()["leaf"])

    assert chip_reads.verify_history(served, world.store.verifier_key, leaf_at) == [True, True]
    bad = dict(served)
    bad["steps"] = [dict(s) for s in served["steps"]]
    bad["steps"][0]["proof"] = {**bad["steps"][0]["proof"], "index": indexes[1]}
    bad["steps"][0]["index"] = indexes[1]
    with pytest.raises(merkle.ProofError):
        chip_reads.verify_history(bad, world.store.verifier_key)


def test_reading_a_chip_follows_the_matrix(world: World) -> None:
    maker = maker_of(world, country="US")
    chip = _chips(world, maker, 1)[0]
    us = world.create(world.admin, "regulator", "BIS", "US", jurisdiction=["US"])
    fr = world.create(world.admin, "regulator", "SGDSN", "FR", jurisdiction=["FR"])
    other = world.create(world.admin, "manufacturer", "Other", "US")
    assert world.get(us, f"/v1/chips/{chip['id']}/history").status_code == 200
    assert world.get(fr, f"/v1/chips/{chip['id']}").status_code == 403
    assert world.get(other, f"/v1/chips/{chip['id']}").status_code == 403
    assert world.get(other, "/v1/chips").json()["total"] == 0
    assert world.get(us, "/v1/chips", params={"country": "US"}).json()["total"] == 1
    assert world.get(fr, "/v1/chips").json()["total"] == 0
