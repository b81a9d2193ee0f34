"""Walk-forward backtest: produce the forecasts a model would have made each past year. Scoring is separate.

For forecast year Y the model is fitted only on rows whose outcome was known by the end of year Y-1
(for an outcome looking h years ahead, rows up to Y-1-h) and predicts from the features of year Y-1.

A model that is fitted on a panel (`fits_panel`, the stacked ensemble) is given every row up to Y-1 and does
its own nested walk-forward; its past forecasts come from one fit at the end (`past_forecasts`), each made
only from what was known before its year. Its member fits run through a `HistoryRunner`, which caches them by
content and runs them on local workers or Dask, like any walk-forward here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from tocsin.core.errors import TocsinError
from tocsin.evaluate.cache import FitCache, code_fingerprint, make_key, row_hashes
from tocsin.evaluate.parallel import run_tasks
from tocsin.models.base import OUTCOME_HORIZON, Forecaster, estimator_key, walk_forward_masks
from tocsin.models.ensemble import Members, member_table
from tocsin.models.registry import make_model as registered

__all__ = ["OUTCOME_HORIZON", "BacktestSpec", "FitContext", "HistoryRunner", "add_ranks", "estimator_factory",
           "fit_year", "forecast_many", "forecast_year", "missing_rows", "restrict_to", "walk_forward"]

# A panel-fitted model's forecast of year Y is scored against the target of row Y; it is fitted on the row
# outcome that holds that target one row earlier.
_ROW_OUTCOME = {"mk_onset": "mk_onset_1", "mk_onset_1": "mk_onset_2"}


@dataclass(frozen=True)
class BacktestSpec:
    start: int = 1994
    end: int = 2024
    outcome: str = "mk_onset_1or2"  # what the model is trained on
    target: str = "mk_onset"  # what a forecast for year Y is scored against (the row of year Y)

    def train_cutoff(self, year: int) -> int:
        """Last row-year whose training outcome was known by the end of year-1."""
        return year - 1 - OUTCOME_HORIZON[self.outcome]


@dataclass(frozen=True)
class FitContext:
    """What lets a walk-forward fit be cached: the cache, the model's stable identity (name and
    hyper-parameters) and one hash per panel row. Without a model key nothing is cached."""

    cache: FitCache | None = None
    model_key: str | None = None
    rowhash: np.ndarray | None = None
    keep_models: frozenset[int] = frozenset()  # years whose fitted model is cached too (for explanations)

    def key(self, kind: str, panel: pd.DataFrame, year: int, spec: BacktestSpec) -> str | None:
        if self.cache is None or not self.cache.enabled or self.model_key is None:
            return None
        rows = self.rowhash if self.rowhash is not None else row_hashes(panel)
        train, feats = _masks(panel, year, spec)
        return make_key(kind, self.model_key, code_fingerprint(), spec.outcome, year,
                        arrays=[rows[train], rows[feats]])


def _masks(panel: pd.DataFrame, year: int, spec: BacktestSpec) -> tuple[np.ndarray, np.ndarray]:
    """The rows a forecast for `year` trains on (outcome known by the end of year-1) and scores (year-1's)."""
    return walk_forward_masks(panel, year, spec.outcome)


def _fits_panel(model: Forecaster) -> bool:
    return bool(getattr(model, "fits_panel", False))


def _train_rows(panel: pd.DataFrame, year: int, spec: BacktestSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, feats = _masks(panel, year, spec)
    return panel[train], panel[feats]


def fit_year(
    panel: pd.DataFrame, make_model: Callable[[], Forecaster], year: int, spec: BacktestSpec,
    ctx: FitContext | None = None,
) -> Forecaster:
    """The model as fitted to forecast `year` (trained on rows known by the end of year-1), cached by content.
    A panel-fitted model is given the panel as known at the end of year-1 (its member fits are cached)."""
    proto = make_model()
    if _fits_panel(proto):
        known = panel[panel["year"] <= year - 1]
        if known.empty:
            raise TocsinError(f"no data before {year}")
        return proto.fit(known, known[spec.outcome])
    train, _ = _train_rows(panel, year, spec)
    if train.empty:
        raise TocsinError(f"no training rows for a forecast of {year}")

    def fit() -> Forecaster:
        return make_model().fit(train, train[spec.outcome].to_numpy())

    key = ctx.key("model", panel, year, spec) if ctx else None
    return ctx.cache.value(key, fit) if ctx and ctx.cache and key else fit()


def forecast_year(
    panel: pd.DataFrame, make_model: Callable[[], Forecaster], year: int, spec: BacktestSpec,
    ctx: FitContext | None = None,
) -> pd.DataFrame:
    """The forecasts for `year`, made with what was known at the end of year-1."""
    train, feats = _train_rows(panel, year, spec)
    if train.empty or feats.empty:
        return pd.DataFrame({"ccode": pd.Series(dtype=int), "year": pd.Series(dtype=int),
                             "prob": pd.Series(dtype=float)})

    def compute() -> pd.DataFrame:
        if ctx is not None and year in ctx.keep_models:
            model = fit_year(panel, make_model, year, spec, ctx)
        else:
            model = make_model().fit(train, train[spec.outcome].to_numpy())
        prob = model.predict_proba(feats)[:, 1]
        return pd.DataFrame({"ccode": feats["ccode"].to_numpy(dtype=int), "year": year, "prob": prob})

    key = ctx.key("forecast", panel, year, spec) if ctx else None
    return ctx.cache.frame(key, compute) if ctx and ctx.cache and key else compute()


Job = tuple[Callable[[], Forecaster], int, BacktestSpec, "FitContext | None"]


def forecast_many(
    panel: pd.DataFrame, jobs: list[Job], *, n_jobs: int = 1, progress: Callable[[int], None] | None = None
) -> list[pd.DataFrame]:
    """forecast_year for each job, in order. Cached forecasts are read here; only the others are sent to the
    workers (sending the panel to a worker costs more than reading a cached forecast)."""
    out: list[pd.DataFrame | None] = [None] * len(jobs)
    todo: list[int] = []
    for i, (_, year, spec, ctx) in enumerate(jobs):
        key = ctx.key("forecast", panel, year, spec) if ctx is not None else None
        hit = ctx.cache.get_frame(key) if ctx is not None and ctx.cache is not None and key else None
        if hit is not None:
            out[i] = hit
            if progress:
                progress(1)
        else:
            todo.append(i)
    done = run_tasks(forecast_year, [(panel, *jobs[i]) for i in todo], n_jobs=n_jobs, progress=progress)
    caches = {id(j[3].cache): j[3].cache for j in jobs if j[3] is not None and j[3].cache is not None}
    for cache in caches.values():
        cache.note(done)
    for i, frame in zip(todo, done, strict=True):
        out[i] = frame
    return [f for f in out if f is not None]


def walk_forward(
    panel: pd.DataFrame,
    make_model: Callable[[], Forecaster],
    spec: BacktestSpec,
    *,
    n_jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    ctx: FitContext | None = None,
) -> pd.DataFrame:
    """Forecasts for every year in [start, end], with each year's outcome attached where known.

    Returns columns ccode, year, prob, rank (1 = highest risk that year, among scored rows), onset.
    """
    if spec.outcome not in OUTCOME_HORIZON:
        raise TocsinError(f"unknown outcome {spec.outcome!r}; one of {sorted(OUTCOME_HORIZON)}")
    if spec.start > spec.end:
        raise TocsinError(f"backtest start {spec.start} is after end {spec.end}")
    if _fits_panel(make_model()):
        known = panel[panel["year"] <= spec.end - 1]
        if known.empty:
            raise TocsinError(f"no data before {spec.end}")
        fitted = make_model().fit(known, known[_ROW_OUTCOME[spec.target]], history_from=spec.start)
        preds = fitted.past_forecasts(spec.start, spec.end).drop(columns="target")  # type: ignore[attr-defined]
        return _with_truth(preds, panel, spec)
    years = list(range(spec.start, spec.end + 1))
    if ctx is not None and ctx.rowhash is None and ctx.model_key is not None:
        ctx = FitContext(ctx.cache, ctx.model_key, row_hashes(panel), ctx.keep_models)
    frames = forecast_many(panel, [(make_model, y, spec, ctx) for y in years], n_jobs=n_jobs, progress=progress)
    preds = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["ccode", "year", "prob"])
    return _with_truth(preds, panel, spec)


def _with_truth(preds: pd.DataFrame, panel: pd.DataFrame, spec: BacktestSpec) -> pd.DataFrame:
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



@dataclass
class HistoryRunner:
    """Runs a panel-fitted model's member walk-forward (`tocsin.models.ensemble.Runner`): one pool over every
    (member, year) pair keeps both cores busy to the end; fits are cached by content, and the members as
    fitted for the last year are kept in the cache (explanations read them). The last history is also kept in
    memory, so the one-year and two-year fits of one forecast share it even with the cache disabled."""

    cache: FitCache | None = None
    n_jobs: int = 1
    progress: Callable[[int], None] | None = None
    _last: dict[str, tuple[pd.DataFrame, dict[str, Forecaster]]] = field(default_factory=dict, repr=False,
                                                                          compare=False)

    def __call__(self, panel: pd.DataFrame, members: Members, start: int, end: int, outcome: str
                 ) -> tuple[pd.DataFrame, dict[str, Forecaster]]:
        rows = row_hashes(panel)
        memo = make_key("member-history", [estimator_key(n, m) for n, m in members], start, end, outcome,
                        arrays=[rows])
        if memo in self._last:
            wide, fitted = self._last[memo]
            return wide.copy(), dict(fitted)
        spec = BacktestSpec(start=start, end=end, outcome=outcome)
        protos = dict(members)
        ctxs = {n: FitContext(self.cache, estimator_key(n, m), rows, frozenset({end})) for n, m in members}
        jobs = [(n, y) for n, _ in members for y in range(start, end + 1)]
        args: list[Job] = [(partial(clone, protos[n]), y, spec, ctxs[n]) for n, y in jobs]
        frames = forecast_many(panel, args, n_jobs=self.n_jobs, progress=self.progress)
        parts: dict[str, list[pd.DataFrame]] = {n: [] for n, _ in members}
        for (n, _), frame in zip(jobs, frames, strict=True):
            parts[n].append(frame)
        trainable = _masks(panel, end, spec)[0].any()
        fitted = {n: fit_year(panel, partial(clone, protos[n]), end, spec, ctxs[n]) for n, _ in members} \
            if trainable else {}
        wide = member_table(parts)
        if len(self._last) >= 4:  # a few histories: a nested choice's candidates each have one
            self._last.pop(next(iter(self._last)))
        self._last[memo] = (wide, fitted)
        return wide.copy(), dict(fitted)


def estimator_factory(name: str, params: dict[str, Any] | None = None, *, cache: FitCache | None = None,
                      n_jobs: int = 1, progress: Callable[[int], None] | None = None,
                      runner: HistoryRunner | None = None) -> Callable[[], Forecaster]:
    """A picklable zero-argument factory of model `name`; a model with a member walk-forward inside gets
    `runner`, or a HistoryRunner with this cache and these workers."""
    p = dict(params or {})
    if "runner" in registered(name, **p).get_params(deep=False):
        p["runner"] = runner or HistoryRunner(cache, n_jobs, progress)
    return partial(registered, name, **p)
