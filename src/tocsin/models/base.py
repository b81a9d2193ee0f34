"""The model contract and registry.

Every model is a scikit-learn classifier: hyper-parameters in `__init__` (stored unvalidated), `fit(X, y)`
returns self, learned state ends in `_`, `predict_proba(X)` returns an (n, 2) array. X is a DataFrame of the
panel; each model picks its own columns (`features_` after fit). Rows a model cannot score (missing inputs it
does not impute) get NaN probabilities rather than being dropped, so callers keep row alignment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from tocsin.core.errors import ModelError


class Forecaster(Protocol):
    def fit(self, X: pd.DataFrame, y: np.ndarray | pd.Series) -> Forecaster: ...

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ModelInfo:
    name: str
    factory: Callable[..., Forecaster]
    description: str


_REGISTRY: dict[str, ModelInfo] = {}
DEFAULT_MODEL = "ensemble"

# Composite models: members (each a registered model) stacked on their own out-of-sample history by
# tocsin.evaluate.ensemble. Member list fixed a priori: one linear model on levels (EWP's), one linear
# model with dynamics, and two tree ensembles.
COMPOSITES: dict[str, tuple[str, ...]] = {"ensemble": ("ewp", "dynamic", "lgbm", "rf")}
COMPOSITE_DESCRIPTIONS = {
    "ensemble": "Stack of ewp, dynamic, lgbm and rf, weighted and calibrated on their past out-of-sample "
                "forecasts (nested walk-forward)",
}


def register(name: str, description: str) -> Callable[[Callable[..., Forecaster]], Callable[..., Forecaster]]:
    def deco(factory: Callable[..., Forecaster]) -> Callable[..., Forecaster]:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} registered twice")
        _REGISTRY[name] = ModelInfo(name, factory, description)
        return factory

    return deco


def _load_builtin() -> None:
    # Importing the modules runs their @register decorators.
    from tocsin.models import augmented, ewp, trees  # noqa: F401


def available() -> list[ModelInfo]:
    """Single estimators (composites are listed by `model_names`)."""
    _load_builtin()
    return list(_REGISTRY.values())


def model_names() -> dict[str, str]:
    """Every model a user can name, with its description."""
    _load_builtin()
    return {**{m.name: m.description for m in _REGISTRY.values()}, **COMPOSITE_DESCRIPTIONS}


def check_model_name(name: str) -> str:
    if name not in model_names():
        raise ModelError(f"unknown model {name!r}; available: {', '.join(sorted(model_names()))}")
    return name


def make_model(name: str, **params: Any) -> Forecaster:
    _load_builtin()
    if name not in _REGISTRY:
        raise ModelError(f"unknown model {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name].factory(**params)


def model_key(name: str, params: dict[str, Any] | None = None) -> str:
    """A stable identity for a model and its hyper-parameters (for caching its fits by content)."""
    import json

    return json.dumps([name, sorted((params or {}).items())], default=str)


def numeric_matrix(X: pd.DataFrame, columns: list[str]) -> np.ndarray:
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise ModelError(f"input lacks feature column(s) {missing[:5]}")
    return X[columns].to_numpy(dtype=float, na_value=np.nan)


def proba_columns(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - p, p])


def uses_drivers(name: str) -> bool:
    """Whether a model reads the nontraditional driver features (building them takes ~10 s)."""
    check_model_name(name)
    for member in COMPOSITES.get(name, (name,)):
        sets = make_model(member).get_params().get("feature_sets") or ()
        if any(str(s).startswith("drivers") for s in sets):
            return True
    return False
