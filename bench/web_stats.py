"""How fast chip counts and H100-equivalents are over a million chips (run by hand).

    .venv/bin/python bench/web_stats.py [--chips 1000000] [--database-url URL]

Fills a fresh store (SQLite in a temporary directory unless --database-url names an empty
PostgreSQL database) with chip rows inserted in bulk (not through registration: this measures
the reads), then times `registry.stats.chip_stats` for the administrator (every chip), a
regulator (one jurisdiction) and a party (its own chips), best of 3 each.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from computegov.registry.chips.models import Chip, Manifest
from computegov.registry.overview.stats import chip_stats
from computegov.registry.parties.models import Party
from computegov.store import Settings, open_store
from scratch import UNTHROTTLED  # noqa: E402  (bench/scratch.py)

COUNTRIES = ["US", "NL", "DE", "JP", "KR", "TW", "SG", "AE", "IN", "GB"]
STATUSES = ["in_stock", "installed", "in_transit", "decommissioned"]
MODELS = ["H100 SXM", "H20", "A100 SXM", "B200", "MI300X", "Gaudi 3"]
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _party(pid: str, role: str, country: str, jurisdiction: list[str]) -> dict[str, Any]:
    return {
        "id": pid,
        "legal_name": pid,
        "aliases": [],
        "role": role,
        "country": country,
        "hq_country": country,
        "jurisdiction": jurisdiction,
        "created_at": NOW,
        "entry_id": "bench",
    }


def fill(store: Any, chips: int, holders: int = 200) -> None:
    """Parties, one manifest and `chips` chip rows spread over countries, statuses, models."""
    rng = random.Random(5)
    with store.transaction(write=True) as session:
        parties = [
            _party("maker", "manufacturer", "US", []),
            _party("reg", "regulator", "NL", ["NL"]),
        ]
        parties += [
            _party(f"p{i}", "cloud_provider", COUNTRIES[i % 10], []) for i in range(holders)
        ]
        session.execute(sa.insert(Party), parties)
        session.execute(
            sa.insert(Manifest),
            [
                {
                    "id": "man",
                    "manufacturer_id": "maker",
                    "sha256": "0" * 64,
                    "root": bytes(32),
                    "size": chips,
                    "key_id": "bench",
                    "signature": bytes(64),
                    "created_at": NOW,
                    "entry_id": "bench",
                }
            ],
        )
    batch = 50_000
    for start in range(0, chips, batch):
        rows = []
        for n in range(start, min(chips, start + batch)):
            holder = rng.randrange(holders)
            rows.append(
                {
                    "id": f"chp_{n:016x}",
                    "vendor": "NVIDIA",
                    "serial": f"SN{n:09d}",
                    "model": rng.choice(MODELS),
                    "manufactured_on": date(2025, 1, 1),
                    "fab": "TSMC Fab 18",
                    "assembly_site": "TSMC Advanced Backend Fab 6",
                    "manufacturer_id": "maker",
                    "custodian_id": f"p{holder}",
                    "country": COUNTRIES[holder % 10],
                    "status": rng.choice(STATUSES),
                    "manifest_id": "man",
                    "manifest_index": n,
                    "registered_at": NOW,
                    "entry_id": "bench",
                }
            )
        with store.transaction(write=True) as session:
            session.execute(sa.insert(Chip), rows)


def best_of(store: Any, reader_id: str, by: list[str], repeats: int = 3) -> tuple[float, int]:
    best, groups = float("inf"), 0
    for _ in range(repeats):
        with store.sessions() as session:
            reader = session.get(Party, reader_id)
            assert reader is not None
            began = time.perf_counter()
            stats = chip_stats(session, reader, by)
            best = min(best, time.perf_counter() - began)
            groups = len(stats.items)
    return best, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chips", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = open_store(Settings(data_dir=Path(tmp) / "data", database_url=url, **UNTHROTTLED))
        began = time.perf_counter()
        fill(store, args.chips)
        print(
            f"{store.engine.dialect.name}: {args.chips:,} chips inserted in "
            f"{time.perf_counter() - began:.1f} s (bulk rows, not registration)"
        )
        cases = [
            ("administrator", "admin", ["country", "status"]),
            ("administrator", "admin", ["model"]),
            ("administrator", "admin", ["party"]),
            ("regulator (NL)", "reg", ["country", "status"]),
            ("party p7 (own)", "p7", ["model", "status"]),
        ]
        with store.sessions() as session:
            admin = session.scalars(sa.select(Party.id).where(Party.role == "administrator"))
            admin_id = admin.first()
        if admin_id is None:
            from computegov.registry.parties.bootstrap import ensure_administrator

            admin_id = ensure_administrator(store).party_id
        for label, reader, by in cases:
            seconds, groups = best_of(store, admin_id if reader == "admin" else reader, by)
            print(f"{label:16} by={','.join(by):15} {groups:5} groups  {seconds:.3f} s")
        store.close()


if __name__ == "__main__":
    main()
