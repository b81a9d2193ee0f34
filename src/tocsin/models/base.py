"""The model contract (the registry that names models is `tocsin.models.registry`).

Every model is a scikit-learn classifier: hyper-parameters in `__init__` (stored unvalidated), `fit(X, y)`
returns self, learned state ends in `_`, `predict_proba(X)` returns an (n, 2) array. X is a DataFrame of the
panel; each model picks its own columns (`features_` after fit). Rows a model cannot score (missing inputs it
does not impute) get NaN probabilities rather than being dropped, so callers keep row alignment.
"""

from __future__ import annotations

import json
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




def estimator_key(name: str, model: Any) -> str:
    """A stable identity for a named estimator and its hyper-parameters (for caching its fits by content)."""
    params = sorted((k, v) for k, v in model.get_params(deep=False).items() if not callable(v))
    return json.dumps([name, params], default=str)


# ---- the walk-forward protocol every model is fitted under ---------------------------------------------------
# How many years ahead each outcome column looks (its value for row t is known at the end of t + h).
OUTCOME_HORIZON = {"mk_onset": 0, "mk_onset_1": 1, "mk_onset_2": 2, "mk_onset_1or2": 2}


def walk_forward_masks(panel: pd.DataFrame, year: int, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    """The rows a forecast for `year` trains on (their `outcome` known by the end of year-1) and the rows it
    scores (year-1's features)."""
    if outcome not in OUTCOME_HORIZON:
        raise ModelError(f"unknown outcome {outcome!r}; one of {sorted(OUTCOME_HORIZON)}")
    years = panel["year"].to_numpy()
    train = (years <= year - 1 - OUTCOME_HORIZON[outcome]) & panel[outcome].notna().to_numpy()
    return train, years == year - 1
