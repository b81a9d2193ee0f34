"""HTML pages and local assets: what an analyst opens, rendered from made-up saved results."""

from __future__ import annotations

import re
from typing import Any


def test_world_page_has_map_linked_to_countries_and_ranked_table(client: Any) -> None:
    html = client.get("/").text
    assert '<svg class="worldmap"' in html
    assert 'href="/country/MMR"' in html and 'data-iso3="SDN"' in html
    rows = re.findall(r'<tr data-iso3="(\w+)"', html)
    assert rows == ["MMR", "SDN", "KEN", "FRA"]
    assert "Natural Earth" in html


def test_world_page_filters_by_region_and_year(client: Any) -> None:
    html = client.get("/?year=2020&region=Europe").text
    assert re.findall(r'<tr data-iso3="(\w+)"', html) == ["FRA"]
    assert "2020 (backtest)" in html


def test_country_page_shows_every_section(client: Any) -> None:
    html = client.get("/country/Sudan").text
    for part in ('id="risk-chart"', 'id="history-data"', 'id="drivers"', "Label of battledeaths.log2",
                 'id="hotspots"', "Escalation alerts", 'id="prevention"', "Sources and vintages",
                 "EWP (2025). Statistical Risk Assessment.", "/static/vendor/plotly.min.js"):
        assert part in html, part
    assert "secret words" not in html
    # No monitoring data on the public page (alerts and counts follow the monitor's roles).
    assert "hate speech" not in html and "Shown only to analysts and admins" in html


def test_country_page_for_hotspot_country_draws_the_map(client: Any) -> None:
    html = client.get("/country/KEN").text
    assert '<svg class="areamap"' in html and "Turkana" in html


def test_unknown_country_page_is_404_with_links_to_close_matches(client: Any) -> None:
    r = client.get("/country/Sudann")
    assert r.status_code == 404 and 'href="/country/Sudan"' in r.text


def test_search_box_redirects_to_country_page(client: Any) -> None:
    r = client.get("/go?q=Burma", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/country/Burma"


def test_compare_and_track_record_pages(client: Any) -> None:
    html = client.get("/compare?countries=SDN,FRA,Nowhere").text
    assert 'id="compare-chart"' in html and "France" in html and "Unknown country" in html
    html = client.get("/track-record?year=2020&k=2").text
    assert "Misses" in html and "Kenya" in html


def test_assets_are_served_locally_and_pages_reference_nothing_external(client: Any) -> None:
    for path in ("/static/app.css", "/static/app.js", "/static/vendor/plotly.min.js"):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 100, path
    # `..` in /static/ paths: tests/web/test_static_traversal.py (TestClient would normalise it away).
    for page in ("/", "/country/SDN", "/compare?countries=SDN", "/track-record", "/brief/SDN"):
        html = client.get(page).text
        assert not re.search(r'(src|href)="(https?:)?//', html), page


def test_brief_pdf_route_returns_a_pdf(client: Any) -> None:
    r = client.get("/brief/Sudan?pdf=true")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_this_month_page_lists_the_risers_with_their_evidence(client: Any) -> None:
    r = client.get("/watch?month=2024-12")
    assert r.status_code == 200
    page = r.text
    assert "This month: 2024-12" in page and "Myanmar" in page and "coup attempt 2024-12-01" in page
    assert page.index("Myanmar") < page.index("Monthly top 30")  # the largest riser, listed first
    assert client.get("/watch?month=1999-01").status_code == 404
    assert client.get("/watch?month=<script>").status_code == 422


def test_watch_api_and_country_and_track_record_pages_show_the_monthly_watch(client: Any) -> None:
    rep = client.get("/api/watch", params={"month": "2024-12", "top": 2}).json()
    assert rep["month"] == "2024-12" and rep["risers"][0]["country"] == "Myanmar"
    assert rep["risers"][0]["evidence"]["ucdp_civilian_deaths_3m"] == 300
    assert "This month" in client.get("/country/MMR").text and "12 months after 2024-12" in client.get(
        "/country/MMR").text
    track = client.get("/track-record").text
    assert "Monthly watch against the yearly forecast held fixed" in track and "775 2021 (junta)" in track
    # The page says which specification it scores, and that the second was scored on the first's months.
    assert "monthly model revision 2" in track and "a second look, not a fresh test" in track
