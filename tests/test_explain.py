"""Explanations add up to the model's own log-odds and say what changed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factories import make_panel
from tocsin.evaluate.explain import explain_rows, member_contributions
from tocsin.features.panel import base_registry
from tocsin.models.registry import make_model
from tocsin.models.stacking import logit


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return make_panel(seed=7)


def test_linear_contributions_are_coefficient_times_centred_value(panel: pd.DataFrame) -> None:
    m = make_model("ewp", cv=3, n_alphas=15).fit(panel, panel["mk_onset_1or2"].to_numpy())
    rows = panel.tail(5)
    c = member_contributions(m, rows)
    p = m.predict_proba(rows)[:, 1]
    centre = logit(p) - c.sum(axis=1).to_numpy()  # what remains is the log-odds at the training mean
    assert np.allclose(centre, centre[0])


@pytest.mark.parametrize("name", ["lgbm", "rf"])
def test_tree_contributions_add_up_to_the_models_log_odds(panel: pd.DataFrame, name: str) -> None:
    params = {"n_estimators": 40}
    m = make_model(name, **params).fit(panel, panel["mk_onset_1or2"].to_numpy())
    rows = panel.tail(6)
    c = member_contributions(m, rows)
    p = m.predict_proba(rows)[:, 1]
    diffs = logit(p) - c.sum(axis=1).to_numpy()
    assert np.allclose(diffs, diffs[0], atol=1e-6)  # a constant: the model's average log-odds


def test_explanation_groups_by_family_and_un_factor_and_reports_changes(panel: pd.DataFrame) -> None:
    [e] = explain_rows(panel, base_registry(), "ewp", 2010, [105])
    assert {"feature", "family", "un_factors", "contribution", "change"} <= set(e.drivers.columns)
    assert e.by_family["contribution"].sum() == pytest.approx(e.drivers["contribution"].sum())
    assert e.by_un_factor["contribution"].sum() == pytest.approx(e.drivers["contribution"].sum())
    assert e.top(3)["contribution"].abs().is_monotonic_decreasing
    assert e.drivers["change"].notna().all()
    # The strongest drivers of the made-up onsets are found.
    assert {"discrimpop", "coup.try.5yr"} & set(e.top(5)["feature"])
