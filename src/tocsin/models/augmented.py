"""Elastic-net logits with more than EWP's predictors: `dynamic` (plus changes and recent shocks) and `ewp+`
(plus any feature sets, e.g. one driver family, for ablations).

Extra features may be missing (a country's first years; a source with no past value). `fill="zero"` counts
a missing change as "no change" (a constant); `fill="mean"` uses the feature's mean over the training rows,
learned in `fit`, so nothing comes from evaluation years.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tocsin.features.sets import resolve
from tocsin.models.ewp import EWPElasticNet
from tocsin.sources.ewp import EWP_PREDICTORS


class AugmentedElasticNet(EWPElasticNet):
    def __init__(
        self,
        feature_sets: tuple[str, ...] = ("ewp", "drivers"),
        fill: str = "mean",
        l1_ratio: float = 0.5,
        cv: int = 10,
        n_alphas: int = 100,
        min_alpha_ratio: float = 1e-4,
        random_state: int = 90035,
        solver: str = "glmnet",
    ) -> None:
        super().__init__(features=None, l1_ratio=l1_ratio, cv=cv, n_alphas=n_alphas,
                         min_alpha_ratio=min_alpha_ratio, random_state=random_state, solver=solver)
        self.feature_sets = feature_sets
        self.fill = fill

    def _extra(self, X: pd.DataFrame) -> tuple[list[str], list[str]]:
        cols = resolve(self.feature_sets, X.columns)
        return cols, [c for c in cols if c not in EWP_PREDICTORS]

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        cols, extra = self._extra(X)
        out = X[cols].astype(float)
        values = getattr(self, "fill_", None)
        if values is None:
            values = out[extra].mean() if self.fill == "mean" else pd.Series(0.0, index=extra)
        out[extra] = out[extra].fillna(values).fillna(0.0)
        return out

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> AugmentedElasticNet:
        _, extra = self._extra(X)
        self.fill_ = X[extra].astype(float).mean() if self.fill == "mean" else pd.Series(0.0, index=extra)
        return super().fit(X, y)  # type: ignore[return-value]


def dynamic(**params: Any) -> AugmentedElasticNet:
    """EWP's specification with the dynamics added; a missing change counts as no change."""
    return AugmentedElasticNet(**{"feature_sets": ("ewp", "dynamics"), "fill": "zero", **params})


def dynamic_rep(**params: Any) -> AugmentedElasticNet:
    """`dynamic` with what the state already does; a value a source does not cover counts as 0 beside its
    `<source>_missing` indicator, as a missing change does."""
    return AugmentedElasticNet(**{"feature_sets": ("ewp", "dynamics", "drivers-repression"), "fill": "zero",
                                  **params})
