"""Stacked ensemble by nested walk-forward: members' own out-of-sample history weights and calibrates them.

For forecast year Y, every member forecasts Y exactly as in a plain walk-forward (fitted on rows known by
the end of Y-1). The stacker for Y is fitted on the members' walk-forward forecasts for earlier years whose
outcome was known by the end of Y-1: years <= Y-1 for "onset in the next year", years <= Y-2 for "onset
within two years". Nothing from year Y or later enters any step.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tocsin.core.errors import ModelError
from tocsin.evaluate.backtest import BacktestSpec, FitContext, add_ranks, forecast_many
from tocsin.evaluate.cache import FitCache, row_hashes
from tocsin.evaluate.parallel import run_tasks
from tocsin.models.registry import COMPOSITES, make_model, model_key
from tocsin.models.stacking import NonNegativeStacker, logit

BURN_IN_START = 1980  # first member forecasts: 14 years of out-of-sample history before 1994
MIN_HISTORY_ONSETS = 5


@dataclass
class EnsembleHistory:
    """Members' walk-forward forecasts, one column per member, with what happened after each."""

    members: tuple[str, ...]
    wide: pd.DataFrame  # ccode, year, onset (in year), onset_2y (in year or year+1), p_<member>...
    weights: dict[int, dict[str, float]] = field(default_factory=dict)

    @property
    def member_cols(self) -> list[str]:
        return [f"p_{m}" for m in self.members]


def member_history(
    panel: pd.DataFrame,
    members: tuple[str, ...],
    start: int,
    end: int,
    *,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    member_params: dict[str, dict[str, Any]] | None = None,
    cache: FitCache | None = None,
) -> EnsembleHistory:
    spec = BacktestSpec(start=start, end=end)
    params = member_params or {}
    rows = row_hashes(panel) if cache is not None and cache.enabled else None
    # The last year's fitted members are kept in the cache: they are the ones a forecast's explanations read.
    ctxs = {m: FitContext(cache, model_key(m, params.get(m, {})), rows, frozenset({end})) for m in members}
    # One pool over every (member, year) pair keeps both cores busy to the end.
    jobs = [(m, y) for m in members for y in range(start, end + 1)]
    args = [(partial(make_model, m, **params.get(m, {})), y, spec, ctxs[m]) for m, y in jobs]
    parts: dict[str, list[pd.DataFrame]] = {m: [] for m in members}
    frames = forecast_many(panel, args, n_jobs=n_jobs, progress=progress)
    for (m, _), frame in zip(jobs, frames, strict=True):
        parts[m].append(frame)
    wide: pd.DataFrame | None = None
    for m in members:
        part = pd.concat(parts[m], ignore_index=True).dropna(subset=["prob"])
        part = part.astype({"ccode": int, "year": int})[["ccode", "year", "prob"]].rename(columns={"prob": f"p_{m}"})
        wide = part if wide is None else wide.merge(part, on=["ccode", "year"], how="outer")
    assert wide is not None
    # Outcomes: onset in the forecast year; and in that year or the next (the feature row's 1-or-2 outcome).
    truth = panel[["ccode", "year", "mk_onset"]].rename(columns={"mk_onset": "onset"})
    nxt = panel[["ccode", "year", "mk_onset"]].assign(year=lambda d: d["year"] - 1)
    nxt = nxt.rename(columns={"mk_onset": "onset_next"})
    wide = wide.merge(truth, on=["ccode", "year"], how="left").merge(nxt, on=["ccode", "year"], how="left")
    wide["onset_2y"] = np.where(wide["onset"].isna(), np.nan,
                                np.fmax(wide["onset"], wide["onset_next"].fillna(0)))
    # Within two years is unknown until the following year has been observed.
    wide.loc[wide["onset_next"].isna(), "onset_2y"] = np.nan
    return EnsembleHistory(members, wide.drop(columns="onset_next").sort_values(["year", "ccode"]))


def _fit_stacker(hist: pd.DataFrame, cols: list[str], target: str) -> NonNegativeStacker:
    rows = hist.dropna(subset=[target])
    if rows[target].sum() < MIN_HISTORY_ONSETS:
        raise ModelError(f"ensemble: fewer than {MIN_HISTORY_ONSETS} onsets in the stacking history")
    return NonNegativeStacker().fit(rows[cols], rows[target].to_numpy())


def _equal_weights(cur: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The fallback: the mean of the members' log-odds (members missing for a row are left out)."""
    lo = logit(cur[cols].to_numpy(dtype=float))
    return 1.0 / (1.0 + np.exp(-np.nanmean(lo, axis=1)))


def stack_year(history: EnsembleHistory, year: int) -> pd.DataFrame:
    """Calibrated forecasts for `year`: prob (onset that year) and prob_2y (that year or the next).

    Fallback (documented in the README): while the members' own out-of-sample history holds fewer than
    MIN_HISTORY_ONSETS onsets, a stacker cannot be fitted, and the forecast is the members' equally weighted
    mean log-odds. The members are trained on the two-year outcome, so that is a two-year probability; with
    nothing to calibrate a one-year figure on, it stands for both horizons (ranks are sound, the one-year
    probability is an upper bound). `method` says which rule made each row.
    """
    w = history.wide
    cols = history.member_cols
    cur = w[w["year"] == year]
    out = cur[["ccode", "year", "onset"]].copy()
    try:
        one = _fit_stacker(w[w["year"] <= year - 1], cols, "onset")
    except ModelError:
        history.weights[year] = {m.removeprefix("p_"): 1.0 / len(cols) for m in cols}
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
            out["prob"] = _equal_weights(cur, cols)
        out["prob_2y"] = out["prob"]
        out["method"] = "equal-weight fallback"
        return out
    history.weights[year] = {k.removeprefix("p_"): v for k, v in one.weights_.items()}
    out["prob"] = one.predict_proba(cur[cols])[:, 1]
    try:
        two = _fit_stacker(w[w["year"] <= year - 2], cols, "onset_2y")
        out["prob_2y"] = two.predict_proba(cur[cols])[:, 1]
    except ModelError:
        out["prob_2y"] = out["prob"]
    out["method"] = "stacked"
    return out


def ensemble_walk_forward(
    panel: pd.DataFrame,
    spec: BacktestSpec,
    name: str = "ensemble",
    *,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    extra_years: int = 0,
    burn_in_start: int = BURN_IN_START,
    member_params: dict[str, dict[str, Any]] | None = None,
    cache: FitCache | None = None,
) -> tuple[pd.DataFrame, EnsembleHistory]:
    """Forecasts for spec.start..spec.end (+ extra_years ahead, e.g. next year's forecast)."""
    members = COMPOSITES[name]
    end = spec.end + extra_years
    history = member_history(panel, members, min(burn_in_start, spec.start), end, n_jobs=n_jobs,
                             progress=progress, member_params=member_params, cache=cache)
    frames = [stack_year(history, y) for y in range(spec.start, end + 1)]
    preds = pd.concat(frames, ignore_index=True).dropna(subset=["prob"])
    return add_ranks(preds), history


def _bootstrap_chunk(
    past: pd.DataFrame, cur: pd.DataFrame, cols: list[str], year: int, picks: list[np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = {c: g for c, g in past.groupby("ccode")}
    out = []
    for pick in picks:
        sample = pd.concat([groups[c] for c in pick], ignore_index=True)
        try:
            one = _fit_stacker(sample, cols, "onset")
            two = _fit_stacker(sample[sample["year"] <= year - 2], cols, "onset_2y")
        except ModelError:
            continue  # a resample with too few onsets says nothing about calibration
        out.append((one.predict_proba(cur[cols])[:, 1], two.predict_proba(cur[cols])[:, 1]))
    return out


def stacker_bootstrap(
    history: EnsembleHistory, year: int, n_boot: int = 200, seed: int = 0, *, n_jobs: int = 1, chunk: int = 25
) -> pd.DataFrame:
    """Intervals for `year`'s forecasts: refit both stackers on country-clustered resamples of the history.

    Returns ccode, prob_lo, prob_hi, prob_2y_lo, prob_2y_hi, rank_lo, rank_hi (90% intervals; ranks by the
    two-year probability). This measures the uncertainty of weighting and calibration, not of member fits.
    The resamples are drawn up front from `seed`, so the result is the same on any number of workers.
    """
    w = history.wide
    cols = history.member_cols
    cur = w[w["year"] == year].reset_index(drop=True)
    past = w[w["year"] <= year - 1]
    countries = past["ccode"].unique()
    rng = np.random.default_rng(seed)
    picks = [rng.choice(countries, len(countries)) for _ in range(n_boot)]
    chunks = [(past, cur, cols, year, picks[i:i + chunk]) for i in range(0, n_boot, chunk)]
    reps = [r for part in run_tasks(_bootstrap_chunk, chunks, n_jobs=n_jobs) for r in part]
    nan = np.full(len(cur), np.nan)
    if not reps:  # too little history for any stacker (the equal-weight fallback years)
        return pd.DataFrame({"ccode": cur["ccode"].to_numpy(), "prob_lo": nan, "prob_hi": nan, "prob_2y_lo": nan,
                             "prob_2y_hi": nan, "rank_lo": nan, "rank_hi": nan, "n_boot": 0})
    P1 = np.array([r[0] for r in reps])
    P2 = np.array([r[1] for r in reps])
    ranks = np.array([pd.Series(r).rank(ascending=False, method="min").to_numpy() for r in P2])
    return pd.DataFrame({
        "ccode": cur["ccode"].to_numpy(),
        "prob_lo": np.nanpercentile(P1, 5, axis=0), "prob_hi": np.nanpercentile(P1, 95, axis=0),
        "prob_2y_lo": np.nanpercentile(P2, 5, axis=0), "prob_2y_hi": np.nanpercentile(P2, 95, axis=0),
        "rank_lo": np.nanpercentile(ranks, 5, axis=0), "rank_hi": np.nanpercentile(ranks, 95, axis=0),
        "n_boot": len(P1),
    })
