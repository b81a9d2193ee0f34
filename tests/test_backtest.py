"""Walk-forward backtests: what each forecast may see, and how forecasts are scored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from factories import make_panel
from tocsin.evaluate.backtest import BacktestSpec, add_ranks, forecast_year, walk_forward
from tocsin.evaluate.metrics import bootstrap_difference, score, topk_recall
from tocsin.models.registry import make_model

FEW = ["discrimpop", "coup.try.5yr", "efindex", "year"]


def _model():  # type: ignore[no-untyped-def]
    return make_model("ewp", features=FEW, cv=3, n_alphas=20)


def test_training_rows_end_where_the_outcome_was_still_unknown() -> None:
    spec = BacktestSpec(outcome="mk_onset_1or2")
    assert spec.train_cutoff(2000) == 1997
    assert BacktestSpec(outcome="mk_onset_1").train_cutoff(2000) == 1998
    assert BacktestSpec(outcome="mk_onset").train_cutoff(2000) == 1999


def test_changing_any_value_after_the_cutoff_leaves_that_years_forecast_unchanged() -> None:
    panel = make_panel(seed=1)
    year = 2005
    spec = BacktestSpec(start=year, end=year)
    before = forecast_year(panel, _model, year, spec)
    tampered = panel.copy()
    later = tampered["year"] >= year  # features of year-1 are allowed; everything from `year` on is not
    rng = np.random.default_rng(5)
    for col in [*FEW, "mk_onset", "mk_onset_1", "mk_onset_2"]:
        tampered.loc[later, col] = rng.permutation(tampered.loc[later, col].to_numpy().copy())
    # Outcomes of training rows that were not yet known at the time must not matter either.
    unknown = tampered["year"].between(spec.train_cutoff(year) + 1, year - 1)
    tampered.loc[unknown, "mk_onset_1or2"] = 1 - tampered.loc[unknown, "mk_onset_1or2"]
    after = forecast_year(tampered, _model, year, spec)
    pd.testing.assert_frame_equal(before, after)


def test_the_tampering_above_would_be_noticed_if_it_touched_the_training_rows() -> None:
    panel = make_panel(seed=1)
    spec = BacktestSpec(start=2005, end=2005)
    before = forecast_year(panel, _model, 2005, spec)
    tampered = panel.copy()
    known = tampered["year"] <= spec.train_cutoff(2005)
    tampered.loc[known, "mk_onset_1or2"] = 1 - tampered.loc[known, "mk_onset_1or2"]
    after = forecast_year(tampered, _model, 2005, spec)
    assert not np.allclose(before["prob"], after["prob"])


def test_walk_forward_ranks_within_each_year_and_attaches_that_years_onsets() -> None:
    panel = make_panel(seed=2)
    preds = walk_forward(panel, _model, BacktestSpec(start=2000, end=2002))
    assert sorted(preds["year"].unique()) == [2000, 2001, 2002]
    for _, g in preds.groupby("year"):
        assert g.sort_values("prob", ascending=False)["rank"].iloc[0] == 1
    merged = preds.merge(panel[["ccode", "year", "mk_onset"]], on=["ccode", "year"])
    assert (merged["onset"] == merged["mk_onset"]).all()


def test_reruns_give_identical_forecasts() -> None:
    panel = make_panel(seed=3)
    spec = BacktestSpec(start=2010, end=2011)
    a = walk_forward(panel, _model, spec)
    b = walk_forward(panel, _model, spec, n_jobs=2)
    pd.testing.assert_frame_equal(a, b)


def test_scores_on_a_hand_checked_example() -> None:
    frame = pd.DataFrame({
        "year": [1, 1, 1, 2, 2, 2],
        "onset": [1, 0, 0, 0, 1, 0],
        "prob": [0.9, 0.2, 0.1, 0.5, 0.4, 0.3],
        "rank": [1, 2, 3, 1, 2, 3],
    })
    s = score(frame)
    assert s["auc"] == pytest.approx(0.875)  # 7 of 8 onset/non-onset pairs ordered right
    assert s["brier"] == pytest.approx(np.mean([0.01, 0.04, 0.01, 0.25, 0.36, 0.09]))
    assert s["base_rate"] == pytest.approx(1 / 3)
    assert s["brier_skill"] == pytest.approx(1 - s["brier"] / (2 / 9))
    assert topk_recall(frame, 1) == 0.5
    assert topk_recall(frame, 2) == 1.0


def _forecasts() -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.05).astype(int)
    noise = rng.random(2000)
    good = y * 0.5 + noise * 0.5
    return (y, (noise, pd.Series(noise).rank(ascending=False).to_numpy()),
            (good, pd.Series(good).rank(ascending=False).to_numpy()))


def test_bootstrap_scores_both_forecasts_on_the_same_resampled_rows() -> None:
    """A forecast in the same order as another (its cube) has the same AUC and recall on any rows, so a paired
    bootstrap gives exactly zero for them in every replicate, while their Brier scores do differ."""
    y, (noise, ranks), _ = _forecasts()
    res = bootstrap_difference(y, (noise**3, ranks), (noise, ranks), n_boot=200)
    assert res["auc"]["ci_low"] == res["auc"]["ci_high"] == 0
    assert res["top30_recall"]["ci_low"] == res["top30_recall"]["ci_high"] == 0
    assert res["brier"]["ci_high"] < 0  # the cube is nearer zero, where almost every outcome is


def test_a_much_better_forecast_has_an_interval_above_zero_and_swapping_the_two_mirrors_it() -> None:
    y, noise, good = _forecasts()
    better = bootstrap_difference(y, good, noise, n_boot=200)
    assert better["auc"]["ci_low"] > 0.2 and better["top30_recall"]["ci_low"] > 0 and better["brier"]["ci_high"] < 0
    for m in ("auc", "top30_recall", "brier"):  # a real interval around the point, not a point
        assert better[m]["ci_low"] < better[m]["difference"] < better[m]["ci_high"]
    worse = bootstrap_difference(y, noise, good, n_boot=200)
    for m in ("auc", "top30_recall", "brier"):
        assert worse[m]["difference"] == pytest.approx(-better[m]["difference"])
        assert worse[m]["ci_low"] == pytest.approx(-better[m]["ci_high"])
        assert worse[m]["ci_high"] == pytest.approx(-better[m]["ci_low"])


def test_years_without_ewp_forecasts_are_scored_on_every_known_outcome_with_nothing_to_compare() -> None:
    from tocsin.evaluate.track_record import score_track_record

    rng = np.random.default_rng(4)
    preds = pd.DataFrame({"ccode": np.repeat(np.arange(20), 5), "year": np.tile(np.arange(1980, 1985), 20),
                          "prob": rng.random(100)})
    preds["onset"] = (preds["prob"] > 0.9).astype(float)
    preds.loc[0, "onset"] = np.nan  # an outcome not known: left out
    preds = add_ranks(preds)
    ewp = pd.DataFrame({"ccode": [1], "year": [2000], "ewp_name": ["x"], "risk_prev": [0.1]})  # from 1994 only
    tr = score_track_record(preds, ewp, "ewp", BacktestSpec(start=1980, end=1984))
    assert tr.metrics["rows"] == 99 and tr.metrics["onsets"] == preds["onset"].sum()
    assert tr.ewp_metrics == {} and tr.differences == {}
    assert len(tr.per_year) == 5
