"""The cluster check of a site: the chips installed there at their maximum dense rate and at
dense BF16 against the EO 14110 cluster test (historical) and the 2024 BIS proposal
(what-if), the declared cluster figure beside the registry's, who may see it, the chips on an
earlier day from custody records.

H100 SXM figures are the catalog's (dense, no sparsity): 1,979 TFLOP/s at FP8 (and INT8),
989.4 TFLOP/s at BF16. 100,000 of them are 1.979e20 ops/s at FP8, above EO 14110's 1e20, and
9.894e19 ops/s at BF16, below it.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from custody_setup import Cast, add_chips

from computegov.registry.chips.models import Chip
from computegov.registry.custody.cluster import cluster_check
from computegov.registry.custody.models import CustodyEvent
from computegov.registry.ids import new_id
from conftest import World, open_world

FAST = {"interconnect_gbit_s": 3200.0}
IN_FORCE = datetime(2024, 6, 1, tzinfo=UTC)  # EO 14110 in force (2023-10-30 to 2025-01-20)
TODAY = datetime(2026, 3, 2, tzinfo=UTC)


def _threshold(check: dict[str, Any], basis: str, instrument: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [t for t in check["thresholds"][basis] if t["id"] == instrument]
    assert len(found) == 1
    return found[0]


def test_100k_h100s_cross_1e20_at_fp8_but_not_at_bf16_while_eo_14110_was_in_force() -> None:
    check = cluster_check({"H100 SXM": 100_000}, FAST, IN_FORCE)
    [line] = check["models"]
    assert (line["max_precision"], line["max_precisions"]) == ("fp8", ["fp8", "int8"])
    assert check["peak"]["max_dense"]["ops_per_s"] == pytest.approx(1.979e20)
    assert check["peak"]["bf16_dense"]["ops_per_s"] == pytest.approx(9.894e19)
    eo_max = _threshold(check, "max_dense", "us-eo-14110-cluster")
    eo_bf16 = _threshold(check, "bf16_dense", "us-eo-14110-cluster")
    assert (eo_max["crossed"], eo_max["triggered"], eo_max["status"]) == (True, True, "in_force")
    assert (eo_bf16["crossed"], eo_bf16["rate_crossed"], eo_bf16["triggered"]) == (
        False,
        False,
        False,
    )
    bis = _threshold(check, "max_dense", "us-bis-2024-proposed-reporting-cluster")
    assert (bis["status"], bis["crossed"], bis["triggered"]) == ("what_if", True, False)


def test_after_its_revocation_the_eo_test_is_shown_as_historical_never_in_force() -> None:
    check = cluster_check({"H100 SXM": 100_000}, FAST, TODAY)
    eo = _threshold(check, "max_dense", "us-eo-14110-cluster")
    assert (eo["status"], eo["historical"], eo["crossed"], eo["triggered"]) == (
        "revoked",
        True,
        True,
        False,
    )
    assert eo["revoked"] == "2025-01-20"


def test_a_site_with_slow_networking_never_crosses_however_many_chips() -> None:
    """EO 14110 asks for networking *over* 100 Gbit/s, the BIS proposal over 300: a site at
    exactly 100 Gbit/s crosses neither, though its rate is far above 1e20."""
    check = cluster_check({"H100 SXM": 500_000}, {"interconnect_gbit_s": 100.0}, IN_FORCE)
    for basis in ("max_dense", "bf16_dense"):
        for t in check["thresholds"][basis]:
            assert t["rate_crossed"] and t["network_above"] is False
            assert not t["crossed"] and not t["triggered"]
    between = cluster_check({"H100 SXM": 500_000}, {"interconnect_gbit_s": 200.0}, IN_FORCE)
    assert _threshold(between, "bf16_dense", "us-eo-14110-cluster")["crossed"]
    assert not _threshold(between, "bf16_dense", "us-bis-2024-proposed-reporting-cluster")[
        "crossed"
    ]


def test_undeclared_networking_crosses_nothing_and_says_why() -> None:
    check = cluster_check({"H100 SXM": 200_000}, {}, IN_FORCE)
    eo = _threshold(check, "max_dense", "us-eo-14110-cluster")
    assert (eo["rate_crossed"], eo["network_above"], eo["crossed"]) == (True, None, False)
    assert any("no interconnect_gbit_s" in note for note in check["notes"])


def test_a_chip_without_a_bf16_rate_is_named_and_the_bf16_total_is_a_lower_bound() -> None:
    check = cluster_check({"V100": 10, "H100 SXM": 10}, FAST, TODAY)
    assert check["peak"]["bf16_dense"]["unrated"] == ["V100 SXM2"]
    assert check["peak"]["bf16_dense"]["ops_per_s"] == pytest.approx(10 * 989.4e12)
    assert check["peak"]["max_dense"]["precisions"] == ["fp16", "fp8"]
    assert any("lower bound" in note for note in check["notes"])


def test_a_declared_cluster_far_below_the_installed_chips_is_noted_as_information() -> None:
    installed = {"H100 SXM": 100_000}
    low = cluster_check(installed, {**FAST, "cluster_ops_per_s": 1e19}, TODAY)["declared"]
    assert low["far_below"] and low["declared_share_of_bf16"] == pytest.approx(1e19 / 9.894e19)
    # A site declaring at BF16 rather than FP8, or several clusters, is not noted.
    at_bf16 = cluster_check(installed, {**FAST, "cluster_ops_per_s": 9.8e19}, TODAY)
    assert not at_bf16["declared"]["far_below"] and not at_bf16["notes"]
    split = {**FAST, "cluster_ops_per_s": 2.5e19, "clusters": 4}
    assert not cluster_check(installed, split, TODAY)["declared"]["far_below"]
    undeclared = cluster_check(installed, FAST, TODAY)["declared"]
    assert undeclared["cluster_ops_per_s"] is None and not undeclared["far_below"]


# --- over HTTP, on both engines --------------------------------------------------------------


def _install(cast: Cast, site: str, chips: list[str]) -> None:
    done = cast.act(
        cast.us_cloud, "site.install", "/v1/sites/install", {"site_id": site, "chips": chips}
    )
    assert done.status_code == 200, done.text


def installed(world: World, cast: Cast, site: str, count: int) -> None:
    """TEST SET-UP: `count` H100s of the US cloud installed at `site`, written straight into
    the store in bulk (as `custody_setup.add_chips` writes chips, a row at a time, which takes
    a minute for 100,000) with their `installed` custody events. The real `site.install` of
    small sites is driven by `_install`."""
    [first] = add_chips(world, cast.maker, "H100 SXM", 1, custodian=cast.us_cloud)
    now = world.clock.now()
    with world.store.transaction(write=True) as session:
        chip = session.get(Chip, first)
        assert chip is not None
        row = {c.key: getattr(chip, c.key) for c in Chip.__table__.columns}
        ids = [new_id("chp") for _ in range(count - 1)]
        chips = [
            {**row, "id": chip_id, "serial": f"BULK-{n}", "manifest_index": n + 1}
            for n, chip_id in enumerate(ids)
        ]
        session.execute(sa.insert(Chip), chips)
        ids.append(first)
        session.execute(
            sa.update(Chip)
            .where(Chip.site_id.is_(None), Chip.custodian_id == cast.us_cloud.id)
            .values(site_id=site, status="installed")
        )
        events = {"kind": "installed", "at": now, "party_id": cast.us_cloud.id}
        session.execute(
            sa.insert(CustodyEvent),
            [
                {**events, "chip_id": chip_id, "details": {"site_id": site}, "entry_id": "setup"}
                for chip_id in ids
            ],
        )


def test_a_site_of_100k_h100s_read_by_its_operator_and_its_regulator_only(
    tmp_path: Path, sqlite_url: str
) -> None:
    """On SQLite only: writing 100,000 chips takes a minute on PostgreSQL here; the access
    rules and the custody replay run on both engines in the next test."""
    with open_world(tmp_path, sqlite_url) as world:
        cast = Cast(world)
        networking = {**FAST, "cluster_ops_per_s": 1e19, "clusters": 1}
        site = cast.site(cast.us_cloud, "US", "Memphis 1", networking=networking)
        installed(world, cast, site, 100_000)
        path = f"/v1/sites/{site}/cluster"
        check = world.get(cast.us_cloud, path).json()
        assert check["chips"] == 100_000 and check["site"]["id"] == site
        assert check["peak"]["max_dense"]["ops_per_s"] == pytest.approx(1.979e20)
        eo = _threshold(check, "max_dense", "us-eo-14110-cluster")
        assert (eo["crossed"], eo["historical"]) == (True, True)
        assert not _threshold(check, "bf16_dense", "us-eo-14110-cluster")["crossed"]
        assert check["declared"]["far_below"] and check["declared"]["cluster_ops_per_s"] == 1e19
        assert world.get(cast.us_reg, path).json() == check
        for outsider in (cast.cn_reg, cast.cn_cloud, cast.maker):
            refused = world.get(outsider, path)
            assert refused.status_code == 404, refused.text
        assert world.get(None, path).status_code == 401
        assert world.get(cast.us_cloud, "/v1/sites/sit_nosuchsite/cluster").status_code == 404
        rows = list(csv.DictReader(io.StringIO(world.get(cast.us_reg, path + "?format=csv").text)))
        assert [(r["model"], r["chips"], r["max_precision"]) for r in rows] == [
            ("H100 SXM", "100000", "fp8")
        ]
        assert float(rows[0]["bf16_ops_per_s"]) == pytest.approx(9.894e19)


def test_the_chips_at_a_site_on_an_earlier_day_come_from_custody_records(world: World) -> None:
    cast = Cast(world)
    one = cast.site(cast.us_cloud, "US", "Ashburn 1", networking=FAST)
    two = cast.site(cast.us_cloud, "US", "Dallas 2", networking=FAST)
    h100 = add_chips(world, cast.maker, "H100 SXM", 6, custodian=cast.us_cloud)
    a100 = add_chips(world, cast.maker, "A100 SXM", 2, custodian=cast.us_cloud)
    _install(cast, one, h100 + a100)
    first = world.clock.now()
    world.clock.advance(timedelta(days=10))
    _install(cast, two, h100[:4])  # moved to the other site
    lost = {"chip": a100[0], "status": "lost"}
    assert cast.act(cast.us_cloud, "chip.report", "/v1/chips/reports", lost).status_code == 200
    world.clock.advance(timedelta(days=1))

    def counted(site: str, on: datetime | None = None) -> dict[str, int]:
        query = {"on": on.isoformat()} if on else {}
        check = world.get(cast.us_reg, f"/v1/sites/{site}/cluster", params=query).json()
        return {m["model"]: m["chips"] for m in check["models"]}

    assert counted(one) == {"H100 SXM": 2, "A100 SXM": 1}
    assert counted(two) == {"H100 SXM": 4}
    assert counted(one, first + timedelta(days=1)) == {"H100 SXM": 6, "A100 SXM": 2}
    assert counted(two, first + timedelta(days=1)) == {}
    assert counted(one, first - timedelta(days=1)) == {}
    bad = world.get(cast.us_reg, f"/v1/sites/{one}/cluster", params={"on": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
