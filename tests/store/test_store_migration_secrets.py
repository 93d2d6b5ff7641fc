"""Migration 0300: API tokens an older server kept in the idempotency cache are removed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from computegov.store.db import make_engine
from computegov.store.migrate import upgrade

TOKEN = "cgt_" + "s" * 43


def test_upgrade_removes_tokens_from_the_idempotency_cache(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0210_chip_overview_index")
        now = datetime(2026, 3, 2, tzinfo=UTC)
        rows = [
            ("pty_a", "issue", {"token": TOKEN, "token_id": "tok_1", "entry_id": "e1"}),
            ("pty_a", "other", {"key": {"key_id": "abc"}, "entry_id": "e2"}),
        ]
        with engine.begin() as conn:
            for party_id, key, body in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO idempotent_results "
                        "(party_id, key, request_hash, status, body, created_at) "
                        "VALUES (:p, :k, :h, 201, :b, :t)"
                    ),
                    {"p": party_id, "k": key, "h": "0" * 64, "b": json.dumps(body), "t": now},
                )
        upgrade(engine)
        with engine.connect() as conn:
            kept = {
                key: body if isinstance(body, dict) else json.loads(body)
                for key, body in conn.execute(sa.text("SELECT key, body FROM idempotent_results"))
            }
        assert TOKEN not in json.dumps(kept)
        assert kept["issue"]["token_id"] == "tok_1" and kept["issue"]["entry_id"] == "e1"
        assert "tok_1 was already issued" in kept["issue"]["withheld"]["token"]
        assert kept["other"] == rows[1][2]
    finally:
        engine.dispose()
