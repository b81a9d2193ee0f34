"""`ewp`: the Early Warning Project's specification, an elastic-net logit (alpha 0.5, lambda by 10-fold CV).

EWP fits glmnet with standardised predictors and lambda.min; glum's GeneralizedLinearRegressorCV fits the
same penalised binomial likelihood along a regularisation path, with `scale_predictors` playing glmnet's
`standardize`. Rows with any missing predictor are left out of fitting and scored NaN, as EWP does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from glum import GeneralizedLinearRegressorCV
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from tocsin.core.errors import ModelError
from tocsin.models.base import numeric_matrix, proba_columns, register
from tocsin.sources.ewp import EWP_PREDICTORS


@register("ewp", "EWP's elastic-net logit on its 38 predictors (alpha 0.5, lambda by 10-fold CV)")
class EWPElasticNet(ClassifierMixin, BaseEstimator):
    def __init__(
        self,
        features: list[str] | None = None,
        l1_ratio: float = 0.5,
        cv: int = 10,
        n_alphas: int = 100,
        min_alpha_ratio: float = 1e-4,
        random_state: int = 90035,
    ) -> None:
        self.features = features
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.n_alphas = n_alphas
        self.min_alpha_ratio = min_alpha_ratio
        self.random_state = random_state

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        """The columns this model reads, as it reads them (subclasses add features or fill gaps)."""
        cols = list(self.features) if self.features is not None else list(EWP_PREDICTORS)
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise ModelError(f"input lacks feature column(s) {missing[:5]}")
        return X[cols]

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> EWPElasticNet:
        design = self._design(X)
        cols = list(design.columns)
        A = numeric_matrix(design, cols)
        target = np.asarray(y, dtype=float)
        ok = np.isfinite(A).all(axis=1) & np.isfinite(target)
        if ok.sum() < self.cv or len(np.unique(target[ok])) < 2:
            raise ModelError("ewp: too few complete training rows, or only one outcome class")
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        model = GeneralizedLinearRegressorCV(
            family="binomial", l1_ratio=self.l1_ratio, n_alphas=self.n_alphas, cv=folds,
            scale_predictors=True, min_alpha_ratio=self.min_alpha_ratio,
        )
        # One thread: glum's OpenMP threads spin-wait, and on a busy 2-core machine that made fits 20x slower;
        # parallelism comes from fitting years in separate processes instead.
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            # Rare-event folds make some path points converge slowly; the chosen alpha is unaffected.
            warnings.simplefilter("ignore")
            model.fit(A[ok], target[ok])
        self.model_ = model
        self.features_ = cols
        self.classes_ = np.array([0, 1])
        self.coef_ = np.asarray(model.coef_, dtype=float)
        self.intercept_ = float(model.intercept_)
        self.alpha_ = float(model.alpha_)
        # Training means and scales, for "coefficient x standardised value" explanations.
        self.mean_ = A[ok].mean(axis=0)
        self.scale_ = A[ok].std(axis=0)
        self.n_train_ = int(ok.sum())
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise ModelError("ewp: predict_proba called before fit")
        A = numeric_matrix(self._design(X), self.features_)
        p = np.full(len(A), np.nan)
        ok = np.isfinite(A).all(axis=1)
        if ok.any():
            with threadpool_limits(limits=1):
                p[ok] = self.model_.predict(A[ok])
        return proba_columns(p)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each feature's contribution to the log-odds, relative to the training mean (coef x centred value)."""
        if not hasattr(self, "model_"):
            raise ModelError("ewp: contributions called before fit")
        A = numeric_matrix(self._design(X), self.features_)
        return pd.DataFrame((A - self.mean_) * self.coef_, columns=self.features_, index=X.index)
