"""A model's track record: its walk-forward forecasts scored beside EWP's published ones, on the same rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tocsin.core.records import frame_records, json_clean
from tocsin.evaluate.backtest import (
    BacktestSpec,
    FitContext,
    add_ranks,
    estimator_factory,
    missing_rows,
    restrict_to,
    walk_forward,
)
from tocsin.evaluate.cache import FitCache
from tocsin.evaluate.metrics import bootstrap_difference, score, score_by_year
from tocsin.models.registry import check_model_name, model_key


@dataclass
class TrackRecord:
    model: str
    spec: BacktestSpec
    predictions: pd.DataFrame  # every forecast the model made: ccode, year, prob, rank, onset
    scored: pd.DataFrame  # the rows EWP also forecast: + ewp_prob, ewp_rank, name
    metrics: dict[str, float]
    ewp_metrics: dict[str, float]
    per_year: pd.DataFrame
    differences: dict[str, dict[str, float]]
    unscored: pd.DataFrame  # EWP rows this model could not forecast (missing inputs)
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        clean, records = json_clean, frame_records
        return {
            "model": self.model,
            "params": clean(self.params),
            "spec": {"start": self.spec.start, "end": self.spec.end, "outcome": self.spec.outcome,
                     "target": self.spec.target},
            "metrics": {k: clean(v) for k, v in self.metrics.items()},
            "ewp_published_metrics": {k: clean(v) for k, v in self.ewp_metrics.items()},
            "difference_vs_ewp": self.differences,
            "per_year": records(self.per_year),
            "predictions": records(self.predictions[["ccode", "year", "prob", "rank", "onset"]]),
            "scored_rows": records(self.scored[["ccode", "year"]]),
            "unscored_rows": records(self.unscored),
        }


def run_track_record(
    panel: pd.DataFrame,
    ewp: pd.DataFrame,
    model: str,
    spec: BacktestSpec,
    *,
    n_jobs: int = 1,
    seed: int = 0,
    n_boot: int = 1000,
    progress: Callable[[int], None] | None = None,
    model_params: dict[str, Any] | None = None,
    cache: FitCache | None = None,
) -> TrackRecord:
    """Backtest `model` and score it on exactly the rows that carry EWP's published `risk_prev`."""
    params = model_params or {}
    preds = model_forecasts(panel, model, spec, n_jobs=n_jobs, progress=progress, params=params, cache=cache)
    return score_track_record(preds, ewp, model, spec, seed=seed, n_boot=n_boot, params=params)


def model_forecasts(
    panel: pd.DataFrame,
    model: str,
    spec: BacktestSpec,
    *,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    params: dict[str, Any] | None = None,
    cache: FitCache | None = None,
) -> pd.DataFrame:
    """Walk-forward forecasts of any named model (fits cached by content when a cache is given)."""
    check_model_name(model)
    ctx = FitContext(cache, model_key(model, params), None) if cache is not None else None
    factory = estimator_factory(model, params, cache=cache, n_jobs=n_jobs, progress=progress)
    return walk_forward(panel, factory, spec, n_jobs=n_jobs, progress=progress, ctx=ctx)


def score_track_record(
    preds: pd.DataFrame,
    ewp: pd.DataFrame,
    model: str,
    spec: BacktestSpec,
    *,
    seed: int = 0,
    n_boot: int = 1000,
    params: dict[str, Any] | None = None,
) -> TrackRecord:
    """Score past forecasts beside EWP's published ones, on the rows both have."""
    preds = preds[preds["year"].between(spec.start, spec.end)]
    ewp_rows = ewp[ewp["risk_prev"].notna() & ewp["year"].between(spec.start, spec.end)]
    ewp_rows = ewp_rows.rename(columns={"risk_prev": "ewp_prob"})[["ccode", "year", "ewp_name", "ewp_prob"]]
    ours = restrict_to(preds, ewp_rows)
    scored = ours.merge(ewp_rows, on=["ccode", "year"], how="inner")
    scored = add_ranks(scored, "ewp_prob", "ewp_rank")
    unscored = missing_rows(preds, ewp_rows)
    if scored.empty:
        # EWP published no forecast for these years (before 1994): score every country-year whose outcome is
        # known, with nothing to compare against.
        own = preds.dropna(subset=["onset"]).assign(ewp_name=None, ewp_prob=float("nan"), ewp_rank=float("nan"))
        return TrackRecord(model, spec, preds, own, score(own), {}, score_by_year(own), {}, unscored.iloc[0:0],
                           params or {})
    metrics = score(scored)
    ewp_metrics = score(scored, "ewp_prob", "ewp_rank")
    per_year = score_by_year(scored).merge(
        score_by_year(scored, "ewp_prob", "ewp_rank"), on="year", suffixes=("", "_ewp")
    )
    diffs = bootstrap_difference(
        scored["onset"].to_numpy(),
        (scored["prob"].to_numpy(), scored["rank"].to_numpy(dtype=float)),
        (scored["ewp_prob"].to_numpy(), scored["ewp_rank"].to_numpy(dtype=float)),
        groups=scored["ccode"].to_numpy(), n_boot=n_boot, seed=seed,  # country-clustered
    )
    return TrackRecord(model, spec, preds, scored, metrics, ewp_metrics, per_year, diffs, unscored, params or {})
