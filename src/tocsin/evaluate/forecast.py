"""Forecast the next one and two years from the latest year's features, fitted on every known row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from scipy.stats import spearmanr

from tocsin.evaluate.backtest import OUTCOME_HORIZON, BacktestSpec, FitContext, fit_year
from tocsin.evaluate.cache import ALL_CODE, FitCache, code_fingerprint, frame_digest, make_key
from tocsin.models.base import Forecaster
from tocsin.models.registry import COMPOSITES, check_model_name, make_model, model_key


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


def fit_for(panel: pd.DataFrame, model: str, outcome: str, base_year: int, *, cache: FitCache | None = None,
            **params: object) -> Forecaster:
    """Fit on rows whose `outcome` was known by the end of base_year (cached by content when a cache is given)."""
    assert OUTCOME_HORIZON[outcome] >= 0
    spec = BacktestSpec(start=base_year + 1, end=base_year + 1, outcome=outcome)
    ctx = FitContext(cache, model_key(model, dict(params)), None) if cache is not None else None
    return fit_year(panel, lambda: make_model(model, **params), base_year + 1, spec, ctx)


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
    cache: FitCache | None = None,
    seed: int = 0,
    history: tuple[int, int] | None = None,
) -> Forecast:
    """Fit on every known row and forecast from `base_year`'s features (default: the panel's last year).

    Composites also make their walk-forward history (stacked from 1994, members from the 1980 burn-in), which
    is the track record; `history=(first stacked year, burn-in start)` shortens it (tests on real data)."""
    check_model_name(model)
    year = int(panel["year"].max()) if base_year is None else base_year
    feats = panel[panel["year"] == year]
    table = feats[["ccode", "iso3", "name"]].copy().reset_index(drop=True)
    if model in COMPOSITES:
        from tocsin.evaluate.ensemble import BURN_IN_START, ensemble_walk_forward, stacker_bootstrap

        first, burn_in = history or (1994, BURN_IN_START)
        spec = BacktestSpec(start=first, end=year)
        preds, hist = ensemble_walk_forward(panel[panel["year"] <= year], spec, model, n_jobs=n_jobs,
                                            progress=progress, extra_years=1, cache=cache, burn_in_start=burn_in)
        nxt = preds[preds["year"] == year + 1][["ccode", "prob", "prob_2y"]]
        table = table.merge(nxt.rename(columns={"prob": "risk_1yr", "prob_2y": "risk_2yr"}), on="ccode")
        if intervals:
            def boot() -> pd.DataFrame:
                return stacker_bootstrap(hist, year + 1, seed=seed, n_jobs=n_jobs)

            key = make_key("stacker_bootstrap", frame_digest(hist.wide), year + 1, seed, code_fingerprint(ALL_CODE))
            iv = cache.frame(key, boot) if cache is not None else boot()
            table = table.merge(iv, on="ccode", how="left")
        table = _rank(table)
        table, rho, n = _compare(table, ewp_published)
        return Forecast(model, year, table, rho, n, history_preds=preds[preds["year"] <= year],
                        weights=hist.weights.get(year + 1, {}), member_history=hist.wide)
    fitted = {
        "1yr": fit_for(panel, model, "mk_onset_1", year, cache=cache),
        "2yr": fit_for(panel, model, "mk_onset_1or2", year, cache=cache),
    }
    for key, m in fitted.items():
        table[f"risk_{key}"] = m.predict_proba(feats)[:, 1]
    table = _rank(table)
    table, rho, n = _compare(table, ewp_published)
    return Forecast(model, year, table, rho, n, models=fitted)
