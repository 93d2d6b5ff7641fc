"""Customer identity stays with the provider, and entity facts, on SQLite and PostgreSQL.

A provider attests that it holds a verified identity record (its own reference and a salted
hash); anything that looks like personal data is refused, unknown fields too; another
provider gets 404, a developer 403, a regulator of another jurisdiction 404. A regulator's
request and the provider's answer are signed and logged. Past its retention period an
attestation is erased: the row keeps ids and dates, the entry no longer opens (410), and
the tree still verifies (inclusion and consistency proofs of the erased leaf). Entity facts:
the latest per party and year counts; only the developer and its regulators read them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from reporting_setup import Reporting

from computegov.ledger import entries, log, merkle
from computegov.registry.reporting import retention
from computegov.registry.reporting.facts import current_facts
from computegov.registry.reporting.models import EntityFacts, IdentityAttestation
from computegov.registry.tables import IdempotentResult, RefusedAction
from computegov.store.models import LedgerEntry
from conftest import Actor, World

HASH = "sha256:" + "ab" * 32
IDENTITY = "/v1/reports/identities"


def _attest(cast: Reporting, actor: Actor | None = None, **body: Any) -> Any:
    payload = {
        "customer_ref": "acct-000417",
        "record_hash": HASH,
        "customer_country": "BR",
        "verified_on": "2026-02-01",
        **body,
    }
    return cast.act(actor or cast.cloud, "report.identity", IDENTITY, payload)


def _attested(cast: Reporting, **body: Any) -> dict[str, Any]:
    response = _attest(cast, **body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _invalid(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["reason"], problem["field"]) == ("invalid_report", field), problem


def _checkpoint(world: World) -> tuple[int, bytes]:
    size = world.log_size()
    lines = world.get(None, "/checkpoint").text.splitlines()
    return size, base64.b64decode(lines[2])


def test_a_provider_attests_and_only_it_and_the_addressed_regulators_read(world: World) -> None:
    cast = Reporting(world)
    made = _attested(cast, jurisdictions=["FR"])
    shown = made["attestation"]
    assert shown["jurisdictions"] == ["FR", "US"]  # the provider's country and those given
    assert shown["retain_until"].startswith("2028-02-02")  # 731 days after verification
    # The answer (kept for retries) holds no customer reference or hash.
    assert "customer_ref" not in shown and "record_hash" not in shown
    path = f"{IDENTITY}/{shown['id']}"
    mine = world.get(cast.cloud, path).json()
    assert (mine["customer_ref"], mine["record_hash"]) == ("acct-000417", HASH)
    assert world.get(cast.us_reg, path).status_code == 200
    assert world.get(cast.eu_reg, path).status_code == 200  # FR is in its jurisdiction
    assert world.get(cast.cast.cn_cloud, path).status_code == 404  # another provider
    assert world.get(cast.cn_reg, path).status_code == 404
    assert world.get(cast.dev, path).status_code == 403  # developers see nothing
    assert world.get(world.admin, path).status_code == 403
    assert world.get(cast.cast.cn_cloud, IDENTITY).json()["total"] == 0
    assert world.get(cast.us_reg, IDENTITY).json()["total"] == 1
    csv = world.get(cast.us_reg, IDENTITY, params={"format": "csv"})
    assert csv.status_code == 200 and "acct-000417" in csv.text
    # The public leaf of a sealed type does not name the provider's key.
    index = _index(world, made["entry_id"])
    leaf = json.loads(base64.b64decode(world.get(None, f"/v1/log/entries/{index}").json()["leaf"]))
    assert leaf["actor"] == "sealed"


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "Ana Souza"},
        {"customer_name": "Ana Souza"},
        {"address": "Rua Augusta 1500, Sao Paulo"},
        {"payment": {"card": "4111111111111111"}},
        {"ip_address": "203.0.113.7"},
        {"email": "ana@example.com"},
    ],
)
def test_fields_for_personal_data_do_not_exist(world: World, extra: dict[str, Any]) -> None:
    cast = Reporting(world)
    _invalid(_attest(cast, **extra), "body")
    with world.store.transaction() as session:
        assert session.query(IdentityAttestation).count() == 0


def test_personal_data_in_a_reference_or_malformed_hash_is_refused(world: World) -> None:
    cast = Reporting(world)
    for ref in (
        "ana@example.com",
        "203.0.113.7",
        "2001:db8::1",
        "4111-1111-1111-1111",
        "Ana Souza",
        "acct\x1b417",
        "acct\n417",
        "x" * 129,
        "",
    ):
        _invalid(_attest(cast, customer_ref=ref), _f(ref))
    for bad in ("ab" * 32, "sha256:" + "AB" * 32, "md5:" + "ab" * 16, "sha256:" + "ab" * 33):
        _invalid(_attest(cast, record_hash=bad), "body")
    _invalid(_attest(cast, customer_country="ZZ"), "customer_country")
    _invalid(_attest(cast, verified_on="2099-01-01"), "verified_on")
    _invalid(_attest(cast, verified_on="2023-01-01"), "verified_on")  # already past retention
    _invalid(_attest(cast, verified_on="2026-02-01T10:00:00"), "body")
    with world.store.transaction() as session:
        assert session.query(IdentityAttestation).count() == 0
        kept = " ".join(session.scalars(sa.select(RefusedAction.detail)))
    # Refusals are kept; what was refused is not repeated in them.
    for secret in ("ana@example.com", "203.0.113.7", "4111-1111"):
        assert secret not in kept
    # Only a cloud provider attests.
    refused = _attest(cast, cast.dev)
    assert refused.status_code == 403, refused.text


def _f(ref: str) -> str:
    """The field a refused reference is named by: the pattern check (body) or the personal-data
    check (customer_ref) that runs after it."""
    pattern_ok = 0 < len(ref) <= 128 and all(c.isalnum() or c in "._:-" for c in ref)
    return "customer_ref" if pattern_ok else "body"


def test_a_regulator_requests_the_record_and_the_provider_answers(world: World) -> None:
    cast = Reporting(world)
    attestation = _attested(cast)["attestation"]
    path = "/v1/reports/identity-requests"

    def ask(actor: Actor, **body: Any) -> Any:
        payload = {"attestation_id": attestation["id"], "reason": "investigation 2026-14", **body}
        return cast.act(actor, "report.identity_request", path, payload)

    _invalid(ask(cast.cn_reg), "attestation_id")  # not addressed to it: as if absent
    _invalid(ask(cast.us_reg, attestation_id="ida_nothere"), "attestation_id")
    assert ask(cast.cloud).status_code == 403  # providers do not request
    made = ask(cast.us_reg)
    assert made.status_code == 201, made.text
    request = made.json()["request"]
    assert request["status"] == "open" and request["provider_id"] == cast.cloud.id

    def answer(actor: Actor, **body: Any) -> Any:
        payload = {"request_id": request["id"], "status": "declined", **body}
        url = "/v1/reports/identity-answers"
        return cast.act(actor, "report.identity_answer", url, payload)

    _invalid(answer(cast.cast.cn_cloud), "request_id")  # another provider
    _invalid(answer(cast.cloud, note="sent to ana@example.com"), "note")
    _invalid(answer(cast.cloud, note="from 198.51.100.4"), "note")
    _invalid(answer(cast.cloud, record="the record itself"), "body")
    answered = answer(cast.cloud, status="answered", note="sent by secure channel")
    assert answered.status_code == 200, answered.text
    assert answered.json()["request"]["status"] == "answered"
    again = answer(cast.cloud)
    assert again.status_code == 409 and again.json()["reason"] == "already_answered"
    shown = world.get(cast.us_reg, f"{IDENTITY}/{attestation['id']}").json()
    assert [r["status"] for r in shown["requests"]] == ["answered"]
    assert world.get(cast.cloud, path).json()["total"] == 1
    assert world.get(cast.cast.cn_cloud, path).json()["total"] == 0
    assert world.get(cast.cn_reg, path).json()["total"] == 0
    assert world.get(cast.dev, path).status_code == 403


def _index(world: World, entry_id: str) -> int:
    world.log_size()
    with world.store.transaction() as session:
        return int(log.pending_status(session, entry_id)["index"])


def test_past_retention_the_record_is_erased_and_the_tree_still_verifies(world: World) -> None:
    cast = Reporting(world)
    body = {"customer_ref": "acct-000417", "record_hash": HASH, "verified_on": "2026-02-01"}
    body["customer_country"] = "BR"
    response = cast.act(
        cast.cloud, "report.identity", IDENTITY, body, headers={"Idempotency-Key": "idk-1"}
    )
    assert response.status_code == 201, response.text
    made = response.json()
    attestation, entry_id = made["attestation"], made["entry_id"]
    index = _index(world, entry_id)
    opening = world.get(cast.cloud, f"/v1/log/openings/{entry_id}")
    assert opening.status_code == 200 and "acct-000417" in opening.text
    old_size, old_root = _checkpoint(world)
    leaf = world.get(None, f"/v1/log/entries/{index}").json()

    retain_until = datetime.fromisoformat(attestation["retain_until"])
    world.clock.set(retain_until - timedelta(hours=1))  # not yet
    assert retention.erase_expired(world.store) == []
    world.clock.set(retain_until)
    dry = retention.erase_expired(world.store, dry_run=True)
    assert [d["id"] for d in dry] == [attestation["id"]] and dry[0]["erased_at"] is None
    assert world.get(cast.cloud, f"/v1/log/openings/{entry_id}").status_code == 200
    seen: list[dict[str, Any]] = []
    done = retention.erase_expired(world.store, progress=seen.append)
    assert [d["id"] for d in done] == [attestation["id"]] and seen == done
    assert retention.erase_expired(world.store) == []  # once

    row = world.get(cast.cloud, f"{IDENTITY}/{attestation['id']}").json()
    assert row["customer_ref"] is None and row["record_hash"] is None and row["erased_at"]
    # What is left: ids, dates, and the jurisdictions that decide who may ask about it.
    left = {k for k, v in row.items() if v not in (None, [])}
    ids_and_dates = {"id", "provider_id", "entry_id", "verified_on", "retain_until"}
    assert left == ids_and_dates | {"erased_at", "created_at", "jurisdictions"}
    with world.store.transaction() as session:
        stored = session.get(IdentityAttestation, attestation["id"])
        assert stored is not None and stored.customer_ref is None and stored.record_hash is None
        record = session.scalar(sa.select(LedgerEntry.record).where(LedgerEntry.id == entry_id))
        kept = " ".join(json.dumps(r.body) for r in session.scalars(sa.select(IdempotentResult)))
    assert "acct-000417" not in str(record) and HASH not in str(record)
    assert kept and "acct-000417" not in kept and HASH not in kept
    gone = world.get(cast.cloud, f"/v1/log/openings/{entry_id}")
    assert gone.status_code == 410 and gone.json()["reason"] == "erased_under_retention"
    assert world.get(cast.us_reg, f"/v1/log/openings/{entry_id}").status_code == 410
    assert world.get(cast.cast.cn_cloud, f"/v1/log/openings/{entry_id}").status_code == 403

    # The leaf is unchanged, and an opening held from before still matches its commitment.
    after = world.get(None, f"/v1/log/entries/{index}").json()
    assert after == leaf
    held = opening.json()
    commitment = json.loads(base64.b64decode(leaf["leaf"]))["commitment"]
    canonical = entries.canonical_json(held["record"])
    digest = hashlib.sha256(base64.b64decode(held["salt"]) + canonical).digest()
    assert base64.b64encode(digest).decode() == commitment
    # The log grows on; the erased leaf's inclusion and the old tree's consistency verify.
    _attested(cast, verified_on="2028-01-01")
    new_size, new_root = _checkpoint(world)
    assert new_size > old_size
    proof = world.get(None, f"/v1/log/proof/inclusion?index={index}&size={new_size}").json()
    leaf_hash = base64.b64decode(leaf["leaf_hash"])
    hashes = [base64.b64decode(p) for p in proof["proof"]]
    merkle.verify_inclusion(leaf_hash, index, new_size, hashes, new_root)
    consistency = world.get(None, f"/v1/log/proof/consistency?old={old_size}&new={new_size}")
    steps = [base64.b64decode(p) for p in consistency.json()["proof"]]
    merkle.verify_consistency(old_size, new_size, steps, old_root, new_root)
    # Nothing left to request.
    asked = cast.act(
        cast.us_reg,
        "report.identity_request",
        "/v1/reports/identity-requests",
        {"attestation_id": attestation["id"], "reason": "late"},
    )
    _invalid(asked, "attestation_id")


def _facts(cast: Reporting, actor: Actor | None = None, **body: Any) -> Any:
    payload = {"year": 2026, "revenue_usd": 6.2e8, "markets": ["US-CA", "EU"], **body}
    payload.setdefault("jurisdictions", ["US"])
    return cast.act(actor or cast.dev, "report.facts", "/v1/reports/facts", payload)


def test_entity_facts_latest_counts_and_only_the_developer_and_its_regulators_read(
    world: World,
) -> None:
    cast = Reporting(world)
    first = _facts(cast)
    assert first.status_code == 201, first.text
    assert first.json()["facts"]["markets"] == ["EU", "US-CA"]
    world.clock.advance(timedelta(days=1))
    second = _facts(cast, revenue_usd=4.0e8, markets=["us-ny", "US", "de"])
    assert second.status_code == 201, second.text
    assert second.json()["facts"]["markets"] == ["DE", "US", "US-NY"]
    with world.store.transaction() as session:
        counted = current_facts(session, cast.dev.id, 2026)
        assert counted is not None and counted.revenue_usd == 4.0e8
        assert current_facts(session, cast.dev.id, 2025) is None
        assert current_facts(session, cast.dev2.id, 2026) is None
    listed = world.get(cast.dev, "/v1/reports/facts").json()["items"]
    assert [f["counts"] for f in listed] == [False, True]
    path = f"/v1/reports/facts/{cast.dev.id}/2026"
    assert world.get(cast.dev, path).json()["revenue_usd"] == 4.0e8
    assert world.get(cast.us_reg, path).status_code == 200
    assert world.get(cast.dev2, path).status_code == 404
    assert world.get(cast.cn_reg, path).status_code == 404
    assert world.get(cast.cloud, path).status_code == 403
    assert world.get(world.admin, path).status_code == 403
    assert world.get(cast.dev2, "/v1/reports/facts").json()["total"] == 0
    csv = world.get(cast.us_reg, "/v1/reports/facts", params={"format": "csv", "year": 2026})
    assert csv.status_code == 200 and csv.text.count("\n") == 3


def test_entity_facts_refuse_what_cannot_be_a_fact(world: World) -> None:
    cast = Reporting(world)
    _invalid(_facts(cast, markets=["US-ZZ"]), "markets")
    _invalid(_facts(cast, markets=["Atlantis"]), "markets")
    _invalid(_facts(cast, revenue_usd=-1), "body")
    _invalid(_facts(cast, revenue_usd=1e300), "body")
    _invalid(_facts(cast, revenue_usd="lots"), "body")
    _invalid(_facts(cast, year=1999), "body")
    _invalid(_facts(cast, year=2029), "year")
    _invalid(_facts(cast, jurisdictions=[]), "body")
    _invalid(_facts(cast, affiliates=["pty_x"]), "body")
    assert _facts(cast, cast.cloud).status_code == 403  # a developer's facts
    with world.store.transaction() as session:
        assert session.query(EntityFacts).count() == 0
