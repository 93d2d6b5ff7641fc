"""Counts and H100-equivalents by country, party, model and status, against the hand-counted
fixture of `web_setup` (3 H100 at the maker in the US; 2 H20 and 1 H100 at the cloud in NL;
1 A100 at the developer in CN), and limited to what each reader may see."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import web_setup

from computegov.catalog import get_chip, tpp
from conftest import World

H100 = 1.0
H20 = tpp(get_chip("H20")) / tpp(get_chip("H100 SXM"))  # type: ignore[operator]
A100 = tpp(get_chip("A100 SXM")) / tpp(get_chip("H100 SXM"))  # type: ignore[operator]


def _groups(body: dict[str, Any], *dims: str) -> dict[tuple[str, ...], tuple[int, float]]:
    return {
        tuple(item[d] for d in dims): (item["chips"], item["h100_equivalents"])
        for item in body["items"]
    }


def _stats(world: World, actor: Any, query: str) -> dict[str, Any]:
    response = world.get(actor, f"/v1/stats/chips?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_h20_is_a_seventh_of_an_h100(world: World) -> None:
    # a sanity check of the figures the other tests expect (TPP 2,368 vs 15,832)
    assert pytest.approx(2368 / 15832) == H20


def test_counts_and_h100e_by_each_dimension(world: World) -> None:
    fx = web_setup.build(world)
    admin = world.admin
    by_country = _stats(world, admin, "by=country")
    assert _groups(by_country, "country") == {
        ("CN",): (1, pytest.approx(A100)),
        ("NL",): (3, pytest.approx(2 * H20 + 1 * H100)),
        ("US",): (3, pytest.approx(3 * H100)),
    }
    assert by_country["chips"] == 7
    assert by_country["h100_equivalents"] == pytest.approx(4 * H100 + 2 * H20 + A100)
    assert by_country["by"] == ["country"]
    assert _groups(_stats(world, admin, "by=status"), "status") == {
        ("in_stock",): (4, pytest.approx(3 * H100 + A100)),
        ("installed",): (2, pytest.approx(2 * H20)),
        ("in_transit",): (1, pytest.approx(H100)),
    }
    assert _groups(_stats(world, admin, "by=model"), "model") == {
        ("A100 SXM",): (1, pytest.approx(A100)),
        ("H100 SXM",): (4, pytest.approx(4 * H100)),
        ("H20",): (2, pytest.approx(2 * H20)),
    }
    by_party = _stats(world, admin, "by=party")
    assert _groups(by_party, "party") == {
        (fx.maker.id,): (3, pytest.approx(3 * H100)),
        (fx.cloud.id,): (3, pytest.approx(2 * H20 + H100)),
        (fx.dev.id,): (1, pytest.approx(A100)),
    }
    names = {item["party"]: item["party_name"] for item in by_party["items"]}
    assert names[fx.cloud.id] == "Cloud BV"


def test_combined_dimensions(world: World) -> None:
    web_setup.build(world)
    body = _stats(world, world.admin, "by=country&by=status")
    assert _groups(body, "country", "status") == {
        ("CN", "in_stock"): (1, pytest.approx(A100)),
        ("NL", "in_transit"): (1, pytest.approx(H100)),
        ("NL", "installed"): (2, pytest.approx(2 * H20)),
        ("US", "in_stock"): (3, pytest.approx(3 * H100)),
    }
    assert [(i["country"], i["status"]) for i in body["items"]] == sorted(
        _groups(body, "country", "status")
    )
    same = _stats(world, world.admin, "by=country,status")
    assert same["items"] == body["items"]


def test_stats_as_csv(world: World) -> None:
    web_setup.build(world)
    response = world.get(world.admin, "/v1/stats/chips?by=model&format=csv")
    assert 'filename="chip-stats-by-model.csv"' in response.headers["content-disposition"]
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert rows["H20"]["chips"] == "2"
    assert float(rows["H20"]["h100_equivalents"]) == pytest.approx(2 * H20)


def test_each_reader_counts_only_the_chips_it_may_see(world: World) -> None:
    fx = web_setup.build(world)
    seen = {
        "cloud (custodian)": (fx.cloud, {("NL",): 3}),
        "dev (custodian)": (fx.dev, {("CN",): 1}),
        "maker (manufacturer of six)": (fx.maker, {("US",): 3, ("NL",): 3}),
        "maker2 (manufacturer of the A100)": (fx.maker2, {("CN",): 1}),
        "NL regulator": (fx.regulator_nl, {("NL",): 3}),
        "CN regulator": (fx.regulator_cn, {("CN",): 1}),
    }
    for label, (actor, expected) in seen.items():
        body = _stats(world, actor, "by=country")
        counts = {key: chips for key, (chips, _) in _groups(body, "country").items()}
        assert counts == expected, label
        assert body["chips"] == sum(expected.values()), label


def test_a_regulators_stats_read_is_recorded_in_the_ledger(world: World) -> None:
    fx = web_setup.build(world)
    before = world.log_size()
    _stats(world, fx.cloud, "by=country")
    assert world.log_size() == before  # a party's own reads are not logged
    _stats(world, fx.regulator_nl, "by=country")
    assert world.log_size() == before + 1


@pytest.mark.parametrize("query", ["by=colour", "by=country&by=weight", "by="])
def test_unknown_dimensions_are_refused_with_the_known_ones(world: World, query: str) -> None:
    response = world.get(world.admin, f"/v1/stats/chips?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "country, party, model, status" in response.json()["detail"]


def test_stats_need_a_token(world: World) -> None:
    response = world.get(None, "/v1/stats/chips?by=country")
    assert response.status_code == 401
