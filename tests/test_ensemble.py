"""The stacked ensemble: weights from the members' own past, calibrated, no look-ahead, reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factories import make_panel
from tocsin.core.errors import ModelError
from tocsin.evaluate.backtest import BacktestSpec, estimator_factory, walk_forward
from tocsin.evaluate.ensemble import stacker_bootstrap
from tocsin.evaluate.forecast import make_forecast
from tocsin.models.registry import make_model
from tocsin.models.stacking import NonNegativeStacker

FAST = {"ewp": {"cv": 3, "n_alphas": 10}, "dynamic": {"cv": 3, "n_alphas": 10},
        "lgbm": {"n_estimators": 30}, "rf": {"n_estimators": 20}}
PARAMS = {"member_params": FAST, "burn_in_start": 1995}


def _run(panel: pd.DataFrame, start: int = 2004, end: int = 2005) -> pd.DataFrame:
    return walk_forward(panel, estimator_factory("ensemble", PARAMS), BacktestSpec(start=start, end=end))


def test_stacker_weights_are_non_negative_and_a_useless_member_is_dropped() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.05).astype(int)
    good = np.clip(0.03 + 0.3 * y + rng.normal(0, 0.02, 3000), 0.001, 0.99)
    anti = np.clip(0.08 - 0.05 * y + rng.normal(0, 0.01, 3000), 0.001, 0.99)  # less risk where onsets are
    st = NonNegativeStacker().fit(pd.DataFrame({"good": good, "anti": anti}), y)
    assert st.members_ == ["good"]
    assert all(w > 0 for w in st.weights_.values())


def test_stacked_probabilities_are_calibrated_on_rows_it_was_not_fitted_on() -> None:
    """On its own training rows a logistic stacker's mean equals the onset rate whatever it learned, so
    calibration is checked on fresh rows from the same process: overall, within bands of predicted risk, and
    with a Brier score a constant forecast of the base rate cannot reach."""
    rng = np.random.default_rng(1)

    def draw(n: int) -> tuple[pd.DataFrame, np.ndarray]:
        y = (rng.random(n) < 0.02).astype(int)
        score = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.15, n), 0.001, 0.999)  # far too high, and noisy
        return pd.DataFrame({"m": score}), y

    train, y_train = draw(20000)
    new, y = draw(20000)
    p = NonNegativeStacker().fit(train, y_train).predict_proba(new)[:, 1]
    assert abs(p.mean() - y.mean()) < 3 * np.sqrt(y.mean() / len(y))
    bands = np.digitize(p, [0.01, 0.05, 0.2, 0.5])
    for b in np.unique(bands):
        sel = bands == b
        if sel.sum() >= 50:
            expected = p[sel].mean()
            assert abs(y[sel].mean() - expected) < 3 * np.sqrt(expected * (1 - expected) / sel.sum()) + 0.005, b
    assert np.mean((p - y) ** 2) < 0.9 * np.mean((y_train.mean() - y) ** 2)


def test_ensemble_forecasts_ignore_everything_after_the_forecast_is_made() -> None:
    panel = make_panel(seed=4)
    before = _run(panel)
    tampered = panel.copy()
    later = tampered["year"] >= 2005
    for col in ["discrimpop", "coup.try.5yr", "mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2"]:
        tampered.loc[later, col] = tampered.loc[later, col].to_numpy()[::-1].copy()
    after = _run(tampered)
    b = before[before["year"] == 2005].drop(columns=["onset", "rank"]).reset_index(drop=True)
    a = after[after["year"] == 2005].drop(columns=["onset", "rank"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(b, a)


def test_reruns_of_the_ensemble_give_identical_forecasts() -> None:
    panel = make_panel(seed=5)
    a = _run(panel, 2004, 2004)
    b = _run(panel, 2004, 2004)
    pd.testing.assert_frame_equal(a, b)


def test_next_years_forecast_has_intervals_that_contain_it() -> None:
    panel = make_panel(seed=6, end=2010).assign(iso3="XXX", name="somewhere")
    fc = make_forecast(panel, "ensemble", params=PARAMS, history_start=2008, intervals=False)
    assert len(fc.table) == panel["ccode"].nunique()
    assert sorted(fc.history_preds["year"].unique()) == [2008, 2009, 2010]  # type: ignore[index]
    iv = stacker_bootstrap(fc.models["1yr"], fc.models["2yr"], n_boot=40)  # type: ignore[arg-type]
    iv = iv.merge(fc.table[["ccode", "risk_2yr"]], on="ccode")
    assert (iv["prob_2y_lo"] <= iv["risk_2yr"] + 1e-9).all() and (iv["risk_2yr"] <= iv["prob_2y_hi"] + 1e-9).all()
    assert (iv["rank_lo"] <= iv["rank_hi"]).all()


def test_the_ensemble_is_an_estimator_whose_forecast_equals_its_own_walk_forward() -> None:
    """Fitted on the panel as known at 2009, it forecasts 2010 exactly as its walk-forward does for 2010."""
    panel = make_panel(seed=7, end=2010)
    known = panel[panel["year"] <= 2009]
    model = make_model("ensemble", **PARAMS)
    assert model.fit(known, known["mk_onset_1"]) is model
    rows = known[known["year"] == 2009]
    direct = pd.Series(model.predict_proba(rows)[:, 1], index=rows["ccode"].to_numpy()).sort_index()
    past = _run(panel, 2010, 2010).set_index("ccode")["prob"].sort_index()
    np.testing.assert_allclose(direct.loc[past.index].to_numpy(), past.to_numpy(), rtol=0, atol=1e-12)
    assert set(model.weights_) <= {"ewp", "dynamic", "lgbm", "rf"} and model.weights_
    assert all(w >= 0 for w in model.weights_.values())


def test_the_ensemble_refuses_a_target_whose_horizon_it_cannot_know() -> None:
    panel = make_panel(seed=8, end=2005)
    with pytest.raises(ModelError, match="named after its outcome"):
        make_model("ensemble", **PARAMS).fit(panel, panel["mk_onset_1"].to_numpy())


def test_one_forecast_fits_the_members_once_for_both_horizons_even_without_a_cache(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tocsin.evaluate.backtest as backtest

    calls: list[int] = []
    real = backtest.forecast_many

    def counting(panel: pd.DataFrame, jobs: list, **kw: object) -> list[pd.DataFrame]:  # type: ignore[type-arg]
        calls.append(len(jobs))
        return real(panel, jobs, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(backtest, "forecast_many", counting)
    panel = make_panel(seed=9, end=2008).assign(iso3="XXX", name="somewhere")
    fc = make_forecast(panel, "ensemble", params=PARAMS, history_start=2006, intervals=False)
    assert calls == [4 * (2009 - 1995 + 1)]  # every (member, year) once: 1995-2009
    assert fc.table["risk_1yr"].notna().all() and fc.table["risk_2yr"].notna().all()
