"""The foundation on the real data mirror: pull, reproduce EWP's track record, forecast, explain, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.cli.main import app
from tocsin.evaluate.runs import RunStore

pytestmark = pytest.mark.integration


def test_the_panel_covers_1960_to_2024_keyed_by_gw_code_with_iso3_and_outcomes(real_panel) -> None:  # type: ignore[no-untyped-def]
    panel, ewp = real_panel
    assert (panel["year"].min(), panel["year"].max()) == (1960, 2024)
    assert not panel.duplicated(["ccode", "year"]).any()
    assert {"mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2", "iso3", "name"} <= set(panel.columns)
    burma = panel[panel["ccode"] == 775].iloc[-1]
    assert (burma["iso3"], burma["name"]) == ("MMR", "Burma/Myanmar")
    assert panel["iso3"].notna().mean() > 0.97  # only states with no ISO3 (e.g. historical ones) lack one
    rows = ewp[ewp["risk_prev"].notna()]
    assert (len(rows), int(rows["mk_onset"].sum())) == (5032, 39)


def test_ewp_model_reproduces_ewps_published_track_record_within_002_auc(forecast_home: Path) -> None:
    # `forecast --model ewp` ran the 1994-2024 walk-forward backtest and saved its track record.
    run = RunStore(forecast_home / "runs").latest()
    assert run is not None and run.record["model"] == "ewp"
    tr = run.store.track_record("ewp")
    m, e = tr["metrics"], tr["ewp_published_metrics"]
    assert (tr["spec"]["start"], tr["spec"]["end"]) == (1994, 2024)
    assert (m["rows"], m["onsets"]) == (5032, 39)
    assert e["auc"] == pytest.approx(0.838, abs=0.001)  # the figure EWP publishes
    assert e["brier"] == pytest.approx(0.0083, abs=0.00005)
    assert abs(m["auc"] - e["auc"]) < 0.02
    assert abs(m["top30_recall"] - e["top30_recall"]) <= 0.08
    assert tr["unscored_rows"] == []
    assert {"auc", "top30_recall", "brier"} <= set(tr["difference_vs_ewp"])


@pytest.fixture
def home_copy(pulled_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(pulled_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("TOCSIN_HOME", str(home))
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(mirror))
    return home


def test_forecast_writes_csv_json_and_a_self_contained_report(forecast_home: Path) -> None:
    out = forecast_home / "reports"
    payload = json.loads((out / "forecast_2025_ewp.json").read_text())
    assert payload["base_year"] == 2024
    assert payload["spearman_vs_ewp"] > 0.99  # same model, same data as EWP's published 2025 forecast
    assert payload["forecasts"][0]["rank_2yr"] == 1
    html = (out / "forecast_2025_ewp.html").read_text()
    assert "Burma/Myanmar" in html and "Early Warning Project" in html
    assert "Track record" in html and "Reliability" in html and "Why: the drivers" in html
    assert "<script src=" not in html and "<link rel=\"stylesheet\" href=" not in html


def test_explain_names_the_drivers_behind_burmas_2016_rank(home_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "burma.json"
    res = CliRunner().invoke(app, ["explain", "Burma/Myanmar", "--year", "2016", "--model", "ewp",
                                   "--json", str(out)])
    assert res.exit_code == 0, res.output
    e = json.loads(out.read_text())
    assert e["ccode"] == 775 and e["year"] == 2016
    top = sorted(e["drivers"], key=lambda d: -abs(d["contribution"]))[:5]
    assert all(d["label"] and d["family"] for d in top)
    assert sum(d["contribution"] for d in e["drivers"]) > 0  # above an average country
    assert {f["family"] for f in e["by_family"]} >= {"traditional"}


def test_a_pull_from_a_broken_mirror_is_one_line_and_changes_nothing(home_copy: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    before = (home_copy / "warehouse.duckdb").read_bytes()
    monkeypatch.setenv("TOCSIN_DATA_MIRROR", str(tmp_path / "empty"))
    res = CliRunner().invoke(app, ["data", "pull"])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines[-1].startswith("error:") and "not in the data mirror" in res.output
    assert (home_copy / "warehouse.duckdb").read_bytes() == before
