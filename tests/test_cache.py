"""Walk-forward fits cached by content: identical forecasts cached or cold, local or on a Dask cluster;
a change in the data refits exactly the years whose rows it touches."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from factories import make_panel
from tocsin.evaluate.backtest import BacktestSpec, FitContext, estimator_factory, fit_year, walk_forward
from tocsin.evaluate.cache import FitCache
from tocsin.models.registry import make_model, model_key

FAST = {"ewp": {"cv": 3, "n_alphas": 10}, "dynamic": {"cv": 3, "n_alphas": 10},
        "lgbm": {"n_estimators": 30}, "rf": {"n_estimators": 20}}
SPEC = BacktestSpec(start=2000, end=2008)
ENSEMBLE = {"member_params": FAST, "burn_in_start": 1995}


def _ens(panel: pd.DataFrame, spec: BacktestSpec, cache: FitCache | None = None, n_jobs: int = 1,
         **params: object) -> pd.DataFrame:
    factory = estimator_factory("ensemble", {**ENSEMBLE, **params}, cache=cache, n_jobs=n_jobs)
    return walk_forward(panel, factory, spec, n_jobs=n_jobs)


def _wf(panel: pd.DataFrame, cache: FitCache | None, n_jobs: int = 1) -> pd.DataFrame:
    params = FAST["ewp"]
    ctx = FitContext(cache, model_key("ewp", params)) if cache is not None else None
    return walk_forward(panel, partial(make_model, "ewp", **params), SPEC, n_jobs=n_jobs, ctx=ctx)


def test_cached_forecasts_are_identical_to_cold_ones_and_a_second_run_fits_nothing(tmp_path: Path) -> None:
    panel = make_panel(n_countries=25, start=1980, end=2010, seed=3)
    cold = _wf(panel, None)
    cache = FitCache(tmp_path)
    first = _wf(panel, cache)
    assert cache.misses == SPEC.end - SPEC.start + 1 and cache.hits == 0
    again = FitCache(tmp_path)
    second = _wf(panel, again, n_jobs=2)
    assert again.misses == 0 and again.hits == SPEC.end - SPEC.start + 1
    pd.testing.assert_frame_equal(cold, first, check_exact=True)
    pd.testing.assert_frame_equal(cold, second, check_exact=True)


def test_a_changed_value_refits_only_the_forecasts_whose_rows_contain_it(tmp_path: Path) -> None:
    panel = make_panel(n_countries=25, start=1980, end=2010, seed=3)
    _wf(panel, FitCache(tmp_path))
    changed = panel.copy()
    row = (changed["year"] == 2004) & (changed["ccode"] == changed["ccode"].min())
    changed.loc[row, "discrimpop"] += 1.0
    cache = FitCache(tmp_path)
    preds = _wf(changed, cache)
    # 2004's row is the feature row of the 2005 forecast and a training row (outcome within two years, known
    # by the end of 2006) from the 2007 forecast on: 2005, 2007 and 2008 are refitted; 2000-2004 and 2006
    # (features of 2005, training rows to 2003) are reused.
    assert (cache.hits, cache.misses) == (6, 3)
    cold = _wf(changed, None)
    pd.testing.assert_frame_equal(cold, preds, check_exact=True)


def test_a_new_year_of_data_fits_only_the_new_forecast_year(tmp_path: Path) -> None:
    panel = make_panel(n_countries=25, start=1980, end=2010, seed=3)
    params = FAST["ewp"]

    def run(upto: int, cache: FitCache) -> pd.DataFrame:
        spec = BacktestSpec(start=2000, end=upto + 1)
        return walk_forward(panel[panel["year"] <= upto], partial(make_model, "ewp", **params), spec,
                            ctx=FitContext(cache, model_key("ewp", params)))

    run(2006, FitCache(tmp_path))
    cache = FitCache(tmp_path)
    preds = run(2007, cache)  # 2007's rows arrive: the 2008 forecast is new, nothing before it changed
    assert (cache.hits, cache.misses) == (8, 1)
    assert sorted(preds["year"].unique()) == list(range(2000, 2009))


def test_the_ensemble_is_identical_cached_cold_and_on_two_workers(tmp_path: Path) -> None:
    panel = make_panel(n_countries=25, start=1980, end=2010, seed=5)
    spec = BacktestSpec(start=2004, end=2006)
    cold = _ens(panel, spec)
    cached1 = _ens(panel, spec, FitCache(tmp_path))
    cache = FitCache(tmp_path)
    cached2 = _ens(panel, spec, cache, n_jobs=2)
    assert cache.misses == 0 and cache.hits > 0
    pd.testing.assert_frame_equal(cold, cached1, check_exact=True)
    pd.testing.assert_frame_equal(cold, cached2, check_exact=True)


def test_early_years_without_stacking_history_fall_back_to_equal_weights() -> None:
    panel = make_panel(n_countries=25, start=1960, end=2000, seed=5)
    preds = _ens(panel, BacktestSpec(start=1975, end=1980))  # starts before the members' burn-in (1995)
    assert set(preds["year"]) == set(range(1975, 1981))
    first = preds[preds["year"] == 1975]
    assert (first["method"] == "equal-weight fallback").all()
    assert first["prob"].between(0, 1).all()
    spec = BacktestSpec(start=1975, end=1975, outcome="mk_onset_1")
    fitted = fit_year(panel, estimator_factory("ensemble", {**ENSEMBLE, "burn_in_start": 1975}), 1975, spec)
    assert fitted.weights_ == {m: 0.25 for m in ("ewp", "dynamic", "lgbm", "rf")}  # type: ignore[attr-defined]
    assert fitted.method_ == "equal-weight fallback"  # type: ignore[attr-defined]


def test_forecasts_on_a_dask_localcluster_equal_the_local_ones(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    panel = make_panel(n_countries=20, start=1980, end=2010, seed=9)
    local = _wf(panel, None)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        monkeypatch.setenv("TOCSIN_DASK_SCHEDULER", cluster.scheduler_address)
        remote = _wf(panel, None, n_jobs=2)
        ens_remote = _ens(panel, BacktestSpec(start=2004, end=2005), n_jobs=2)
    monkeypatch.delenv("TOCSIN_DASK_SCHEDULER")
    ens_local = _ens(panel, BacktestSpec(start=2004, end=2005))
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    pd.testing.assert_frame_equal(ens_local, ens_remote, check_exact=True)
    assert np.isfinite(local["prob"]).all()
