"""Forecast the next one and two years from the latest year's features, fitted on every known row."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy.stats import spearmanr

from tocsin.evaluate.backtest import OUTCOME_HORIZON
from tocsin.models.base import Forecaster, make_model


@dataclass
class Forecast:
    model: str
    base_year: int  # features from this year
    table: pd.DataFrame  # ccode, iso3, name, risk_1yr, risk_2yr, rank_1yr, rank_2yr (+ ewp columns)
    spearman_vs_ewp: float | None
    n_compared: int
    models: dict[str, Forecaster]


def fit_for(panel: pd.DataFrame, model: str, outcome: str, base_year: int, **params: object) -> Forecaster:
    """Fit on rows whose `outcome` was known by the end of base_year."""
    cutoff = base_year - OUTCOME_HORIZON[outcome]
    train = panel[(panel["year"] <= cutoff) & panel[outcome].notna()]
    return make_model(model, **params).fit(train, train[outcome].to_numpy())


def make_forecast(
    panel: pd.DataFrame, model: str, *, base_year: int | None = None, ewp_published: pd.DataFrame | None = None
) -> Forecast:
    year = int(panel["year"].max()) if base_year is None else base_year
    feats = panel[panel["year"] == year]
    fitted = {
        "1yr": fit_for(panel, model, "mk_onset_1", year),
        "2yr": fit_for(panel, model, "mk_onset_1or2", year),
    }
    table = feats[["ccode", "iso3", "name"]].copy().reset_index(drop=True)
    for key, m in fitted.items():
        table[f"risk_{key}"] = m.predict_proba(feats)[:, 1]
    table = table.dropna(subset=["risk_2yr"])
    for key in fitted:
        table[f"rank_{key}"] = table[f"risk_{key}"].rank(ascending=False, method="min").astype(int)
    table = table.sort_values("rank_2yr").reset_index(drop=True)
    rho: float | None = None
    n = 0
    if ewp_published is not None and not ewp_published.empty:
        table = table.merge(ewp_published, on="ccode", how="left")
        both = table.dropna(subset=["ewp_risk_2yr"])
        n = len(both)
        if n > 2:
            rho = float(spearmanr(both["risk_2yr"], both["ewp_risk_2yr"]).statistic)
    return Forecast(model, year, table, rho, n, fitted)
