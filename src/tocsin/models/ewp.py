"""`ewp`: the Early Warning Project's specification, an elastic-net logit (alpha 0.5, lambda by 10-fold CV).

EWP fits R's `cv.glmnet(family="binomial", alpha=0.5)` with standardised predictors and keeps lambda.min. The
default solver is glmnet-rs, a port of R glmnet's own coordinate descent (glmnetpp) that matches R's path and
CV to ~1e-13 and runs about as fast as R; `solver="glum"` fits the same penalised likelihood with glum (kept for
comparison). Rows with any missing predictor are left out of fitting and scored NaN, as EWP does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from threadpoolctl import threadpool_limits

from tocsin.core.errors import ModelError
from tocsin.models.base import numeric_matrix, proba_columns
from tocsin.sources.ewp import EWP_PREDICTORS

SOLVERS = ("glmnet", "glum")


def _fit_glmnet(A: np.ndarray, y: np.ndarray, l1_ratio: float, cv: int, n_alphas: int, min_alpha_ratio: float,
                seed: int) -> tuple[np.ndarray, float, float]:
    from glmnetrs import cv_glmnet

    # Folds as R's cv.glmnet draws them (a shuffled 1..k sequence), from our own seed so reruns are identical.
    rng = np.random.default_rng(seed)
    folds = np.tile(np.arange(cv), len(y) // cv + 1)[: len(y)]
    rng.shuffle(folds)
    fit = cv_glmnet(A, y, family="binomial", type_measure="deviance", foldid=folds, alpha=l1_ratio,
                    nlambda=n_alphas, lambda_min_ratio=min_alpha_ratio, standardize=True)
    coef = np.asarray(fit.coef(s="lambda.min"), dtype=float).ravel()  # intercept first, as in R
    return coef[1:], float(coef[0]), float(fit.lambda_min)


def _fit_glum(A: np.ndarray, y: np.ndarray, l1_ratio: float, cv: int, n_alphas: int, min_alpha_ratio: float,
              seed: int) -> tuple[np.ndarray, float, float]:
    from glum import GeneralizedLinearRegressorCV
    from sklearn.model_selection import KFold

    model = GeneralizedLinearRegressorCV(
        family="binomial", l1_ratio=l1_ratio, n_alphas=n_alphas, cv=KFold(cv, shuffle=True, random_state=seed),
        scale_predictors=True, min_alpha_ratio=min_alpha_ratio,
    )
    model.fit(A, y)
    return np.asarray(model.coef_, dtype=float), float(model.intercept_), float(model.alpha_)


class EWPElasticNet(ClassifierMixin, BaseEstimator):
    def __init__(
        self,
        features: list[str] | None = None,
        l1_ratio: float = 0.5,
        cv: int = 10,
        n_alphas: int = 100,
        min_alpha_ratio: float = 1e-4,
        random_state: int = 90035,
        solver: str = "glmnet",
    ) -> None:
        self.features = features
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.n_alphas = n_alphas
        self.min_alpha_ratio = min_alpha_ratio
        self.random_state = random_state
        self.solver = solver

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        """The columns this model reads, as it reads them (subclasses add features or fill gaps)."""
        cols = list(self.features) if self.features is not None else list(EWP_PREDICTORS)
        missing = [c for c in cols if c not in X.columns]
        if missing:
            raise ModelError(f"input lacks feature column(s) {missing[:5]}")
        return X[cols]

    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> EWPElasticNet:
        if self.solver not in SOLVERS:
            raise ModelError(f"ewp: unknown solver {self.solver!r}; one of {SOLVERS}")
        design = self._design(X)
        cols = list(design.columns)
        A = numeric_matrix(design, cols)
        target = np.asarray(y, dtype=float)
        ok = np.isfinite(A).all(axis=1) & np.isfinite(target)
        if ok.sum() < self.cv or len(np.unique(target[ok])) < 2:
            raise ModelError("ewp: too few complete training rows, or only one outcome class")
        fit = _fit_glmnet if self.solver == "glmnet" else _fit_glum
        # One thread: OpenMP/BLAS threads spin-wait on a busy 2-core machine (20x slower fits seen with glum);
        # parallelism comes from fitting years in separate processes instead.
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            # Rare-event folds make some path points converge slowly; the chosen lambda is unaffected.
            warnings.simplefilter("ignore")
            coef, intercept, alpha = fit(A[ok], target[ok], self.l1_ratio, self.cv, self.n_alphas,
                                         self.min_alpha_ratio, self.random_state)
        self.features_ = cols
        self.classes_ = np.array([0, 1])
        self.coef_ = coef
        self.intercept_ = intercept
        self.alpha_ = alpha
        # Training means and scales, for "coefficient x standardised value" explanations.
        self.mean_ = A[ok].mean(axis=0)
        self.scale_ = A[ok].std(axis=0)
        self.n_train_ = int(ok.sum())
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds for each row (NaN where an input is missing)."""
        if not hasattr(self, "coef_"):
            raise ModelError("ewp: called before fit")
        A = numeric_matrix(self._design(X), self.features_)
        return A @ self.coef_ + self.intercept_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        eta = self.decision_function(X)
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(-eta))
        return proba_columns(p)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each feature's contribution to the log-odds, relative to the training mean (coef x centred value)."""
        if not hasattr(self, "coef_"):
            raise ModelError("ewp: contributions called before fit")
        A = numeric_matrix(self._design(X), self.features_)
        return pd.DataFrame((A - self.mean_) * self.coef_, columns=self.features_, index=X.index)
