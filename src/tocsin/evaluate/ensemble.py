"""Intervals for a stacked ensemble's forecast: its stackers refitted on country-clustered resamples.

The ensemble itself is an estimator (`tocsin.models.ensemble.StackedEnsemble`, its nested walk-forward inside
`fit`); this module only resamples its members' out-of-sample history, on local workers or Dask.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.evaluate.parallel import run_tasks
from tocsin.models.choice import NestedChoice
from tocsin.models.ensemble import StackedEnsemble, fit_stacker


def _bootstrap_chunk(
    past: pd.DataFrame, cur: pd.DataFrame, cols: tuple[list[str], list[str]], cutoffs: tuple[int, int],
    min_onsets: int, picks: list[np.ndarray],
) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = {c: g for c, g in past.groupby("ccode")}
    out = []
    for pick in picks:
        sample = pd.concat([groups[c] for c in pick], ignore_index=True)
        one = fit_stacker(sample[sample["year"] <= cutoffs[0]], cols[0], "y1", min_onsets)
        two = fit_stacker(sample[sample["year"] <= cutoffs[1]], cols[1], "y2", min_onsets)
        if one is None or two is None:
            continue  # a resample with too few onsets says nothing about calibration
        out.append((one.predict_proba(cur[cols[0]])[:, 1], two.predict_proba(cur[cols[1]])[:, 1]))
    return out


def stacker_bootstrap(
    one: StackedEnsemble | NestedChoice, two: StackedEnsemble | NestedChoice, n_boot: int = 200, seed: int = 0,
    *, n_jobs: int = 1, chunk: int = 25,
) -> pd.DataFrame:
    """Intervals for the forecast of the year after the base year, from the one-year (`one`) and two-year
    (`two`) ensembles fitted on the same panel: refit both stackers on country-clustered resamples.

    Returns ccode, prob_lo, prob_hi, prob_2y_lo, prob_2y_hi, rank_lo, rank_hi (90% intervals; ranks by the
    two-year probability). This measures the uncertainty of weighting and calibration, not of member fits.
    The resamples are drawn up front from `seed`, so the result is the same on any number of workers.
    """
    year = one.base_year_ + 1
    cols = (one.member_cols_, two.member_cols_)  # a nested choice may have chosen different stacks
    extra = [c for c in two.member_cols_ if c not in one.member_cols_]
    w = one.history_.rename(columns={"target": "y1"}).merge(
        two.history_[["ccode", "year", "target", *extra]].rename(columns={"target": "y2"}), on=["ccode", "year"])
    cur = w[w["year"] == year].reset_index(drop=True)
    past = w[w["year"] <= year - 1]
    countries = past["ccode"].unique()
    rng = np.random.default_rng(seed)
    picks = [rng.choice(countries, len(countries)) for _ in range(n_boot)]
    cutoffs = (year - one.horizon_, year - two.horizon_)
    chunks = [(past, cur, cols, cutoffs, one.min_history_onsets, picks[i:i + chunk])
              for i in range(0, n_boot, chunk)]
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
