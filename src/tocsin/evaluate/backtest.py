"""Walk-forward backtest: produce the forecasts a model would have made each past year. Scoring is separate.

For forecast year Y the model is fitted only on rows whose outcome was known by the end of year Y-1
(for an outcome looking h years ahead, rows up to Y-1-h) and predicts from the features of year Y-1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed

from tocsin.core.errors import TocsinError
from tocsin.models.base import Forecaster

# How many years ahead each outcome column looks (its value for row t is known at the end of t + h).
OUTCOME_HORIZON = {"mk_onset": 0, "mk_onset_1": 1, "mk_onset_2": 2, "mk_onset_1or2": 2}


@dataclass(frozen=True)
class BacktestSpec:
    start: int = 1994
    end: int = 2024
    outcome: str = "mk_onset_1or2"  # what the model is trained on
    target: str = "mk_onset"  # what a forecast for year Y is scored against (the row of year Y)

    def train_cutoff(self, year: int) -> int:
        """Last row-year whose training outcome was known by the end of year-1."""
        return year - 1 - OUTCOME_HORIZON[self.outcome]


def forecast_year(
    panel: pd.DataFrame, make_model: Callable[[], Forecaster], year: int, spec: BacktestSpec
) -> pd.DataFrame:
    """The forecasts for `year`, made with what was known at the end of year-1."""
    cutoff = spec.train_cutoff(year)
    train = panel[(panel["year"] <= cutoff) & panel[spec.outcome].notna()]
    feats = panel[panel["year"] == year - 1]
    if train.empty or feats.empty:
        return pd.DataFrame(columns=["ccode", "year", "prob"])
    model = make_model().fit(train, train[spec.outcome].to_numpy())
    prob = model.predict_proba(feats)[:, 1]
    return pd.DataFrame({"ccode": feats["ccode"].to_numpy(), "year": year, "prob": prob})


def walk_forward(
    panel: pd.DataFrame,
    make_model: Callable[[], Forecaster],
    spec: BacktestSpec,
    *,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Forecasts for every year in [start, end], with each year's outcome attached where known.

    Returns columns ccode, year, prob, rank (1 = highest risk that year, among scored rows), onset.
    """
    if spec.outcome not in OUTCOME_HORIZON:
        raise TocsinError(f"unknown outcome {spec.outcome!r}; one of {sorted(OUTCOME_HORIZON)}")
    if spec.start > spec.end:
        raise TocsinError(f"backtest start {spec.start} is after end {spec.end}")
    years = list(range(spec.start, spec.end + 1))
    jobs = (delayed(forecast_year)(panel, make_model, y, spec) for y in years)
    frames: list[pd.DataFrame] = []
    # Parallel yields in order; progress ticks as each year finishes.
    for frame in Parallel(n_jobs=n_jobs, return_as="generator")(jobs):
        frames.append(frame)
        if progress:
            progress(1)
    preds = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["ccode", "year", "prob"])
    preds = preds.dropna(subset=["prob"]).astype({"ccode": int, "year": int, "prob": float})
    truth = panel[["ccode", "year", spec.target]].rename(columns={spec.target: "onset"})
    preds = preds.merge(truth, on=["ccode", "year"], how="left")
    return add_ranks(preds)


def add_ranks(preds: pd.DataFrame, col: str = "prob", out: str = "rank") -> pd.DataFrame:
    preds = preds.copy()
    preds[out] = preds.groupby("year")[col].rank(ascending=False, method="min").astype("Int64")
    return preds


def restrict_to(preds: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Keep only the (ccode, year) rows in `rows`, and re-rank within them so top-k is comparable."""
    keep = rows[["ccode", "year"]].drop_duplicates()
    out = preds.merge(keep, on=["ccode", "year"], how="inner")
    return add_ranks(out)


def missing_rows(preds: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of `rows` that `preds` has no forecast for."""
    m = rows[["ccode", "year"]].merge(preds[["ccode", "year"]], how="left", indicator=True)
    return m[m["_merge"] == "left_only"][["ccode", "year"]]

