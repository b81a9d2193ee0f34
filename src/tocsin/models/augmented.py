"""`ewp+`: EWP's elastic-net logit with extra feature sets (e.g. one driver family), for ablations.

Extra features may be missing where a source has no past value for a country; those gaps are filled with
the feature's mean over the training rows (learned in `fit`, so nothing comes from evaluation years).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.features.sets import resolve
from tocsin.models.base import register
from tocsin.models.ewp import EWPElasticNet
from tocsin.sources.ewp import EWP_PREDICTORS


@register("ewp+", "EWP's elastic-net logit plus extra feature sets (gaps filled with training means)")
class AugmentedElasticNet(EWPElasticNet):
    def __init__(
        self,
        feature_sets: tuple[str, ...] = ("ewp", "drivers"),
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
        cols = resolve(self.feature_sets, X.columns)
        out = X[cols].astype(float)
        extra = [c for c in cols if c not in EWP_PREDICTORS]
        fill = getattr(self, "fill_", None)
        if fill is None:
            fill = out[extra].mean()
        out[extra] = out[extra].fillna(fill).fillna(0.0)
        # A feature with no variation in training (e.g. a source not yet started) carries no information.
        return out

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> AugmentedElasticNet:
        cols = resolve(self.feature_sets, X.columns)
        extra = [c for c in cols if c not in EWP_PREDICTORS]
        self.fill_ = X[extra].astype(float).mean()
        return super().fit(X, y)  # type: ignore[return-value]
