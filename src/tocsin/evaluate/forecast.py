"""Forecast the next one and two years from the latest year's features, fitted on every known row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy.stats import spearmanr

from tocsin.evaluate.backtest import (
    OUTCOME_HORIZON,
    BacktestSpec,
    FitContext,
    HistoryRunner,
    add_ranks,
    estimator_factory,
    fit_year,
)
from tocsin.evaluate.cache import ALL_CODE, FitCache, code_fingerprint, frame_digest, make_key
from tocsin.models.base import Forecaster
from tocsin.models.registry import check_model_name, model_key

HORIZONS = {"1yr": "mk_onset_1", "2yr": "mk_onset_1or2"}
HISTORY_START = 1994  # EWP's first published forecast: where a model's own past forecasts are kept from


@dataclass
class Forecast:
    model: str
    base_year: int  # features from this year
    table: pd.DataFrame  # ccode, iso3, name, risk_1yr, risk_2yr, rank_1yr, rank_2yr (+ intervals, ewp columns)
    spearman_vs_ewp: float | None
    n_compared: int
    models: dict[str, Forecaster] = field(default_factory=dict)  # "1yr" / "2yr": the fitted models
    history_preds: pd.DataFrame | None = None  # models with a walk-forward inside: their past forecasts
    weights: dict[str, float] = field(default_factory=dict)  # members' weights in the two-year forecast
    member_history: pd.DataFrame | None = None  # members' out-of-sample forecasts, wide


def fit_for(panel: pd.DataFrame, model: str, outcome: str, base_year: int, *, cache: FitCache | None = None,
            n_jobs: int = 1, progress: Callable[[int], None] | None = None, runner: HistoryRunner | None = None,
            **params: Any) -> Forecaster:
    """Fit on what was known by the end of base_year (single models' fits cached by content; an ensemble's
    member fits likewise)."""
    assert OUTCOME_HORIZON[outcome] >= 0
    spec = BacktestSpec(start=base_year + 1, end=base_year + 1, outcome=outcome)
    ctx = FitContext(cache, model_key(model, dict(params)), None) if cache is not None else None
    factory = estimator_factory(model, params, cache=cache, n_jobs=n_jobs, progress=progress, runner=runner)
    return fit_year(panel, factory, base_year + 1, spec, ctx)


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
    params: dict[str, Any] | None = None,
    history_start: int = HISTORY_START,
) -> Forecast:
    """Fit on every known row and forecast from `base_year`'s features (default: the panel's last year).

    A model with a nested walk-forward inside (the ensemble) also gives its past forecasts from
    `history_start` (its track record, both horizons), its members' history and bootstrap intervals."""
    check_model_name(model)
    year = int(panel["year"].max()) if base_year is None else base_year
    known = panel[panel["year"] <= year]
    feats = known[known["year"] == year]
    table = feats[["ccode", "iso3", "name"]].copy().reset_index(drop=True)
    runner = HistoryRunner(cache, n_jobs, progress)  # one member history serves both horizons
    fitted = {key: fit_for(known, model, outcome, year, cache=cache, runner=runner, **(params or {}))
              for key, outcome in HORIZONS.items()}
    for key, m in fitted.items():
        table[f"risk_{key}"] = m.predict_proba(feats)[:, 1]
    one, two = fitted["1yr"], fitted["2yr"]
    history = member_history = None
    if hasattr(one, "past_forecasts"):
        past = one.past_forecasts(history_start, year).drop(columns="target")
        past2 = two.past_forecasts(history_start, year)[["ccode", "year", "prob"]]  # type: ignore[attr-defined]
        past = past.merge(past2.rename(columns={"prob": "prob_2y"}), on=["ccode", "year"], how="left")
        truth = known[["ccode", "year", "mk_onset"]].rename(columns={"mk_onset": "onset"})
        history = add_ranks(past.merge(truth, on=["ccode", "year"], how="left"))
        member_history = one.history_.rename(columns={"target": "onset"}).merge(  # type: ignore[attr-defined]
            two.history_[["ccode", "year", "target"]].rename(columns={"target": "onset_2y"}),  # type: ignore[attr-defined]
            on=["ccode", "year"], how="left")
        if intervals:
            from tocsin.evaluate.ensemble import stacker_bootstrap

            def boot() -> pd.DataFrame:
                return stacker_bootstrap(one, two, seed=seed, n_jobs=n_jobs)  # type: ignore[arg-type]

            key = make_key("stacker_bootstrap", frame_digest(member_history), year + 1, seed,
                           code_fingerprint(ALL_CODE))
            iv = cache.frame(key, boot) if cache is not None else boot()
            table = table.merge(iv, on="ccode", how="left")
    table = _rank(table)
    table, rho, n = _compare(table, ewp_published)
    return Forecast(model, year, table, rho, n, models=fitted, history_preds=history,
                    weights=dict(getattr(two, "weights_", {})), member_history=member_history)
