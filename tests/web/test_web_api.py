"""Every JSON endpoint of the dashboard, against the real app built by create_app on made-up saved results."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pytest


def get(client: Any, url: str, status: int = 200) -> Any:
    r = client.get(url)
    assert r.status_code == status, r.text
    return r


def test_years_lists_backtest_years_and_forecast_year_with_credits(client: Any) -> None:
    body = get(client, "/api/risk/years").json()
    assert body["years"] == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    assert body["forecast_year"] == 2025 and body["model"] == "ewp"
    assert "Europe" in body["regions"]
    assert any(c["licence"] == "Public domain" for c in body["credits"])


def test_risk_defaults_to_latest_forecast_ranked_and_paged(client: Any) -> None:
    body = get(client, "/api/risk?limit=2&offset=1").json()
    assert body["total"] == 4 and body["limit"] == 2 and body["offset"] == 1
    assert [r["name"] for r in body["items"]] == ["Sudan", "Kenya"]
    assert body["items"][0]["rank"] == 2 and body["items"][0]["kind"] == "forecast"
    assert body["items"][0]["region"] == "Sub-Saharan Africa"


def test_risk_past_year_is_backtest_with_onsets_and_region_filter(client: Any) -> None:
    body = get(client, "/api/risk?year=2023&region=Sub-Saharan%20Africa").json()
    assert {r["name"] for r in body["items"]} == {"Sudan", "Kenya"}
    sudan = next(r for r in body["items"] if r["name"] == "Sudan")
    assert sudan["onset"] == 1 and sudan["kind"] == "backtest" and sudan["ewp_risk"] is not None


def test_risk_unknown_year_is_404_and_bad_region_is_422(client: Any) -> None:
    assert "2018-2025" in get(client, "/api/risk?year=1990", 404).json()["detail"]
    get(client, "/api/risk?region=Atlantis", 422)


def test_risk_downloads_csv_parquet_and_geojson(client: Any) -> None:
    r = get(client, "/api/risk?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    csv = pd.read_csv(io.StringIO(r.text))
    assert len(csv) == 4 and csv["name"].iloc[0] == "Burma/Myanmar"
    r = get(client, "/api/risk?year=2020&format=parquet")
    assert len(pd.read_parquet(io.BytesIO(r.content))) == 4
    doc = json.loads(get(client, "/api/risk?format=geojson").text)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4
    assert doc["features"][0]["geometry"]["type"] == "Polygon"
    assert doc["tocsin"]["credits"]


def test_track_record_summary_and_year_with_misses(client: Any) -> None:
    tr = get(client, "/api/track-record").json()
    assert tr["metrics"]["auc"] == 0.8 and len(tr["per_year"]) == 7
    y = get(client, "/api/track-record/2020?k=2").json()
    assert y["onsets"] == 1 and y["caught"] == 0
    assert [m["name"] for m in y["misses"]] == ["Kenya"]
    assert len(y["top"]) == 2
    get(client, "/api/track-record/2025", 503)  # the forecast year's onsets are not known
    get(client, "/api/track-record/1980", 404)


def test_lookup_accepts_names_codes_and_variants(client: Any) -> None:
    for q in ("Burma", "MMR", "775", "myanmar", "Burma/Myanmar"):
        assert get(client, f"/api/lookup?q={q}").json()["gwcode"] == 775, q


def test_unknown_country_is_404_with_close_matches(client: Any) -> None:
    body = get(client, "/api/countries/Sudann", 404).json()
    assert body["query"] == "Sudann" and "Sudan" in body["suggestions"]
    assert "Did you mean" in body["detail"]
    assert get(client, "/api/lookup?q=Frence", 404).json()["suggestions"][0] == "France"


def test_countries_list_filters_by_name(client: Any) -> None:
    body = get(client, "/api/countries?q=an&limit=50").json()
    assert {r["display_name"] for r in body["items"]} == {"Sudan", "France", "Burma/Myanmar"}
    assert get(client, "/api/countries?q=ken").json()["items"][0]["iso3"] == "KEN"
    assert get(client, "/api/countries").json()["total"] == 4


def test_country_summary_has_risk_rank_trend_and_track_line(client: Any) -> None:
    s = get(client, "/api/countries/Sudan").json()
    cur = s["current"]
    assert cur["rank"] == 2 and cur["of"] == 4 and cur["year"] == 2025
    assert cur["previous_rank"] is not None and cur["rank_interval"] is None
    assert "rank is shown alone" in cur["rank_interval_note"]
    assert s["track_record_line"].startswith("Backtest 2018-2024")


def test_history_lists_backtest_then_forecast(client: Any) -> None:
    h = get(client, "/api/countries/SDN/history").json()
    assert [r["year"] for r in h] == list(range(2018, 2026))
    assert h[-1]["kind"] == "forecast" and h[5]["onset"] == 1
    csv = pd.read_csv(io.StringIO(get(client, "/api/countries/SDN/history?format=csv").text))
    assert len(csv) == 8


def test_drivers_from_explanations_or_from_inputs(client: Any) -> None:
    d = get(client, "/api/countries/MMR/drivers").json()
    assert d["available"] and d["data"]["kind"] == "contributions" and d["data"]["year"] == 2024
    assert d["data"]["top"][0]["feature"] == "battledeaths.log2"  # largest |contribution|
    assert d["data"]["changed"][0]["contribution_change"] == pytest.approx(0.3)
    k = get(client, "/api/countries/KEN/drivers").json()  # no explanations for Kenya: inputs, said so
    assert k["available"] and k["data"]["kind"] == "inputs" and "not saved" in k["note"]
    assert all("z" in r for r in k["data"]["top"])


def test_explanations_paged_filtered_and_downloadable(client: Any) -> None:
    e = get(client, "/api/countries/SDN/explanations?limit=2").json()
    assert e["available"] and e["total"] == 6 and len(e["items"]) == 2
    assert e["items"][0]["year"] == 2024
    assert get(client, "/api/countries/SDN/explanations?year=2023").json()["total"] == 3
    parquet = pd.read_parquet(io.BytesIO(get(client, "/api/countries/SDN/explanations?format=parquet").content))
    assert len(parquet) == 6
    assert get(client, "/api/countries/France/explanations").json()["total"] == 0


def test_hotspots_table_geojson_and_plain_absence(client: Any) -> None:
    h = get(client, "/api/countries/Kenya/hotspots").json()
    assert h["available"] and [a["name"] for a in h["items"]] == ["Turkana", "Mandera", "Nairobi"]
    assert h["sources"][0]["licence"].startswith("Public domain")
    doc = json.loads(get(client, "/api/countries/KEN/hotspots?format=geojson").text)
    assert len(doc["features"]) == 3 and doc["tocsin"]["iso3"] == "KEN"
    m = get(client, "/api/countries/MMR/hotspots").json()
    assert not m["available"] and "No subnational inputs" in m["note"] and m["items"] == []


def _analyst(client: Any) -> dict[str, str]:
    r = client.post("/monitor/token", json={"username": "analyst1", "password": "correct horse battery"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_incidents_are_weekly_counts_without_texts(client: Any) -> None:
    assert client.get("/api/countries/SDN/incidents").status_code == 401  # monitoring data follows roles
    r = client.get("/api/countries/SDN/incidents", headers=_analyst(client))
    body = r.json()
    assert body["available"] and body["total"] == 2
    assert body["items"][0] == {"week_start": "2024-03-04", "category": "hate_speech", "incidents": 2,
                                "verified": 0}
    assert "secret words" not in r.text and "analyst1" not in r.text
    assert client.get("/api/countries/FRA/incidents", headers=_analyst(client)).json()["total"] == 0


def test_alerts_listed_with_evidence_for_analysts_only(client: Any) -> None:
    assert client.get("/api/countries/Sudan/alerts").status_code == 401
    h = _analyst(client)
    a = client.get("/api/countries/Sudan/alerts", headers=h).json()
    assert a["total"] == 1 and a["items"][0]["statistic"] == 6.5
    assert a["items"][0]["evidence"]["incident_ids"] == [1, 2]
    assert "text/csv" in client.get("/api/countries/Sudan/alerts?format=csv", headers=h).headers["content-type"]


def test_prevention_says_plainly_which_evidence_the_run_lacked(client: Any) -> None:
    p = get(client, "/api/countries/SDN/prevention").json()
    # The made-up warehouse lacks the accountability tables and Sudan has no hotspot inputs: the options are
    # ranked from what there is, and what was missing is said, not hidden.
    assert p["available"] is True
    assert "accountability flags not checked" in p["note"] and "no subnational hotspot inputs" in p["note"]


def test_prevention_lists_ranked_options_with_rationale(web_home: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date
    from types import SimpleNamespace

    from tocsin.prevention import rank
    from tocsin.reports.dossier import DataContext, prevention

    tool = SimpleNamespace(name="Targeted sanctions", actors=("treasury",), lead_time="1-6 months",
                           cost_class="low")
    seen = []

    def fake_report(ccode: int, year: int, settings: Any, *, evidence: Any = None, **_: Any) -> Any:
        seen.append((ccode, year))
        assert evidence is not None and evidence.year == year  # the run's evidence, not gathered now
        return SimpleNamespace(options=[SimpleNamespace(tool=tool, score=2.5, rationale="Addresses killings")],
                               notes=["no trigger calendar yet"], playbook_version="test", as_of=date(2025, 1, 1),
                               sources=[{"name": "panel", "publisher": "EWP", "licence": "open", "citation": "c"}])

    monkeypatch.setattr(rank, "prevention_report", fake_report)
    sec = prevention(DataContext(web_home), 625)
    assert seen == [(625, 2024)]  # the data year of the latest run
    assert sec.available and sec.data[0]["name"] == "Targeted sanctions" and sec.data[0]["score"] == 2.5
    assert "no trigger calendar yet" in sec.note and sec.sources[0]["licence"] == "open"


def test_sources_carry_licence_citation_and_vintage(client: Any) -> None:
    rows = get(client, "/api/countries/KEN/sources").json()
    assert rows[0]["source"] == "ewp_foos" or rows[0]["source"].startswith("ewp")
    assert all(r["licence"] and r["citation"] for r in rows)
    assert any(r["retrieved_at"] == "2025-01-02 03:04:05" for r in rows)
    assert any("Natural Earth admin-1" in r["citation"] for r in rows)  # the hotspot layer's source
    assert len(get(client, "/api/sources").json()) == 4


def test_compare_returns_each_country_history(client: Any) -> None:
    c = get(client, "/api/compare?countries=SDN,Burma").json()
    assert [i["summary"]["country"]["iso3"] for i in c["countries"]] == ["SDN", "MMR"]
    assert len(c["countries"][1]["history"]) == 8
    assert "suggestions" in get(client, "/api/compare?countries=SDN,Nowhereland", 404).json()


def test_openapi_documents_every_dashboard_endpoint(client: Any) -> None:
    paths = get(client, "/openapi.json").json()["paths"]
    for p in ("/api/risk", "/api/risk/years", "/api/track-record", "/api/track-record/{year}", "/api/lookup",
              "/api/countries", "/api/countries/{country}", "/api/countries/{country}/history",
              "/api/countries/{country}/drivers", "/api/countries/{country}/explanations",
              "/api/countries/{country}/hotspots", "/api/countries/{country}/incidents",
              "/api/countries/{country}/alerts", "/api/countries/{country}/prevention",
              "/api/countries/{country}/sources", "/api/sources", "/api/compare"):
        assert p in paths, p
    assert "/" not in paths and "/country/{country}" not in paths  # HTML pages stay out of the API spec
