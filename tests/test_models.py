"""Every registered model follows scikit-learn's estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from factories import make_panel
from tocsin.core.errors import ModelError
from tocsin.models.base import estimator_key
from tocsin.models.names import COMPOSITES, NESTED
from tocsin.models.registry import available, make_model

_SMALL = {"burn_in_start": 1992, "member_params": {
    m: {"cv": 3, "n_alphas": 10} for m in ("ewp", "dynamic", "dynamic_rep")} | {
    m: {"n_estimators": 20} for m in ("lgbm", "lgbm_rep")} | {m: {"n_estimators": 10} for m in ("rf", "rf_rep")}}
FAST = {"ewp": {"cv": 3, "n_alphas": 15}, **{name: _SMALL for name in (*COMPOSITES, *NESTED)}}


@pytest.mark.parametrize("name", [m.name for m in available()])
def test_model_follows_the_estimator_contract(name: str) -> None:
    panel = make_panel(n_countries=20, start=1980, end=2000)
    model = make_model(name, **FAST.get(name, {}))
    # hyper-parameters live in __init__, unvalidated (an ensemble's members are compared by their own)
    assert estimator_key(name, clone(model)) == estimator_key(name, model)
    assert model.fit(panel, panel["mk_onset_1or2"]) is model
    assert any(k.endswith("_") and not k.startswith("_") for k in vars(model))
    proba = model.predict_proba(panel)
    assert proba.shape == (len(panel), 2)
    finite = np.isfinite(proba[:, 1])
    assert finite.all()
    assert np.allclose(proba.sum(axis=1), 1)
    assert ((proba >= 0) & (proba <= 1)).all()


def test_rows_with_missing_inputs_are_scored_nan_not_dropped() -> None:
    panel = make_panel(n_countries=20, start=1980, end=2000)
    model = make_model("ewp", cv=3, n_alphas=10).fit(panel, panel["mk_onset_1or2"].to_numpy())
    holed = panel.head(5).copy()
    holed.loc[holed.index[0], "efindex"] = np.nan
    p = model.predict_proba(holed)[:, 1]
    assert np.isnan(p[0]) and np.isfinite(p[1:]).all()


def test_unknown_model_names_list_the_available_ones() -> None:
    with pytest.raises(ModelError, match=r"available: .*ewp"):
        make_model("nope")


def test_predicting_before_fitting_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="before fit"):
        make_model("ewp").predict_proba(make_panel(n_countries=2, start=2000, end=2001))
