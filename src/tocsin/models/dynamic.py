"""`dynamic`: EWP's elastic-net logit with the dynamics added (changes, trends, recent coups).

Missing changes (a country's first years, or a gap) count as "no change" (0): a constant, not a value
borrowed from other years.
"""

from __future__ import annotations

import pandas as pd

from tocsin.features.sets import DYNAMICS, resolve
from tocsin.models.base import register
from tocsin.models.ewp import EWPElasticNet


@register("dynamic", "Elastic-net logit on EWP's predictors plus changes, trends and recent shocks")
class DynamicElasticNet(EWPElasticNet):
    def __init__(
        self,
        feature_sets: tuple[str, ...] = ("ewp", "dynamics"),
        l1_ratio: float = 0.5,
        cv: int = 10,
        n_alphas: int = 100,
        min_alpha_ratio: float = 1e-4,
        random_state: int = 90035,
    ) -> None:
        super().__init__(features=None, l1_ratio=l1_ratio, cv=cv, n_alphas=n_alphas,
                         min_alpha_ratio=min_alpha_ratio, random_state=random_state)
        self.feature_sets = feature_sets

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X[resolve(self.feature_sets, X.columns)].copy()
        dyn = [c for c in out.columns if c in DYNAMICS]
        out[dyn] = out[dyn].fillna(0.0)
        return out
