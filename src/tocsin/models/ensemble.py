"""The stacked ensemble as an estimator: its members' nested walk-forward happens inside `fit`.

The single models are fitted on training rows. The ensemble is fitted on a *panel as known at a cutoff*: every
row up to the base year (a `year` and a `ccode` column, features, outcomes), with `y` the outcome it is to
forecast: a Series named after its outcome column (`mk_onset_1`: onset next year; `mk_onset_1or2`: within two
years), which says how many years after its row the outcome is known. In `fit`:

1. every member makes its walk-forward forecast of each year from `burn_in_start` to base+1, each fitted only
   on rows whose outcome (`member_outcome`) was known by the end of the year before;
2. the stacker for a forecast year T is fitted on the members' forecasts of earlier years s whose outcome (y
   of row s-1) was known by the end of T-1: with a horizon of h years, s <= T-h.

`predict_proba` applies the members as fitted for base+1 and that year's stacker. `past_forecasts` gives the
stacked forecast of each earlier year by the same rule, which is the ensemble's walk-forward track record:
nothing from year T or later enters any forecast of year T.

Fallback (documented in the README): while the members' history holds fewer than `min_history_onsets`
onsets, no stacker can be fitted, and the forecast is the members' equally weighted mean log-odds (the members
are trained on the two-year outcome, so for a one-year ensemble it is an upper bound; ranks are sound).
`method` says which rule made each past forecast.

The member walk-forward is delegated to `runner`, an execution setting like scikit-learn's `n_jobs`, not a
modelling choice: the default fits sequentially here; `tocsin.evaluate.ensemble.HistoryRunner` caches fits by
content and runs them on local workers or a Dask cluster, with identical results.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from tocsin.core.errors import ModelError
from tocsin.models.base import OUTCOME_HORIZON, Forecaster, proba_columns, walk_forward_masks
from tocsin.models.stacking import NonNegativeStacker, logit

Members = Sequence[tuple[str, Forecaster]]
# (panel, members, first year, last year, member outcome) -> (wide history, members as fitted for the last year)
Runner = Callable[[pd.DataFrame, Members, int, int, str], tuple[pd.DataFrame, dict[str, Forecaster]]]

BURN_IN_START = 1980  # first member forecasts: 14 years of out-of-sample history before EWP's first (1994)
MIN_HISTORY_ONSETS = 5


def member_table(parts: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """Members' walk-forward forecasts (frames of ccode, year, prob) as one wide frame: ccode, year, p_<member>."""
    wide: pd.DataFrame | None = None
    for name, frames in parts.items():
        part = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["ccode", "year", "prob"])
        part = part.dropna(subset=["prob"]).astype({"ccode": int, "year": int})[["ccode", "year", "prob"]]
        part = part.rename(columns={"prob": f"p_{name}"})
        wide = part if wide is None else wide.merge(part, on=["ccode", "year"], how="outer")
    if wide is None:
        raise ModelError("ensemble: no members")
    return wide


def sequential_history(panel: pd.DataFrame, members: Members, start: int, end: int, outcome: str
                       ) -> tuple[pd.DataFrame, dict[str, Forecaster]]:
    """The default runner: each member's walk-forward forecasts for start..end, fitted one after another."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name, _ in members}
    fitted: dict[str, Forecaster] = {}
    for name, proto in members:
        for year in range(start, end + 1):
            train, feats = walk_forward_masks(panel, year, outcome)
            if not train.any() or not feats.any():
                continue
            model = clone(proto).fit(panel[train], panel.loc[train, outcome].to_numpy())
            if year == end:
                fitted[name] = model
            rows = panel[feats]
            parts[name].append(pd.DataFrame({"ccode": rows["ccode"].to_numpy(dtype=int), "year": year,
                                             "prob": model.predict_proba(rows)[:, 1]}))
    return member_table(parts), fitted


def fit_stacker(rows: pd.DataFrame, cols: list[str], target: str, min_onsets: int = MIN_HISTORY_ONSETS,
                C: float = 1.0) -> NonNegativeStacker | None:
    """A stacker on `rows` (members' forecasts and their known outcome), or None with too few onsets."""
    rows = rows.dropna(subset=[target])
    if rows[target].sum() < min_onsets:
        return None
    return NonNegativeStacker(C=C).fit(rows[cols], rows[target].to_numpy())


def combine(P: pd.DataFrame, stacker: NonNegativeStacker | None) -> np.ndarray:
    """Members' probabilities -> the ensemble's: the stacker's, or the equally weighted mean log-odds."""
    if stacker is not None:
        return stacker.predict_proba(P)[:, 1]  # type: ignore[no-any-return]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows no member scored stay NaN
        lo = logit(P.to_numpy(dtype=float))
        return 1.0 / (1.0 + np.exp(-np.nanmean(lo, axis=1)))  # type: ignore[no-any-return]


class StackedEnsemble(ClassifierMixin, BaseEstimator):
    """Members stacked and calibrated on their own out-of-sample history (nested walk-forward inside `fit`)."""

    # fit() takes the panel as known at its last year, not training rows (see the module docstring).
    fits_panel: ClassVar[bool] = True

    def __init__(
        self,
        members: Members = (),
        member_outcome: str = "mk_onset_1or2",
        burn_in_start: int = BURN_IN_START,
        min_history_onsets: int = MIN_HISTORY_ONSETS,
        C: float = 1.0,
        runner: Runner | None = None,
    ) -> None:
        self.members = members
        self.member_outcome = member_outcome
        self.burn_in_start = burn_in_start
        self.min_history_onsets = min_history_onsets
        self.C = C
        self.runner = runner

    @property
    def member_cols_(self) -> list[str]:
        return [f"p_{name}" for name, _ in self.members]

    def fit(self, X: pd.DataFrame, y: pd.Series, history_from: int | None = None) -> StackedEnsemble:
        """`history_from`: also make the members' forecasts from this year when it is before the burn-in (a
        backtest of early years)."""
        if not self.members:
            raise ModelError("ensemble: no members")
        for col in ("ccode", "year"):
            if col not in X.columns:
                raise ModelError(f"ensemble: the panel it is fitted on lacks a {col!r} column")
        name = getattr(y, "name", None)
        if name not in OUTCOME_HORIZON:
            raise ModelError(f"ensemble: y must be a Series named after its outcome ({', '.join(OUTCOME_HORIZON)})")
        y = pd.Series(np.asarray(y, dtype=float), index=X.index)
        h = OUTCOME_HORIZON[name]
        base = int(X["year"].max())
        runner = self.runner or sequential_history
        first = min(self.burn_in_start, base + 1, history_from if history_from is not None else base + 1)
        wide, fitted = runner(X, tuple(self.members), first, base + 1, self.member_outcome)
        missing = [n for n, _ in self.members if n not in fitted]
        if missing:
            raise ModelError(f"ensemble: member(s) {missing} could not be fitted for {base + 1}")
        # History year s was forecast from row s-1; its outcome is y of that row, known by the end of s-1+h.
        years = X["year"].to_numpy(dtype=int)
        target = pd.DataFrame({"ccode": X["ccode"].to_numpy(dtype=int), "year": years + 1,
                               "target": y.where(years <= base - h).to_numpy()})
        hist = wide.merge(target, on=["ccode", "year"], how="left")
        self.history_ = hist.sort_values(["year", "ccode"]).reset_index(drop=True)
        self.horizon_ = h
        self.base_year_ = base
        self.members_ = fitted
        self.stacker_ = self._stacker_for(base + 1)
        cols = self.member_cols_
        self.weights_ = ({k.removeprefix("p_"): v for k, v in self.stacker_.weights_.items()}
                         if self.stacker_ is not None else {c.removeprefix("p_"): 1.0 / len(cols) for c in cols})
        self.method_ = "stacked" if self.stacker_ is not None else "equal-weight fallback"
        self.classes_ = np.array([0, 1])
        return self

    def _stacker_for(self, year: int) -> NonNegativeStacker | None:
        rows = self.history_[self.history_["year"] <= year - self.horizon_]
        return fit_stacker(rows, self.member_cols_, "target", self.min_history_onsets, self.C)

    def _check(self) -> None:
        if not hasattr(self, "members_"):
            raise ModelError("ensemble: predict_proba called before fit")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        self._check()
        P = pd.DataFrame({f"p_{n}": self.members_[n].predict_proba(X)[:, 1] for n, _ in self.members},
                         index=X.index)
        return proba_columns(combine(P, self.stacker_))

    def past_forecasts(self, start: int, end: int | None = None) -> pd.DataFrame:
        """The stacked forecast of each year start..end (at most base+1), each made as it would have been then:
        members' out-of-sample forecasts, stacked by a stacker fitted on outcomes known before that year.
        Columns: ccode, year, prob, method, target (the outcome, where known by the base year)."""
        self._check()
        last = self.base_year_ + 1 if end is None else min(end, self.base_year_ + 1)
        out = []
        for year in range(start, last + 1):
            cur = self.history_[self.history_["year"] == year]
            if cur.empty:
                continue
            stacker = self._stacker_for(year)
            out.append(pd.DataFrame({
                "ccode": cur["ccode"].to_numpy(), "year": year, "prob": combine(cur[self.member_cols_], stacker),
                "method": "stacked" if stacker is not None else "equal-weight fallback",
                "target": cur["target"].to_numpy()}))
        if not out:
            return pd.DataFrame(columns=["ccode", "year", "prob", "method", "target"])
        return pd.concat(out, ignore_index=True).dropna(subset=["prob"])
