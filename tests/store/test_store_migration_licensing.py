"""Migration 0320_licensing on both engines: licenses issued before it get the jurisdiction
they were issued under, and a transfer that cited one license keeps it with all its chips."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from computegov.store.db import make_engine
from computegov.store.migrate import schema_differences, upgrade

BEFORE = "0210_chip_overview_index"
AT = datetime(2026, 1, 5, tzinfo=UTC)
JSON = sa.JSON()


def _party(id: str, role: str, country: str, jurisdiction: list[str]) -> dict[str, Any]:
    return {
        "id": id,
        "legal_name": id,
        "aliases": [],
        "role": role,
        "country": country,
        "hq_country": None,
        "parent_id": None,
        "jurisdiction": jurisdiction,
        "created_at": AT,
        "created_by": None,
        "entry_id": "e",
    }


def _license(id: str, regulator: str, licensee: str) -> dict[str, Any]:
    return {
        "id": id,
        "regulator_id": regulator,
        "licensee_id": licensee,
        "consignee_id": "pty_cn",
        "destination": "CN",
        "models": ["H100 SXM"],
        "quantity": 10,
        "used": 4,
        "issued_at": AT,
        "expires_at": AT.replace(year=2027),
        "entry_id": "e",
    }


def test_old_licenses_get_the_jurisdiction_they_were_issued_under(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, BEFORE)
        meta = sa.MetaData()
        parties = sa.Table("parties", meta, autoload_with=engine)
        licenses = sa.Table("export_licenses", meta, autoload_with=engine)
        transfers = sa.Table("transfers", meta, autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(
                parties.insert(),
                [
                    _party("pty_usreg", "regulator", "US", ["US"]),
                    _party("pty_nlreg", "regulator", "NL", ["NL"]),
                    _party("pty_twin", "regulator", "DE", ["DE", "NL"]),
                    _party("pty_maker", "manufacturer", "US", []),
                    _party("pty_nl", "distributor", "NL", []),
                    _party("pty_cn", "cloud_provider", "CN", []),
                ],
            )
            conn.execute(
                licenses.insert(),
                [
                    _license("lic_us", "pty_usreg", "pty_maker"),
                    _license("lic_nl", "pty_nlreg", "pty_nl"),
                    _license("lic_twin", "pty_twin", "pty_nl"),
                ],
            )
            conn.execute(
                transfers.insert(),
                {
                    "id": "trf_old",
                    "sender_id": "pty_maker",
                    "receiver_id": "pty_cn",
                    "origin_country": "US",
                    "destination_country": "CN",
                    "destination_site_id": None,
                    "license_id": "lic_us",
                    "status": "pending",
                    "chip_count": 4,
                    "regime": {},
                    "declared_at": AT,
                    "closed_at": None,
                    "entry_id": "e",
                    "closing_entry_id": None,
                },
            )
        upgrade(engine)
        assert schema_differences(engine) == []
        with engine.connect() as conn:
            issued = dict(
                conn.execute(sa.text("SELECT id, jurisdiction FROM export_licenses")).all()
            )
            drawn = conn.execute(
                sa.text("SELECT transfer_id, license_id, position, chips FROM transfer_licenses")
            ).all()
        # The licensee's country the issuer regulates: NL for the twin (DE, NL) regulator.
        assert issued == {"lic_us": "US", "lic_nl": "NL", "lic_twin": "NL"}
        assert [tuple(row) for row in drawn] == [("trf_old", "lic_us", 0, 4)]
    finally:
        engine.dispose()
