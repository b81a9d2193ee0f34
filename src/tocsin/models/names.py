"""The default model and the composite models' members: names only, so a command can name them without
importing the modelling stack (the registry, `tocsin.models.registry`, maps names to estimators)."""

from __future__ import annotations

DEFAULT_MODEL = "ensemble"

# Composite models: members (each a registered model) stacked on their own out-of-sample history by
# tocsin.evaluate.ensemble. Member list fixed a priori: one linear model on levels (EWP's), one linear
# model with dynamics, and two tree ensembles.
COMPOSITES: dict[str, tuple[str, ...]] = {"ensemble": ("ewp", "dynamic", "lgbm", "rf")}
COMPOSITE_DESCRIPTIONS = {
    "ensemble": "Stack of ewp, dynamic, lgbm and rf, weighted and calibrated on their past out-of-sample "
                "forecasts (nested walk-forward)",
}
