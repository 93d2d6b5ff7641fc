"""The API docs in a real browser, offline: Chromium (/usr/bin/chromium, never a downloaded
one) opens /docs and /redoc of the real server on 127.0.0.1 with every request to any other
host blocked, as on a machine with no internet. Both must render the API, nothing may leave
127.0.0.1, and the page's Content-Security-Policy must not refuse anything the page does
(a refusal would mean a broken page in a browser, which plain HTTP tests cannot see).
SQLite only: the pages do not depend on the engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser import chromium_context
from conftest import World

pytestmark = pytest.mark.browser

# Playwright's init scripts run outside the page's policy: this one records every violation
# the browser reports to the page, whatever the console says.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@dataclass
class OfflinePage:
    page: Any
    left: list[str] = field(default_factory=list)  # requests to another host, blocked
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__violations")
        return found + [m for m in self.console if "Content Security Policy" in m]

    def assert_clean(self) -> None:
        assert self.left == []
        assert self.violations() == []
        assert self.errors == []


@pytest.fixture
def offline() -> Iterator[OfflinePage]:
    """A fresh Chromium page that may reach 127.0.0.1 only; without /usr/bin/chromium this
    skips, or fails in CI."""
    with chromium_context(timeout_ms=20_000) as context:
        page = context.new_page()
        watched = OfflinePage(page)

        def only_here(route: Any) -> None:
            url = route.request.url
            if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                watched.left.append(url)
                route.abort()

        context.route("**/*", only_here)
        context.add_init_script(RECORD_VIOLATIONS)
        page.on("console", lambda message: watched.console.append(message.text))
        page.on("pageerror", lambda error: watched.errors.append(str(error)))
        yield watched


def test_swagger_ui_renders_the_api_offline_and_tries_a_request(
    world: World, offline: OfflinePage, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = offline.page
    page.goto(world.server.url + "/docs")
    expect(page.get_by_role("heading", name="computegov registry")).to_be_visible()
    # the operations, as Swagger UI lists them
    chips = page.locator(".opblock-summary-path[data-path='/v1/chips/{chip_id}/history']")
    expect(chips).to_be_visible()
    assert page.locator(".opblock").count() > 20
    # Swagger UI's own stylesheet applies: a GET operation's band is its blue
    band = page.locator(".opblock.opblock-get").first
    assert band.evaluate("e => getComputedStyle(e).borderColor") == "rgb(97, 175, 254)"

    # "Try it out" on GET /v1/log/key: a request to this server (connect-src 'self')
    key = page.locator(".opblock").filter(
        has=page.locator(".opblock-summary-path[data-path='/v1/log/key']")
    )
    key.locator(".opblock-summary").click()
    key.get_by_role("button", name="Try it out").click()
    key.get_by_role("button", name="Execute").click()
    responses = key.locator(".live-responses-table")
    expect(responses.locator("tbody .response-col_status").first).to_have_text("200")
    expect(responses).to_contain_text(world.store.verifier_key)
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)
    offline.assert_clean()


def test_redoc_renders_the_api_offline_and_searches_it(
    world: World, offline: OfflinePage, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = offline.page
    page.goto(world.server.url + "/redoc")
    expect(page.get_by_role("heading", name="computegov registry").first).to_be_visible()
    # an operation ReDoc rendered from the OpenAPI document, with its path
    expect(page.get_by_text("/v1/chips/{chip_id}/history").first).to_be_attached()
    assert page.locator("[data-section-id^='operation/']").count() > 20
    # the search runs in ReDoc's worker (worker-src blob:)
    page.get_by_placeholder("Search...").fill("attestation")
    expect(page.locator("[data-role='search:results'] li").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "redoc.png"), full_page=False)
    offline.assert_clean()
