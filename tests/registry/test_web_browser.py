"""The dashboard in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium,
never a downloaded one) against the real server on 127.0.0.1. SQLite only: the pages' data
is tested on both engines over plain HTTP in test_web_pages.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import web_setup

from browser import chromium_context
from conftest import World

pytestmark = pytest.mark.browser


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def page() -> Iterator[Any]:
    """A fresh Chromium page; without /usr/bin/chromium this skips, or fails in CI."""
    with chromium_context() as context:
        yield context.new_page()


def test_log_in_see_the_overview_and_follow_a_chip_to_its_history(
    world: World, page: Any, tmp_path: Path
) -> None:
    fx = web_setup.build(world)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(world.server.url + "/")
    assert page.get_by_role("heading", name="Log in").is_visible()
    # the stylesheet is applied under the Content-Security-Policy (style-src 'self')
    band = page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
    assert band == "rgb(246, 248, 250)"
    assert page.get_by_role("heading", name="Current checkpoint").is_visible()

    page.get_by_label("API token").fill(world.admin.token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(world.server.url + "/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    lead = page.locator("p.lead").inner_text()
    assert "7 chips" in lead
    assert "1 open flag." in lead
    nl_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="NL"))
    assert nl_row.get_by_role("cell").all_inner_texts()[:4] == ["0", "1", "2", "3"]
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

    # NL, installed: the two H20s at the cloud provider
    nl_row.get_by_role("link", name="2").click()
    page.wait_for_url("**/chips?country=NL&status=installed")
    links = page.get_by_role("link", name="NVIDIA SN")
    assert links.count() == 2
    page.screenshot(path=str(tmp_path / "chips.png"), full_page=True)
    page.goto(world.server.url + f"/chips/{fx.chips['cloud'][-1]}")
    assert page.get_by_role("heading", name="Chain of custody").is_visible()
    steps = page.locator("ol.history > li")
    assert steps.count() == 2
    assert "transfer declared by Maker Inc" in steps.nth(1).inner_text()
    assert page.get_by_role("link", name="inclusion proof").count() == 2
    page.screenshot(path=str(tmp_path / "chip.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(world.server.url + "/")
    assert page.get_by_role("heading", name="Log in").is_visible()
    # the browser sent Origin with both forms (login and logout were accepted) and the
    # policy blocked nothing on any page
    assert not [text for text in console if "Content Security Policy" in text], console


def test_a_wrong_token_shows_an_error(world: World, page: Any, tmp_path: Path) -> None:
    page.goto(world.server.url + "/login")
    page.get_by_label("API token").fill("this-is-not-a-token")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    assert "the bearer token is not known" in alert.inner_text()
    page.screenshot(path=str(tmp_path / "wrong-token.png"), full_page=True)
    assert page.context.cookies() == []
