"""The model contract (the registry that names models is `tocsin.models.registry`).

Every model is a scikit-learn classifier: hyper-parameters in `__init__` (stored unvalidated), `fit(X, y)`
returns self, learned state ends in `_`, `predict_proba(X)` returns an (n, 2) array. X is a DataFrame of the
panel; each model picks its own columns (`features_` after fit). Rows a model cannot score (missing inputs it
does not impute) get NaN probabilities rather than being dropped, so callers keep row alignment.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from tocsin.core.errors import ModelError


class Forecaster(Protocol):
    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> Forecaster: ...

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...


def numeric_matrix(X: pd.DataFrame, columns: list[str]) -> np.ndarray:
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ModelError(f"input lacks feature column(s) {missing[:5]}")
    return X[columns].to_numpy(dtype=float, na_value=np.nan)


def proba_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - p, p])


