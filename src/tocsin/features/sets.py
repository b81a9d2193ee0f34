"""Named feature sets that models ask for; a set lists column names, a model uses those present in X."""

from __future__ import annotations

from collections.abc import Iterable

from tocsin.features.dynamics import CHANGED, WINDOWS
from tocsin.sources.ewp import EWP_PREDICTORS

TREND = ("year", "year_sq")
LEVELS: tuple[str, ...] = tuple(c for c in EWP_PREDICTORS if c not in TREND)
DYNAMICS: tuple[str, ...] = (
    *[f"d{w}_{c}" for c in CHANGED for w in WINDOWS],
    "deterioration_count_3y", "coup_attempt_this_year", "coup_attempt_last_2y",
)


def _driver_names() -> tuple[str, ...]:
    from tocsin.features.driver_registry import DRIVER_FEATURES, MISSING_FEATURES

    return tuple(f.name for f in [*DRIVER_FEATURES, *MISSING_FEATURES])


def _family(family: str) -> tuple[str, ...]:
    from tocsin.features.driver_registry import DRIVER_FEATURES, MISSING_FEATURES

    return tuple(f.name for f in [*DRIVER_FEATURES, *MISSING_FEATURES] if f.family == family)


# The four nontraditional families of issue 3 (what "drivers" meant before the repression family was added).
NONTRADITIONAL = ("climate", "inequality", "ethno-nationalism", "transnational")
REPRESSION = "repression and conflict evidence"


def _repression(with_latent: bool) -> tuple[str, ...]:
    from tocsin.features.driver_registry import DRIVER_FEATURES, MISSING_FEATURES

    names = [f.name for f in [*DRIVER_FEATURES, *MISSING_FEATURES]
             if f.family == REPRESSION and (with_latent or "smoothed" not in f.tags)]
    return tuple(dict.fromkeys(names))


def feature_set(name: str) -> tuple[str, ...]:
    if name == "drivers-nontraditional":  # in registry order, so tree members see the same column order
        keep = {c for fam in NONTRADITIONAL for c in _family(fam)}
        return tuple(c for c in _driver_names() if c in keep)
    if name == "drivers-repression":  # without the smoothed latent scores (Fariss)
        return _repression(with_latent=False)
    if name == "drivers-repression+latent":
        return _repression(with_latent=True)
    if name == "ewp":
        return EWP_PREDICTORS
    if name == "levels":
        return LEVELS
    if name == "dynamics":
        return DYNAMICS
    if name == "drivers":
        return _driver_names()
    if name.startswith("drivers:"):
        return _family(name.split(":", 1)[1])
    raise KeyError(f"unknown feature set {name!r}")


def resolve(sets: Iterable[str], columns: Iterable[str]) -> list[str]:
    """Columns of the named sets that X actually has, in a stable order without duplicates."""
    have = set(columns)
    out: list[str] = []
    for s in sets:
        for c in feature_set(s):
            if c in have and c not in out:
                out.append(c)
    return out
