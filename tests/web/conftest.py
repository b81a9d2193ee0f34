"""A small made-up Tocsin home for the web tests: warehouse, saved results, monitoring database, hotspots.

Four countries (Burma/Myanmar, Sudan, Kenya, France), a 2018-2024 backtest with two onsets (Sudan 2023
caught in the top 2, Kenya 2020 missed), a forecast from 2024 data, explanations for two of them, alerts
and incidents for Sudan, and hotspots for Kenya. Nothing here reads the data mirror or the network.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.sources.ewp import EWP_PREDICTORS

MODEL = "ewp"
# ccode, iso3, EWP name, region dummy, lon/lat of a made-up square
COUNTRIES = [
    (775, "MMR", "Burma/Myanmar", "reg.eap", (96.0, 20.0)),
    (625, "SDN", "Sudan", None, (30.0, 15.0)),
    (501, "KEN", "Kenya", None, (38.0, 0.0)),
    (220, "FRA", "France", "reg.eur", (2.0, 46.0)),
]
YEARS = range(2015, 2025)


def _panel(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for ccode, _, name, reg, _ in COUNTRIES:
        for y in YEARS:
            row: dict[str, Any] = {c: float(rng.normal()) for c in EWP_PREDICTORS}
            row.update({c: 0.0 for c in ("reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur")})
            if reg:
                row[reg] = 1.0
            row.update({"ccode": ccode, "year": y, "ewp_name": name, "year_sq": float(y * y)})
            onset = int((ccode, y) in {(625, 2023), (501, 2020)})
            row.update({"mk_onset": onset, "mk_onset_1": 0, "mk_onset_2": 0, "mk_onset_1or2": 0})
            rows.append(row)
    return pd.DataFrame(rows)


def _warehouse(path: Path, panel: pd.DataFrame) -> None:
    bounds = pd.DataFrame([{"iso3": iso3, "adm0_a3": iso3, "name": name, "sovereignt": name, "type": "Country",
                            "continent": "Africa", "wkt": box(x - 4, y - 4, x + 4, y + 4).wkt}
                           for _, iso3, name, _, (x, y) in COUNTRIES])
    prov = pd.DataFrame([
        {"source": s, "address": f"https://example.org/{s}.csv", "sha256": "ab" * 32, "bytes": 10,
         "retrieved_at": pd.Timestamp("2025-01-02 03:04:05"), "parser_version": "1", "origin": "mirror",
         "rows": 40, "year_min": 2015, "year_max": 2024, "publisher": pub, "licence": lic, "citation": cite,
         "description": s, "family": "traditional"}
        for s, pub, lic, cite in [
            ("ewp_panel", "Early Warning Project", "Public research data", "EWP (2025). Statistical Risk Assessment."),
            ("ewp_foos", "Early Warning Project", "Public research data", "EWP (2025). Statistical Risk Assessment."),
            ("ne_admin0_50m", "Natural Earth", "Public domain", "Natural Earth admin-0."),
            ("climate_spei1", "SPEIbase", "ODbL 1.0", "Vicente-Serrano et al. (2010)."),
        ]])
    con = duckdb.connect(str(path))
    for name, frame in (("ewp_panel", panel), ("ne_admin0_50m", bounds), ("_provenance", prov)):
        con.register("f", frame)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM f')
        con.unregister("f")
    con.close()


def _results(root: Path, rng: np.random.Generator, exist_ok: bool = False) -> None:
    root.mkdir(parents=True, exist_ok=exist_ok)
    preds = []
    base = {775: 0.08, 625: 0.06, 501: 0.01, 220: 0.002}
    for y in range(2018, 2025):
        probs = {c: base[c] * float(rng.uniform(0.8, 1.2)) for c in base}
        order = sorted(probs, key=lambda c: -probs[c])
        for c, p in probs.items():
            onset = float((c, y) in {(625, 2023), (501, 2020)})
            preds.append({"ccode": c, "year": y, "prob": p, "rank": order.index(c) + 1, "onset": onset})
    bt = pd.DataFrame(preds)
    bt["rank"] = bt["rank"].astype("Int64")
    bt.to_parquet(root / f"backtest_{MODEL}.parquet", index=False)
    scored = bt.assign(ewp_name=bt["ccode"].map({c[0]: c[2] for c in COUNTRIES}),
                       ewp_prob=bt["prob"] * 1.05, ewp_rank=bt["rank"])
    scored.to_parquet(root / f"scored_{MODEL}.parquet", index=False)
    fc = pd.DataFrame([{"ccode": c, "iso3": iso3, "name": name, "risk_1yr": base[c] / 2, "risk_2yr": base[c],
                        "rank_1yr": i + 1, "rank_2yr": i + 1, "ewp_risk_2yr": base[c] * 1.1,
                        "ewp_rank_2yr": float(i + 1), "base_year": 2024, "model": MODEL}
                       for i, (c, iso3, name, _, _) in enumerate(COUNTRIES)])
    fc.to_parquet(root / "forecast.parquet", index=False)
    (root / "forecast.json").write_text(json.dumps({"model": MODEL, "base_year": 2024, "spearman_vs_ewp": 1.0,
                                                    "n_compared": 4}))
    metrics = {"rows": 28, "onsets": 2, "auc": 0.8, "average_precision": 0.5, "top10_recall": 1.0,
               "top20_recall": 1.0, "top30_recall": 1.0, "brier": 0.05, "brier_base_rate": 0.06,
               "brier_skill": 0.1}
    per_year = [{"year": y, "rows": 4, "onsets": int(y in (2020, 2023)), "auc": 0.8, "auc_ewp": 0.79,
                 "top30_recall": 1.0, "top30_recall_ewp": 1.0} for y in range(2018, 2025)]
    (root / f"track_record_{MODEL}.json").write_text(json.dumps({
        "model": MODEL, "params": {}, "spec": {"start": 2018, "end": 2024, "outcome": "mk_onset_1or2",
                                               "target": "mk_onset"},
        "metrics": metrics, "ewp_published_metrics": {**metrics, "auc": 0.79},
        "difference_vs_ewp": {"auc": {"difference": 0.01, "ci_low": -0.02, "ci_high": 0.04}},
        "per_year": per_year, "unscored_rows": []}))
    ex = []
    for c in (775, 625):
        for y in (2023, 2024):
            for i, feat in enumerate(("battledeaths.log2", "discrimpop", "coup.try.5yr")):
                ex.append({"ccode": c, "year": y, "feature": feat, "label": f"Label of {feat}",
                           "family": "traditional", "un_factors": "1,8", "value": float(i),
                           "contribution": 0.5 - 0.3 * i + 0.1 * (y - 2023),
                           "contribution_change": None if y == 2023 else 0.1 * (i + 1)})
    pd.DataFrame(ex).to_parquet(root / "explanations.parquet", index=False)


def _monitoring(settings: Settings) -> None:
    from tocsin.monitor import auth, incidents, service
    from tocsin.monitor.incidents import IncidentIn
    from tocsin.monitor.models import Alert

    _, factory = service.open_db(settings, migrate=True)
    with factory() as session, session.begin():
        user = auth.create_user(session, None, "analyst1", "correct horse battery", "analyst")
        for d, cat in ((date(2024, 3, 4), "hate_speech"), (date(2024, 3, 5), "hate_speech"),
                       (date(2024, 3, 12), "violence_against_civilians")):
            incidents.submit(session, user, IncidentIn(country="Sudan", event_date=d, category=cat,
                                                       text="secret words"))
        session.add(Alert(country_iso3="SDN", category="hate_speech", week_start=date(2024, 3, 4),
                          statistic=6.5, threshold=4.0, evidence={"weighted_counts": [0, 0, 5],
                                                                  "incident_ids": [1, 2]}))


def fake_hotspots(iso3: str, settings: Settings, year: int | None = None, weights: Any = None,
                  country: str | None = None, ged_csv: Any = None) -> Any:
    """Kenya only: three made-up provinces, so maps and tables have something real-shaped to draw."""
    from tocsin.geo.hotspots import ADMIN1_USE, HotspotResult
    from tocsin.geo.vulnerability import COMPONENTS

    if iso3 != "KEN":
        raise DataError("hotspots", f"no subnational inputs for {iso3}")
    units = gpd.GeoDataFrame({"code": ["K1", "K2", "K3"], "name": ["Turkana", "Mandera", "Nairobi"],
                              "hasc": [None, None, None]},
                             geometry=[box(34, 2, 37, 5), box(39, 2, 42, 4), box(36, -2, 37.5, 0)], crs=4326)
    table = units[["code", "name", "hasc"]].copy()
    table["total"] = [0.9, 0.6, 0.1]
    table["coverage"] = [1.0, 1.0, 0.5]
    for k in COMPONENTS:
        table[k] = table["total"] if k == "drought" else np.nan
        table[f"raw_{k}"] = table[k]
    table["missing"] = ""
    table["rank"] = [1.0, 2.0, 3.0]
    return HotspotResult(iso3="KEN", country=country or "Kenya", year=year or 2012, table=table, units=units,
                         weights={"drought": 1.0}, missing={"violence": "no events"}, notes=[],
                         sources=[ADMIN1_USE])


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("web_home")
    empty_mirror = tmp_path_factory.mktemp("empty_mirror")  # any fetch fails fast instead of going online
    settings = Settings(home=home, data_mirror=empty_mirror)
    rng = np.random.default_rng(7)
    _warehouse(settings.warehouse_path, _panel(rng))
    _run(settings, rng)
    _watch_run(settings, rng)
    _monitoring(settings)
    return settings


def _watch_run(settings: Settings, rng: np.random.Generator) -> str:
    """A published watch run (what `tocsin watch build` writes) for the four countries, 2023-01..2024-12, with
    Myanmar's monthly risk rising in 2024-12 after a coup and a rise in civilian deaths."""
    from tocsin.evaluate.runs import RunStore
    from tocsin.features.monthly import FEATURES, RELEASE_LAG, month_index
    from tocsin.reports import watch as rw

    months = range(int(month_index(2023, 1)), int(month_index(2024, 12)) + 1)
    rows = [(c[0], m) for c in COUNTRIES for m in months]
    panel = pd.DataFrame(rows, columns=["ccode", "mi"])
    for f in FEATURES:
        panel[f] = rng.normal(0, 0.1, len(panel))
    last = panel["mi"] == months[-1]
    mmr = (panel["ccode"] == 775) & last
    panel.loc[mmr, "ucdp_civ_esc"] = 3.0
    panel.loc[mmr, "coup_successes_6m"] = 1.0
    panel["ucdp_civ_3m_raw"], panel["ucdp_civ_base12_raw"] = np.where(mmr, 300.0, 5.0), 40.0
    panel["ucdp_data_through"] = "2024-11"
    panel["coup_last_date"] = np.where(mmr, "2024-12-01", None)
    coef = {f: 0.0 for f in FEATURES} | {"yearly_logit": 1.0, "ucdp_civ_esc": 0.8, "coup_successes_6m": 0.5}
    z = sum(panel[f] * w for f, w in coef.items()) - 4.0
    preds = panel[["ccode", "mi"]].assign(prob=1 / (1 + np.exp(-z)), yearly_prob=0.02, onset_12m=0.0, excluded="",
                                          next_onset=np.nan)
    preds["yearly_prob"] += preds["ccode"].map({775: 0.01, 625: 0.02, 501: 0.0, 220: -0.015})
    preds["rank"] = preds.groupby("mi")["prob"].rank(ascending=False, method="first")
    preds["yearly_rank"] = preds.groupby("mi")["yearly_prob"].rank(ascending=False, method="first")
    models = pd.DataFrame([{"mi": m, "variant": "full:C=0.1", "intercept": -4.0,
                            **{f"coef:{f}": w for f, w in coef.items()}, **{f"mean:{f}": 0.0 for f in FEATURES},
                            **{f"scale:{f}": 1.0 for f in FEATURES}} for m in months])
    metric = {"value": 0.8, "ci_low": 0.7, "ci_high": 0.9}
    diff = {"difference": 0.01, "ci_low": -0.05, "ci_high": 0.07}
    evaluation = {"months": ["2023-01", "2023-12"], "country_months": 48, "countries": 4, "onset_months": 3,
                  "onsets_scored": 1, "monthly": {k: metric for k in ("auc", "top30_recall", "brier")},
                  "yearly_held_fixed": {k: metric for k in ("auc", "top30_recall", "brier")},
                  "difference_monthly_minus_yearly": {k: diff for k in ("auc", "top30_recall", "brier")},
                  "year_only_onsets": {"count": 1, "excluded_country_months": 23, "onsets": ["775 2021 (junta)"]},
                  "lead_times": [{"ccode": 625, "onset": "2023-06", "monthly_lead_months": 5,
                                  "yearly_lead_months": 5}],
                  "monthly_lead": {"onsets": 1, "in_top30_month_before": 1, "median_months_missed_as_0": 5.0},
                  "yearly_lead": {"onsets": 1, "in_top30_month_before": 1, "median_months_missed_as_0": 5.0}}
    with RunStore(settings.runs_dir).create("watch", model=rw.MODEL_NAME, yearly_from_run="synthetic",
                                            release_lag_months=RELEASE_LAG, model_revision=2) as run:
        panel.to_parquet(run.path / rw.PANEL)
        preds.to_parquet(run.path / rw.PREDICTIONS)
        models.to_parquet(run.path / rw.MODELS)
        pd.DataFrame({"ccode": [625], "year": [2023], "month": [6], "dated": [True]}).to_parquet(
            run.path / rw.ONSETS)
        (run.path / rw.EVALUATION).write_text(json.dumps(evaluation))
    return run.id


@pytest.fixture(autouse=True)
def _reads_runs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every web test runs with model fitting, feature building and hotspot computation forbidden."""
    forbid_heavy_work(monkeypatch)


def _run(settings: Settings, rng: np.random.Generator) -> str:
    """A published forecast run holding what `tocsin forecast` writes: results, hotspots, prevention evidence."""
    import pickle

    from tocsin.evaluate.runs import RunStore
    from tocsin.features.panel import base_registry, load_panel
    from tocsin.prevention.rank import snapshot_evidence
    from tocsin.reports.produce import EVIDENCE, HOTSPOTS_DIR
    from tocsin.warehouse.store import Warehouse

    with RunStore(settings.runs_dir).create("forecast", model=MODEL, base_year=2024, seed=1,
                                            sources=[{"source": "ewp_panel", "sha256": "ab" * 32,
                                                      "retrieved_at": "2025-01-02"}]) as run:
        _results(run.path, rng, exist_ok=True)
        (run.path / HOTSPOTS_DIR).mkdir()
        kenya = fake_hotspots("KEN", settings)
        (run.path / HOTSPOTS_DIR / "KEN.pickle").write_bytes(pickle.dumps(kenya))
        frame = load_panel(Warehouse(settings.warehouse_path))
        snap = snapshot_evidence(frame, base_registry(), 2024, [c[0] for c in COUNTRIES], settings,
                                 hotspot_results={"KEN": kenya})
        (run.path / EVIDENCE).write_bytes(pickle.dumps(snap))
    return run.id


def _forbidden(*_a: Any, **_k: Any) -> Any:
    raise AssertionError("a request fitted a model, built features or computed hotspots: it must read a run")


def forbid_heavy_work(mp: pytest.MonkeyPatch) -> None:
    """Model fitting, feature building, hotspot computation and index building raise from here on: the
    dashboard, the API and briefs only read runs."""
    from tocsin.evaluate import backtest, explain, pipeline
    from tocsin.evaluate import watch as ew
    from tocsin.features import build
    from tocsin.features import monthly as fm
    from tocsin.geo import hotspots as hs
    from tocsin.models import registry
    from tocsin.models.monthly import MonthlyUpdate
    from tocsin.prevention import accountability, rank

    for module, name in ((registry, "make_model"), (explain, "make_model"), (backtest, "fit_year"),
                         (pipeline, "fit_year"), (build, "load_features"), (build, "build_features"),
                         (pipeline, "load_features"), (hs, "hotspots"), (rank, "gather_evidence"),
                         (accountability.AccountabilityTables, "from_warehouse"), (MonthlyUpdate, "fit"),
                         (fm, "signal_features"), (fm, "monthly_panel"), (ew, "walk_forward")):
        if hasattr(module, name):
            mp.setattr(module, name, _forbidden)


@pytest.fixture(scope="session")
def web_app(web_home: Settings) -> Any:
    from tocsin.web.app import create_app

    return create_app(web_home)


@pytest.fixture(scope="session")
def client(web_app: Any) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(web_app)


@pytest.fixture(scope="session")
def live_server(web_app: Any) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
