"""The default model and the composite models' members: names only, so a command can name them without
importing the modelling stack (the registry, `tocsin.models.registry`, maps names to estimators)."""

from __future__ import annotations

DEFAULT_MODEL = "ensemble"

# Composite models: members (each a registered model) stacked on their own out-of-sample history by
# tocsin.models.ensemble. The default's member list was fixed a priori: one linear model on levels (EWP's),
# one linear model with dynamics, and two tree ensembles. The other two were fixed before any 1994-2024 score
# of theirs was seen (issue 13): the dynamic and tree members given the repression and conflict evidence
# family, and all seven old and new members stacked together.
COMPOSITES: dict[str, tuple[str, ...]] = {
    "ensemble": ("ewp", "dynamic", "lgbm", "rf"),
    "ensemble_rep": ("ewp", "dynamic_rep", "lgbm_rep", "rf_rep"),
    "ensemble_all": ("ewp", "dynamic", "lgbm", "rf", "dynamic_rep", "lgbm_rep", "rf_rep"),
}
COMPOSITE_DESCRIPTIONS = {
    "ensemble": "Stack of ewp, dynamic, lgbm and rf, weighted and calibrated on their past out-of-sample "
                "forecasts (nested walk-forward)",
    "ensemble_rep": "Stack of ewp, dynamic_rep, lgbm_rep and rf_rep (the members reading the repression and "
                    "conflict evidence)",
    "ensemble_all": "Stack of the seven: ewp, dynamic, lgbm, rf and the three _rep members",
}
# Choices among composites made inside each forecast year's own training years (tocsin.models.choice): the
# first candidate is the a priori default.
NESTED: dict[str, tuple[str, ...]] = {"ensemble_nested": ("ensemble", "ensemble_rep", "ensemble_all")}
NESTED_DESCRIPTIONS = {
    "ensemble_nested": "For each forecast year, whichever of ensemble, ensemble_rep and ensemble_all had the "
                       "lowest log loss on its own past forecasts known by then",
}
