"""Forecast the next one and two years from the latest year's features, fitted on every known row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from scipy.stats import spearmanr

from tocsin.evaluate.backtest import OUTCOME_HORIZON, BacktestSpec
from tocsin.models.base import COMPOSITES, Forecaster, check_model_name, make_model


@dataclass
class Forecast:
    model: str
    base_year: int  # features from this year
    table: pd.DataFrame  # ccode, iso3, name, risk_1yr, risk_2yr, rank_1yr, rank_2yr (+ intervals, ewp columns)
    spearman_vs_ewp: float | None
    n_compared: int
    models: dict[str, Forecaster] = field(default_factory=dict)
    history_preds: pd.DataFrame | None = None  # composites: the walk-forward forecasts made on the way
    weights: dict[str, float] = field(default_factory=dict)
    member_history: pd.DataFrame | None = None  # composites: members' out-of-sample forecasts, wide


def fit_for(panel: pd.DataFrame, model: str, outcome: str, base_year: int, **params: object) -> Forecaster:
    """Fit on rows whose `outcome` was known by the end of base_year."""
    cutoff = base_year - OUTCOME_HORIZON[outcome]
    train = panel[(panel["year"] <= cutoff) & panel[outcome].notna()]
    return make_model(model, **params).fit(train, train[outcome].to_numpy())


def _rank(table: pd.DataFrame) -> pd.DataFrame:
    table = table.dropna(subset=["risk_2yr"]).copy()
    for key in ("1yr", "2yr"):
        table[f"rank_{key}"] = table[f"risk_{key}"].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank_2yr").reset_index(drop=True)


def _compare(table: pd.DataFrame, ewp_published: pd.DataFrame | None) -> tuple[pd.DataFrame, float | None, int]:
    if ewp_published is None or ewp_published.empty:
        return table, None, 0
    table = table.merge(ewp_published, on="ccode", how="left")
    both = table.dropna(subset=["ewp_risk_2yr"])
    rho = float(spearmanr(both["risk_2yr"], both["ewp_risk_2yr"]).statistic) if len(both) > 2 else None
    return table, rho, len(both)


def make_forecast(
    panel: pd.DataFrame,
    model: str,
    *,
    base_year: int | None = None,
    ewp_published: pd.DataFrame | None = None,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    intervals: bool = True,
) -> Forecast:
    check_model_name(model)
    year = int(panel["year"].max()) if base_year is None else base_year
    feats = panel[panel["year"] == year]
    table = feats[["ccode", "iso3", "name"]].copy().reset_index(drop=True)
    if model in COMPOSITES:
        from tocsin.evaluate.ensemble import ensemble_walk_forward, stacker_bootstrap

        spec = BacktestSpec(start=1994, end=year)
        preds, history = ensemble_walk_forward(panel[panel["year"] <= year], spec, model, n_jobs=n_jobs,
                                               progress=progress, extra_years=1)
        nxt = preds[preds["year"] == year + 1][["ccode", "prob", "prob_2y"]]
        table = table.merge(nxt.rename(columns={"prob": "risk_1yr", "prob_2y": "risk_2yr"}), on="ccode")
        if intervals:
            table = table.merge(stacker_bootstrap(history, year + 1), on="ccode", how="left")
        table = _rank(table)
        table, rho, n = _compare(table, ewp_published)
        return Forecast(model, year, table, rho, n, history_preds=preds[preds["year"] <= year],
                        weights=history.weights.get(year + 1, {}), member_history=history.wide)
    fitted = {
        "1yr": fit_for(panel, model, "mk_onset_1", year),
        "2yr": fit_for(panel, model, "mk_onset_1or2", year),
    }
    for key, m in fitted.items():
        table[f"risk_{key}"] = m.predict_proba(feats)[:, 1]
    table = _rank(table)
    table, rho, n = _compare(table, ewp_published)
    return Forecast(model, year, table, rho, n, models=fitted)
