"""Suspending, reinstating and revoking a license over the real server on SQLite and
PostgreSQL: a revoked license refuses a pending draw-down (the transfer is cancelled, chips
and quantity and value back), a suspended one comes back when reinstated, and only a
regulator of the license's jurisdiction may act on it."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from custody_setup import Cast, add_chips, chip_rows, itn
from test_license_terms import issue, issued
from typer.testing import CliRunner

from computegov.cli import app
from computegov.instants import utcnow
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.licensing.models import ExportLicense
from conftest import Actor, World


def _refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["reason"] == reason, problem
    return problem


def change(cast: Cast, actor: Actor, verb: str, license_id: str, reason: str = "why") -> Any:
    body = {"license_id": license_id, "reason": reason}
    return cast.act(actor, f"license.{verb}", f"/v1/licenses/{license_id}/{verb}", body)


def _used(world: World, license_id: str) -> tuple[int, int, str]:
    with world.store.transaction() as session:
        lic = session.get(ExportLicense, license_id)
        assert lic is not None
        return lic.used, lic.used_value_usd, lic.status


def test_a_revoked_license_refuses_a_pending_draw_down(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 6)
    site = cast.site(cast.maker, "US")
    installed = cast.act(
        cast.maker, "site.install", "/v1/sites/install", {"site_id": site, "chips": chips[:1]}
    )
    assert installed.status_code == 200, installed.text
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 10, value_usd=10_000))
    pending = cast.declare(
        cast.maker, chips[:4], cast.cn_cloud, "CN", license_id=lic["id"], value_usd=4000
    )
    assert pending.status_code == 201, pending.text
    transfer_id = pending.json()["transfer"]["id"]
    assert _used(world, lic["id"]) == (4, 4000, "active")

    revoked = change(cast, cast.us_reg, "revoke", lic["id"], "diversion to an unlisted party")
    assert revoked.status_code == 200, revoked.text
    shown = revoked.json()
    assert shown["license"]["status"] == "revoked"
    assert shown["license"]["status_reason"] == "diversion to an unlisted party"
    assert shown["cancelled_transfers"] == [{"transfer_id": transfer_id, "chips": 4}]
    assert _used(world, lic["id"]) == (0, 0, "revoked")
    rows = chip_rows(world, chips[:4])
    assert (rows[chips[0]]["status"], rows[chips[0]]["site"]) == ("installed", site)
    assert {(r["custodian"], r["status"]) for c, r in rows.items() if c != chips[0]} == {
        (cast.maker.id, "in_stock")
    }
    # The receiver can no longer confirm it; the transfer says who closed it and why.
    body = {"transfer_id": transfer_id}
    confirm = cast.act(cast.cn_cloud, "transfer.confirm", "/v1/transfers/confirm", body)
    assert _refused(confirm, "not_pending")
    transfer = world.get(cast.maker, f"/v1/transfers/{transfer_id}").json()
    assert transfer["status"] == "cancelled"
    assert transfer["closing_entry_id"] == shown["entry_id"]
    with world.store.transaction() as session:
        event = session.scalars(
            sa.select(CustodyEvent).where(
                CustodyEvent.chip_id == chips[1], CustodyEvent.kind == "transfer_cancelled"
            )
        ).one()
    assert event.details["license_id"] == lic["id"] and event.party_id == cast.us_reg.id
    assert event.entry_id == shown["entry_id"]
    # Revoked is final: no new draw-down, no reinstatement, no second revocation.
    again = cast.declare(cast.maker, chips[1:3], cast.cn_cloud, "CN", license_id=lic["id"])
    assert "revoked" in _refused(again, "license_revoked")["detail"]
    assert _refused(change(cast, cast.us_reg, "reinstate", lic["id"]), "license_status")
    assert _refused(change(cast, cast.us_reg, "revoke", lic["id"]), "license_status")


def test_suspended_then_reinstated(world: World) -> None:
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 4)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    other = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    elsewhere = cast.declare(cast.maker, chips[2:], cast.cn_cloud, "CN", license_id=other["id"])
    assert elsewhere.status_code == 201, elsewhere.text
    suspended = change(cast, cast.us_reg, "suspend", lic["id"], "end-use check pending")
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["cancelled_transfers"] == []  # another license's transfer stays
    assert (
        world.get(cast.maker, f"/v1/transfers/{elsewhere.json()['transfer']['id']}").json()[
            "status"
        ]
        == "pending"
    )
    refused = cast.declare(cast.maker, chips[:2], cast.cn_cloud, "CN", license_id=lic["id"])
    assert "reinstates" in _refused(refused, "license_suspended")["detail"]
    assert _refused(change(cast, cast.us_reg, "suspend", lic["id"]), "license_status")
    reinstated = change(cast, cast.us_reg, "reinstate", lic["id"], "end-use check passed")
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["license"]["status"] == "active"
    declared = cast.declare(cast.maker, chips[:2], cast.cn_cloud, "CN", license_id=lic["id"])
    assert declared.status_code == 201, declared.text
    # Each change is a ledger entry of its own.
    assert suspended.json()["entry_id"] != reinstated.json()["entry_id"]


def test_only_a_regulator_of_the_licenses_jurisdiction_acts_on_it(world: World) -> None:
    cast = Cast(world)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    # China's regulator regulates the destination, not the license's jurisdiction (US).
    for actor in (cast.cn_reg, cast.maker, cast.cn_cloud):
        for verb in ("suspend", "revoke"):
            response = change(cast, actor, verb, lic["id"])
            assert response.status_code == 403, (actor.role, verb, response.text)
    assert _used(world, lic["id"])[2] == "active"
    # Another US regulator may (it regulates the license's jurisdiction).
    other_us = world.create(world.admin, "regulator", "US OEE", "US", jurisdiction=["US"])
    assert change(cast, other_us, "suspend", lic["id"]).status_code == 200
    # A reason is required; the path and the signed body name the same license.
    blank = change(cast, cast.us_reg, "reinstate", lic["id"], "")
    assert blank.status_code == 400
    body = {"license_id": lic["id"], "reason": "r"}
    elsewhere = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    crossed = cast.act(
        cast.us_reg, "license.reinstate", f"/v1/licenses/{elsewhere['id']}/reinstate", body
    )
    assert crossed.status_code == 400 and crossed.json()["reason"] == "path_mismatch"
    wrong_type = cast.act(
        cast.us_reg, "license.revoke", f"/v1/licenses/{lic['id']}/reinstate", body
    )
    assert wrong_type.status_code == 400
    assert change(cast, cast.us_reg, "suspend", "lic_missing").status_code == 404


def _key_file(tmp_path: Path, actor: Actor) -> Path:
    path = tmp_path / f"{actor.id}.pem"
    pem = actor.signer._key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return path


def test_suspend_and_reinstate_through_the_cli(world: World, tmp_path: Path) -> None:
    world.clock.set(utcnow())  # the CLI dates its envelopes by the wall clock
    cast = Cast(world)
    chips = add_chips(world, cast.maker, "H100 SXM", 2)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 4))
    pending = cast.declare(cast.maker, chips, cast.cn_cloud, "CN", license_id=lic["id"])
    assert pending.status_code == 201, pending.text
    runner = CliRunner(env={"COLUMNS": "200"})
    key = _key_file(tmp_path, cast.us_reg)
    common = ["--url", world.server.url, "--token", cast.us_reg.token, "--key", str(key)]
    args = ["licenses", "suspend", lic["id"], "--reason", "audit", *common]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "suspended" in result.stdout and pending.json()["transfer"]["id"] in result.stdout
    args = ["licenses", "reinstate", lic["id"], "--reason", "audit done", "--json", *common]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["license"]["status"] == "active"
    assert _used(world, lic["id"]) == (0, 0, "active")


def _race(world: World, calls: list[tuple[Actor, str, dict[str, Any]]]) -> list[Any]:
    """POST each call from its own thread, all released at once; the responses in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        actor, path, wire = calls[i]
        with world.server.client(actor.token) as http:
            barrier.wait()
            results[i] = http.post(path, json=wire)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_declaration_racing_a_suspension_never_stays_pending(world: World) -> None:
    cast = Cast(world)
    lic = issued(issue(cast, cast.cn_cloud, "CN", ["H100"], 10))
    for _ in range(3):
        chips = add_chips(world, cast.maker, "H100 SXM", 2)
        declare = world.envelope(
            cast.maker,
            "transfer.declare",
            {
                "chips": chips,
                "receiver_id": cast.cn_cloud.id,
                "destination_country": "CN",
                "license_id": lic["id"],
                "export_filing_ref": itn(world),
                "destination_control_statement": True,
            },
        )
        suspend = world.envelope(
            cast.us_reg, "license.suspend", {"license_id": lic["id"], "reason": "race"}
        )
        calls = [
            (cast.maker, "/v1/transfers", declare),
            (cast.us_reg, f"/v1/licenses/{lic['id']}/suspend", suspend),
        ]
        results = _race(world, calls)
        assert results[1].status_code == 200, results[1].text
        if results[0].status_code != 201:
            assert results[0].json()["reason"] in ("license_suspended", "license_exhausted")
        pending = world.get(cast.maker, "/v1/transfers", params={"status": "pending"}).json()
        assert pending["total"] == 0
        assert _used(world, lic["id"]) == (0, 0, "suspended")
        assert {c["status"] for c in chip_rows(world, chips).values()} == {"in_stock"}
        reinstated = change(cast, cast.us_reg, "reinstate", lic["id"])
        assert reinstated.status_code == 200, reinstated.text
