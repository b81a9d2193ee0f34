"""In real headless Chromium, no payload runs: no dialog opens and no script sets window.__xss."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from xss_payloads import PAYLOADS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def page() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page()
        pg.dialogs = []  # type: ignore[attr-defined]
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _visit(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_timeout(30)  # let onload / onerror / autofocus handlers fire, if any could
    assert page.evaluate("() => window.__xss === undefined"), url
    assert not page.dialogs, (url, page.dialogs)


def test_no_payload_runs_on_country_compare_and_brief_pages(live_server: str, page: Any,
                                                           stored_payloads: list[str]) -> None:
    fired: list[str] = []
    for p in PAYLOADS:
        for url in (f"{live_server}/country/{quote(p, safe='')}",
                    f"{live_server}/compare?countries={quote('SDN,' + p, safe='')}"):
            try:
                _visit(page, url)
            except AssertionError:
                fired.append(url)
    for url in (f"{live_server}/country/SDN?stored=1", f"{live_server}/brief/SDN?stored=1"):  # stored payloads
        try:
            _visit(page, url)
        except AssertionError:
            fired.append(url)
    print(f"browser: {2 * len(PAYLOADS)} reflected and {len(stored_payloads)} stored payloads on 2 pages; "
          f"{len(fired)} ran")
    assert not fired, fired
