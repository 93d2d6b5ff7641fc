"""Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright, which
never downloads a browser here. Without it a test skips, or fails where skips are forbidden
(CI sets COMPUTEGOV_FORBID_SKIPS=1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium_context(timeout_ms: int = 15_000) -> Iterator[Any]:
    """A fresh browser context (1280x900) whose actions wait at most `timeout_ms`."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`"
        if os.environ.get("COMPUTEGOV_FORBID_SKIPS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(timeout_ms)
            yield context
        finally:
            browser.close()
