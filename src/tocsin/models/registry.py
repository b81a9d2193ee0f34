"""The model registry: every model a command can name, built from the estimator modules it imports.

The estimators never import this module (no import circle): they only implement the contract in
`tocsin.models.base`. A composite model (`names.COMPOSITES`) is a `StackedEnsemble` of registered members,
built here like any other estimator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tocsin.core.errors import ModelError
from tocsin.models import augmented, ewp, trees
from tocsin.models.base import Forecaster, estimator_key
from tocsin.models.choice import NestedChoice
from tocsin.models.ensemble import StackedEnsemble
from tocsin.models.names import (
    COMPOSITE_DESCRIPTIONS,
    COMPOSITES,
    DEFAULT_MODEL,
    NESTED,
    NESTED_DESCRIPTIONS,
)

__all__ = ["COMPOSITES", "DEFAULT_MODEL", "MODELS", "ModelInfo", "available",
           "check_model_name", "make_model", "model_key", "model_names", "uses_drivers"]


@dataclass(frozen=True)
class ModelInfo:
    name: str
    factory: Callable[..., Forecaster]
    description: str


def _entry(name: str, description: str, factory: Callable[..., Forecaster]) -> tuple[str, ModelInfo]:
    return name, ModelInfo(name, factory, description)


def _composite(name: str) -> Callable[..., Forecaster]:
    def build(member_params: dict[str, dict[str, Any]] | None = None, **params: Any) -> StackedEnsemble:
        """`member_params` overrides members' hyper-parameters by member name (tests use small members)."""
        extra = member_params or {}
        members = tuple((m, make_model(m, **extra.get(m, {}))) for m in COMPOSITES[name])
        return StackedEnsemble(members=members, **params)

    return build


def _nested(name: str) -> Callable[..., Forecaster]:
    def build(**params: Any) -> NestedChoice:
        """`params` are passed to every candidate (e.g. member_params, burn_in_start)."""
        return NestedChoice(candidates=tuple((c, make_model(c, **params)) for c in NESTED[name]))

    return build


MODELS: dict[str, ModelInfo] = dict([
    _entry("ewp",
           "EWP's elastic-net logit on its 38 predictors (alpha 0.5, lambda by 10-fold CV)",
           ewp.EWPElasticNet),
    _entry("ewp+",
           "EWP's elastic-net logit plus extra feature sets (gaps filled with training means)",
           augmented.AugmentedElasticNet),
    _entry("dynamic",
           "Elastic-net logit on EWP's predictors plus changes, trends and recent shocks",
           augmented.dynamic),
    _entry("dynamic_rep",
           "dynamic plus the repression and conflict evidence family (no latent scores)",
           augmented.dynamic_rep),
    _entry("lgbm",
           "Gradient-boosted trees (LightGBM) on levels, dynamics and drivers",
           trees.LGBMForecaster),
    _entry("rf",
           "Random forest on levels, dynamics and drivers",
           trees.RandomForestForecaster),
    _entry("lgbm_rep",
           "LightGBM on levels, dynamics, drivers and repression and conflict evidence (no latent scores)",
           trees.lgbm_rep),
    _entry("rf_rep",
           "Random forest on levels, dynamics, drivers and repression and conflict evidence (no latent scores)",
           trees.rf_rep),
    _entry("lgbm_rep_latent",
           "lgbm_rep plus Fariss' smoothed latent protection scores (looks ahead a little)",
           trees.lgbm_rep_latent),
    *(_entry(name, COMPOSITE_DESCRIPTIONS[name], _composite(name)) for name in COMPOSITES),
    *(_entry(name, NESTED_DESCRIPTIONS[name], _nested(name)) for name in NESTED),
])
def available() -> list[ModelInfo]:
    """Every registered model, composites included."""
    return list(MODELS.values())


def model_names() -> dict[str, str]:
    """Every model a user can name, with its description."""
    return {m.name: m.description for m in MODELS.values()}


def check_model_name(name: str) -> str:
    if name not in model_names():
        raise ModelError(f"unknown model {name!r}; available: {', '.join(sorted(model_names()))}")
    return name


def make_model(name: str, **params: Any) -> Forecaster:
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; available: {', '.join(sorted(MODELS))}")
    return MODELS[name].factory(**params)


def model_key(name: str, params: dict[str, Any] | None = None) -> str:
    """A stable identity for a model and all its hyper-parameters (for caching its fits by content); the same
    key as an ensemble gives the member."""
    return estimator_key(name, make_model(name, **(params or {})))


def uses_drivers(name: str) -> bool:
    """Whether a model (or any of its members) reads the nontraditional driver features (building them takes
    ~10 s)."""
    check_model_name(name)
    for leaf in _leaves(make_model(name)):
        sets = leaf.get_params().get("feature_sets") or ()
        if any(str(s).startswith("drivers") for s in sets):
            return True
    return False


def _leaves(model: Forecaster) -> list[Forecaster]:
    """The single estimators inside a model: an ensemble's members, a nested choice's candidates' members."""
    parts = [m for _, m in getattr(model, "members", ())] + [m for _, m in getattr(model, "candidates", ())]
    return [leaf for p in parts for leaf in _leaves(p)] if parts else [model]
