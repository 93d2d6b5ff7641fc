"""Migration 0330 on both engines: screening lists imported before owners existed get the
party that last imported them (read from the ledger), and their flags their list."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from computegov.store.db import make_engine
from computegov.store.migrate import schema_differences, upgrade

BEFORE = "0210_chip_overview_index"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _import_entry(seq: int, key: str, name: str) -> dict[str, object]:
    envelope = {"envelope": {"type": "screening.import", "body": {"name": name, "csv": ""}}}
    envelope["signature"] = {"key_id": key, "sig": ""}
    return {
        "id": f"00000000-0000-0000-0000-00000000000{seq}",
        "type": "screening.import",
        "v": 1,
        "actor": key,
        "received_at": AT,
        "leaf": b"leaf",
        "record": json.dumps({"envelope": envelope, "subjects": [], "countries": []}),
        "salt": b"salt",
    }


def test_legacy_lists_get_their_last_importer_as_owner(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, BEFORE)
        meta = sa.MetaData()
        meta.reflect(engine)
        t = meta.tables
        with engine.begin() as conn:
            for pid, role in (("pty_admin", "administrator"), ("pty_us", "regulator")):
                conn.execute(
                    t["parties"].insert(),
                    [
                        {
                            "id": pid,
                            "legal_name": pid,
                            "aliases": [],
                            "role": role,
                            "country": "US",
                            "hq_country": "US",
                            "parent_id": None,
                            "jurisdiction": ["US"],
                            "created_at": AT,
                            "created_by": None,
                            "entry_id": "",
                        }
                    ],
                )
            conn.execute(
                t["parties"].insert(),
                [
                    {
                        "id": pid,
                        "legal_name": name,
                        "aliases": [],
                        "role": role,
                        "country": country,
                        "hq_country": country,
                        "parent_id": None,
                        "jurisdiction": [country] if role == "regulator" else [],
                        "created_at": AT,
                        "created_by": None,
                        "entry_id": "",
                    }
                    for pid, name, role, country in (
                        ("pty_cn", "CN regulator", "regulator", "CN"),
                        ("pty_sh", "Shanghai Compute Co", "cloud_provider", "CN"),
                    )
                ],
            )
            conn.execute(
                t["party_keys"].insert(),
                [
                    {
                        "key_id": k,
                        "party_id": p,
                        "public_key": b"k",
                        "created_at": AT,
                        "entry_id": "",
                    }
                    for k, p in (("k_us", "pty_us"), ("k_cn", "pty_cn"))
                ],
            )
            # "el" imported first by the US regulator, then over it by China's; "ofac" by the US.
            conn.execute(
                t["ledger_entries"].insert(),
                [
                    _import_entry(1, "k_us", "el"),
                    _import_entry(2, "k_us", "ofac"),
                    _import_entry(3, "k_cn", "el"),
                ],
            )
            conn.execute(
                t["screening_entries"].insert(),
                [
                    {
                        "list_id": lid,
                        "name": name,
                        "alt_names": [],
                        "addresses": [],
                        "source": "X",
                        "programs": [],
                    }
                    for lid, name in (("el", "Shanghai Compute Co"), ("ofac", "Other Co"))
                ],
            )
            conn.execute(
                t["flags"].insert(),
                [
                    {
                        "id": "flg_legacy",
                        "kind": "screening_match",
                        "subject_type": "party",
                        "subject_id": "pty_sh",
                        "evidence": {"entry": {"name": "Shanghai Compute Co"}},
                        "status": "open",
                        "countries": ["CN"],
                        "created_at": AT,
                    }
                ],
            )

        upgrade(engine)
        assert schema_differences(engine) == []
        with engine.connect() as conn:
            lists = {
                row.name: row
                for row in conn.execute(
                    sa.text("SELECT id, name, owner_id, status, entries FROM screening_lists")
                )
            }
            assert {n: (r.owner_id, r.status, r.entries) for n, r in lists.items()} == {
                "el": ("pty_cn", "active", 1),
                "ofac": ("pty_us", "active", 1),
            }
            entries = dict(
                conn.execute(sa.text("SELECT name, list_id FROM screening_entries")).all()
            )
            assert entries == {"Shanghai Compute Co": lists["el"].id, "Other Co": lists["ofac"].id}
            source = conn.execute(
                sa.text("SELECT source_id FROM flags WHERE id = 'flg_legacy'")
            ).scalar_one()
            assert source == lists["el"].id
    finally:
        engine.dispose()
