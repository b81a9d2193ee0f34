"""A choice among ensembles made inside each forecast year's own training years, never from later outcomes."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from tocsin.core.errors import ModelError
from tocsin.models.choice import NestedChoice

YEARS = range(1990, 2011)
COUNTRIES = range(40)


class Scripted(ClassifierMixin, BaseEstimator):
    """A panel-fitted stand-in whose past forecast of year t is `good` (near the truth) from `good_from` on,
    and uninformative before; targets are known up to the base year minus the horizon, like an ensemble's."""

    fits_panel: ClassVar[bool] = True

    def __init__(self, good_from: int = 9999, runner: Any = None) -> None:
        self.good_from = good_from
        self.runner = runner

    def fit(self, X: pd.DataFrame, y: pd.Series, history_from: int | None = None) -> Scripted:
        self.base_year_ = int(X["year"].max())
        self.horizon_ = 1
        truth = X.assign(year=X["year"] + 1, target=y.to_numpy())[["ccode", "year", "target"]]
        truth.loc[truth["year"] > self.base_year_, "target"] = np.nan  # y of the base year is not known yet
        p = np.where(truth["year"] >= self.good_from, 0.02 + 0.9 * truth["target"].fillna(0), 0.05)
        self.history_ = truth.assign(prob=p, method="stacked")
        self.members_, self.weights_, self.min_history_onsets = {}, {}, 5
        self.member_cols_ = []
        self.classes_ = np.array([0, 1])
        return self

    def past_forecasts(self, start: int, end: int | None = None) -> pd.DataFrame:
        h = self.history_
        return h[(h["year"] >= start) & (h["year"] <= (end or self.base_year_ + 1))].reset_index(drop=True)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([np.full(len(X), 1 - self.good_from / 1e4), np.full(len(X), self.good_from / 1e4)])


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame([(c, t) for c in COUNTRIES for t in YEARS], columns=["ccode", "year"])
    return rows.assign(mk_onset_1=(rng.random(len(rows)) < 0.08).astype(int))


def _choice() -> NestedChoice:
    return NestedChoice(candidates=(("default", Scripted()), ("later", Scripted(good_from=2000))))


def test_each_year_is_forecast_by_the_candidate_best_on_what_was_known_before_it() -> None:
    panel = _panel()
    fitted = _choice().fit(panel, panel["mk_onset_1"])
    past = fitted.past_forecasts(1995)
    chosen = past.groupby("year")["choice"].first()
    # "later" is no better until its first good year (2000) has been observed: chosen from 2001 on.
    assert (chosen[chosen.index <= 2000] == "default").all()
    assert (chosen[chosen.index >= 2001] == "later").all()
    assert fitted.chosen_ == "later" and fitted.scores_["later"] < fitted.scores_["default"]


def test_the_choice_for_a_year_ignores_every_later_outcome() -> None:
    panel = _panel(1)
    before = _choice().fit(panel, panel["mk_onset_1"]).past_forecasts(1995)
    tampered = panel.copy()
    tampered.loc[tampered["year"] >= 2003, "mk_onset_1"] = 1 - tampered.loc[tampered["year"] >= 2003, "mk_onset_1"]
    after = _choice().fit(tampered, tampered["mk_onset_1"]).past_forecasts(1995)
    b = before[before["year"] <= 2004].groupby("year")["choice"].first()
    a = after[after["year"] <= 2004].groupby("year")["choice"].first()
    pd.testing.assert_series_equal(a, b)


def test_ties_and_years_without_history_go_to_the_first_candidate() -> None:
    panel = _panel(2)
    same = NestedChoice(candidates=(("a", Scripted(good_from=2000)), ("b", Scripted(good_from=2000))))
    past = same.fit(panel, panel["mk_onset_1"]).past_forecasts(1991)
    assert set(past["choice"]) == {"a"}


def test_a_choice_needs_candidates() -> None:
    panel = _panel()
    with pytest.raises(ModelError, match="no candidates"):
        NestedChoice().fit(panel, panel["mk_onset_1"])


def test_a_nested_choice_reads_the_drivers_its_candidates_members_read() -> None:
    from tocsin.models.registry import uses_drivers

    assert uses_drivers("ensemble_nested") == uses_drivers("ensemble") is True
