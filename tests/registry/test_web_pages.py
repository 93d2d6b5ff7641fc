"""The server-rendered pages over plain HTTP (httpx against the real server, both engines):
login and logout, what each reader sees, refusals as HTML pages, chain of custody with ledger
indexes and working proof links."""

from __future__ import annotations

import base64
import re

import httpx
import web_setup

from computegov.web.pages import COOKIE
from conftest import Actor, World


def _browser(world: World, actor: Actor | None = None) -> httpx.Client:
    """A client that behaves like a browser on the dashboard's own pages: cookies, no bearer
    header, and the `Origin` a browser sends with a form POST from one of those pages."""
    cookies = {COOKIE: actor.token} if actor else {}
    headers = {"Origin": world.server.url}
    return httpx.Client(base_url=world.server.url, cookies=cookies, headers=headers, timeout=10)


def _text(html: str) -> str:
    """The page's words, tags removed and whitespace folded, for plain assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_without_a_token_the_overview_shows_login_and_public_parts_only(world: World) -> None:
    web_setup.build(world)
    size = world.log_size()
    with _browser(world) as http:
        page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    words = _text(page.text)
    assert 'name="token"' in page.text
    assert f"Size {size:,} entries" in words
    assert world.store.verifier_key in page.text
    assert world.store.origin in page.text
    assert "Chips by country" not in words
    assert "Cloud BV" not in words


def test_login_sets_a_strict_httponly_cookie_and_shows_the_overview(world: World) -> None:
    web_setup.build(world)
    with _browser(world) as http:
        response = http.post("/login", data={"token": world.admin.token, "next": "/"})
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
        words = _text(http.get("/").text)
    assert "7 chips" in words
    # the country x status table: CN 1 in stock; NL 1 in transit + 2 installed; US 3 in stock
    assert re.search(r"CN 1 0 0 1 ", words)
    assert re.search(r"NL 0 1 2 3 ", words)
    assert re.search(r"US 3 0 0 3 3\.00", words)
    assert "Maker Inc Cloud BV US → NL 1 none pending" in words
    assert "lost or stolen on chip" in words


def test_a_wrong_token_shows_an_error_on_the_login_form(world: World) -> None:
    with _browser(world) as http:
        response = http.post("/login", data={"token": "not-a-token"})
        assert response.status_code == 401
        assert "set-cookie" not in response.headers
        assert "the bearer token is not known" in response.text
        assert 'role="alert"' in response.text
    with _browser(world, Actor("x", "x", "revoked-or-wrong", world.admin.signer)) as http:
        stale = http.get("/")
        assert stale.status_code == 401
        assert "Not logged in" in stale.text


def test_each_reader_sees_its_own_counts(world: World) -> None:
    fx = web_setup.build(world)
    with _browser(world, fx.cloud) as http:
        words = _text(http.get("/").text)
    assert "3 chips" in words
    assert "US " not in words.split("Chips by country")[1].split("Recent transfers")[0]
    with _browser(world, fx.regulator_cn) as http:
        before = world.log_size()
        words = _text(http.get("/").text)
        assert world.log_size() == before + 3  # stats, transfers and flags reads recorded
    assert "1 chips" in words
    assert "lost or stolen" in words


def test_chip_page_shows_the_chain_of_custody_with_ledger_indexes(world: World) -> None:
    fx = web_setup.build(world)
    moved = fx.chips["cloud"][-1]
    size = world.log_size()
    with _browser(world, fx.cloud) as http:
        page = http.get(f"/chips/{moved}")
        assert page.status_code == 200
        words = _text(page.text)
        assert "NVIDIA SN0006" in words
        assert "H100 SXM (1.00 H100e)" in words
        steps = re.findall(r"(registered|transfer declared) by Maker Inc \d{4}-\d\d-\d\dT", words)
        assert steps == ["registered", "transfer declared"]
        links = re.findall(
            r'href="(/v1/log/proof/inclusion\?index=(\d+)&amp;size=(\d+))"', page.text
        )
        assert len(links) == 2
        for link, index, at_size in links:
            assert int(at_size) == size
            proof = http.get(link.replace("&amp;", "&"))
            assert proof.status_code == 200
            assert proof.json()["index"] == int(index)


def test_a_step_opens_its_record_for_those_allowed(world: World) -> None:
    fx = web_setup.build(world)
    chip = fx.chips["cloud"][0]
    with _browser(world, fx.cloud) as http:
        page = http.get(f"/chips/{chip}")
        (entry,) = re.findall(r'href="/openings/([0-9a-f-]+)"', page.text)
        shown = http.get(f"/openings/{entry}")
        assert shown.status_code == 200
        assert "computegov ledger prove --index" in _text(shown.text)
        saved = http.get(f"/openings/{entry}?format=json")
        assert f'filename="opening-{entry}.json"' in saved.headers["content-disposition"]
        opening = saved.json()
        assert opening["id"] == entry
        assert opening["record"]["countries"] == ["NL"]
        assert len(base64.b64decode(opening["salt"])) >= 16
    with _browser(world, fx.dev) as http:
        assert http.get(f"/openings/{entry}").status_code == 403
    with _browser(world) as http:
        assert http.get(f"/openings/{entry}").status_code == 303


def test_chips_list_links_to_chip_pages_and_filters(world: World) -> None:
    fx = web_setup.build(world)
    with _browser(world, world.admin) as http:
        page = http.get("/chips?country=NL&status=installed")
        ids = re.findall(r'href="/chips/(chp_[0-9a-f]+)"', page.text)
    assert sorted(ids) == sorted(fx.chips["cloud"][:2])
    assert "1 to 2 of 2" in _text(page.text)


def test_pages_refuse_or_redirect_those_who_may_not_read(world: World) -> None:
    fx = web_setup.build(world)
    chip = fx.chips["cloud"][0]
    with _browser(world) as http:
        anonymous = http.get(f"/chips/{chip}")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == f"/login?next=%2Fchips%2F{chip}"
        assert http.get("/chips").status_code == 303
    with _browser(world, fx.dev) as http:
        foreign = http.get(f"/chips/{chip}")
        assert foreign.status_code == 403
        assert foreign.headers["content-type"].startswith("text/html")
        assert "Forbidden" in foreign.text
        assert "Cloud BV" not in foreign.text
        missing = http.get("/chips/chp_0000000000000000")
        assert missing.status_code == 404
        assert "no chip with id" in missing.text
        assert http.get("/chips?offset=-1").status_code == 400


def test_login_only_follows_local_paths(world: World) -> None:
    with _browser(world) as http:
        response = http.post("/login", data={"token": world.admin.token, "next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_logout_forgets_the_cookie(world: World) -> None:
    with _browser(world, world.admin) as http:
        response = http.post("/logout")
        assert response.status_code == 303
        assert f'{COOKIE}=""' in response.headers["set-cookie"]
        assert "Max-Age=0" in response.headers["set-cookie"]


def test_the_api_keeps_problem_json(world: World) -> None:
    response = world.get(None, "/v1/parties")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_stylesheet_is_served(world: World) -> None:
    with _browser(world) as http:
        css = http.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "font" in css.text
