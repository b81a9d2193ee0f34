"""The stacker that turns member models' scores into calibrated probabilities.

It is a logistic regression on the members' log-odds, fitted on forecasts the members made out of sample
in earlier years, so it both weights the members and calibrates the result (Platt scaling is the
one-member case). Weights are kept non-negative: a member with a negative weight is dropped and the rest
refitted, because "more risk by this model means less risk" is not a claim anyone can act on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from tocsin.core.errors import ModelError

EPS = 1e-4


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(q / (1 - q))


class NonNegativeStacker(ClassifierMixin, BaseEstimator):
    """Fit on a frame of member probabilities (one column per member). Missing member scores in a row are
    replaced by the mean log-odds of the members that scored it."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    @staticmethod
    def _logits(P: pd.DataFrame) -> pd.DataFrame:
        L = pd.DataFrame(logit(P.to_numpy(dtype=float)), columns=P.columns, index=P.index)
        L[P.isna()] = np.nan
        row_mean = L.mean(axis=1)
        return L.apply(lambda col: col.fillna(row_mean))

    def fit(self, P: pd.DataFrame, y: np.ndarray | pd.Series) -> NonNegativeStacker:
        L = self._logits(P)
        ok = L.notna().all(axis=1).to_numpy()
        target = np.asarray(y, dtype=int)[ok]
        if target.sum() == 0:
            raise ModelError("stacker: no onsets in the history it is fitted on")
        members = list(P.columns)
        while True:
            lr = LogisticRegression(C=self.C, max_iter=1000).fit(L.loc[ok, members].to_numpy(), target)
            if (lr.coef_[0] >= 0).all() or len(members) == 1:
                break
            members = [m for m, w in zip(members, lr.coef_[0], strict=True) if w > 0] or [members[0]]
        self.model_ = lr
        self.members_ = members
        self.weights_ = dict(zip(members, lr.coef_[0].tolist(), strict=True))
        self.intercept_ = float(lr.intercept_[0])
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, P: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise ModelError("stacker: predict_proba called before fit")
        L = self._logits(P)[self.members_]
        p = np.full(len(L), np.nan)
        ok = L.notna().all(axis=1).to_numpy()
        if ok.any():
            p[ok] = self.model_.predict_proba(L.loc[ok].to_numpy())[:, 1]
        return np.column_stack([1 - p, p])
