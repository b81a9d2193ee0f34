"""Real headless Chromium: open the map, click a country, see its chart and drivers; nothing leaves localhost."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from services import CHROMIUM, require, require_chromium

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_and_requests() -> Any:
    require_chromium()
    try:
        from playwright import sync_api
    except ImportError:
        require(False, "the playwright package is not installed (bash .ci/chromium.sh)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        seen: list[str] = []
        page.on("request", lambda req: seen.append(req.url))
        yield page, seen
        browser.close()


def test_map_click_opens_country_page_with_chart_and_drivers(live_server: str, page_and_requests: Any) -> None:
    page, seen = page_and_requests
    page.goto(live_server + "/")
    page.wait_for_selector("svg.worldmap path[data-iso3='SDN']")
    assert page.locator("#ranked tbody tr").count() == 4
    page.locator("svg.worldmap path[data-iso3='SDN']").click()
    page.wait_for_url("**/country/SDN")
    assert page.locator("h1").inner_text() == "Sudan"
    page.wait_for_selector("#risk-chart .main-svg", timeout=15000)  # Plotly drew the chart
    assert page.locator("#risk-chart .scatterlayer .trace").count() >= 2
    drivers = page.locator("#drivers table").first
    assert drivers.is_visible() and "Label of battledeaths.log2" in drivers.inner_text()
    assert seen, "no request recorded"
    hosts = {urlparse(u).hostname for u in seen if not u.startswith(("data:", "about:", "blob:"))}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts


def test_region_filter_and_table_row_link(live_server: str, page_and_requests: Any) -> None:
    page, seen = page_and_requests
    page.goto(live_server + "/")
    page.select_option("select[name=region]", "Europe")
    page.wait_for_url("**region=Europe**")
    assert page.locator("#ranked tbody tr").count() == 1
    page.locator("#ranked a", has_text="France").click()
    page.wait_for_url("**/country/FRA")
    page.wait_for_selector("#rank-chart .main-svg", timeout=15000)
    hosts = {urlparse(u).hostname for u in seen if not u.startswith(("data:", "about:", "blob:"))}
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
