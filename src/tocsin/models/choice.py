"""A choice among panel-fitted models made inside each forecast year's own training years.

Which members an ensemble should have (today's four, or members that also read the repression and conflict
evidence) is a modelling choice. Made by looking at the 1994-2024 scores it would be tuned to the evaluation
years. Here it is made the way every other choice is: for a forecast of year T, each candidate's own past
forecasts of the years whose outcome was known by the end of T-1 are scored (mean log loss, a proper scoring
rule that weighs the rare onsets), and the best candidate makes the forecast of T. Ties, and years with no
scored history yet, go to the first candidate (the a priori default). `past_forecasts` applies the same rule
year by year, so the track record of the choice is itself out of sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from tocsin.core.errors import ModelError

EPS = 1e-6


def log_loss(prob: np.ndarray, target: np.ndarray) -> float:
    p = np.clip(prob, EPS, 1 - EPS)
    return float(-np.mean(target * np.log(p) + (1 - target) * np.log(1 - p)))


class NestedChoice(ClassifierMixin, BaseEstimator):
    """Chooses, for each forecast year, the candidate with the lowest log loss on its own known past."""

    fits_panel: ClassVar[bool] = True

    def __init__(self, candidates: Sequence[tuple[str, Any]] = (), runner: Any = None) -> None:
        self.candidates = candidates
        self.runner = runner  # given to every candidate: their shared members' fits are made once

    def fit(self, X: pd.DataFrame, y: pd.Series, history_from: int | None = None) -> NestedChoice:
        if not self.candidates:
            raise ModelError("nested choice: no candidates")
        self.fitted_ = {}
        for label, est in self.candidates:
            model = clone(est)
            if self.runner is not None:
                model.set_params(runner=self.runner)
            self.fitted_[label] = model.fit(X, y, history_from=history_from)
        first = self.fitted_[self.candidates[0][0]]
        self.base_year_ = int(first.base_year_)
        self.horizon_ = int(first.horizon_)
        self.past_ = {label: m.past_forecasts(int(X["year"].min()) + 1) for label, m in self.fitted_.items()}
        self.scores_ = self._scores(self.base_year_ + 1)
        self.chosen_ = self._choose(self.scores_)
        chosen = self.fitted_[self.chosen_]
        # What explanations, intervals and run records read: the chosen candidate's parts.
        self.members_ = chosen.members_
        self.weights_ = chosen.weights_
        self.history_ = chosen.history_
        self.min_history_onsets = chosen.min_history_onsets
        self.classes_ = np.array([0, 1])
        return self

    @property
    def member_cols_(self) -> list[str]:
        return self.fitted_[self.chosen_].member_cols_  # type: ignore[no-any-return]

    def _scores(self, year: int) -> dict[str, float]:
        """Each candidate's log loss on its forecasts of years whose outcome was known by the end of year-1,
        on the rows every candidate forecast (so the scores compare like with like)."""
        known = {label: p[(p["year"] <= year - self.horizon_) & p["target"].notna()]
                 for label, p in self.past_.items()}
        keys = None
        for p in known.values():
            k = set(zip(p["ccode"], p["year"], strict=True))
            keys = k if keys is None else keys & k
        if not keys:
            return {}
        out = {}
        for label, p in known.items():
            rows = p[[(c, t) in keys for c, t in zip(p["ccode"], p["year"], strict=True)]]
            if rows["target"].sum() == 0:
                return {}  # no onset yet: nothing to tell the candidates apart
            out[label] = log_loss(rows["prob"].to_numpy(), rows["target"].to_numpy(dtype=float))
        return out

    def _choose(self, scores: dict[str, float]) -> str:
        order = [label for label, _ in self.candidates]
        if not scores:
            return order[0]
        best = min(scores.values())
        return next(label for label in order if scores[label] == best)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "chosen_"):
            raise ModelError("nested choice: predict_proba called before fit")
        return self.fitted_[self.chosen_].predict_proba(X)  # type: ignore[no-any-return]

    def past_forecasts(self, start: int, end: int | None = None) -> pd.DataFrame:
        """Each year's forecast by the candidate chosen on what was known before that year (column `choice`)."""
        last = self.base_year_ + 1 if end is None else min(end, self.base_year_ + 1)
        out = []
        for year in range(start, last + 1):
            label = self._choose(self._scores(year))
            rows = self.past_[label]
            out.append(rows[rows["year"] == year].assign(choice=label))
        frames = [f for f in out if not f.empty]
        if not frames:
            return pd.DataFrame(columns=["ccode", "year", "prob", "method", "target", "choice"])
        return pd.concat(frames, ignore_index=True)
