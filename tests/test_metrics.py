"""The one bootstrap: countries are resampled with all their years, so correlated rows widen the interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tocsin.evaluate.metrics import ClusterResampler, bootstrap_difference, bootstrap_intervals


def _ranks(p: np.ndarray, years: np.ndarray) -> np.ndarray:
    return pd.Series(p).groupby(years).rank(ascending=False, method="min").to_numpy()


def test_a_draw_takes_every_year_of_each_drawn_country_and_no_partial_country() -> None:
    groups = np.repeat(np.arange(30), 10)
    y = np.zeros(300, dtype=int)
    y[::17] = 1
    res = ClusterResampler(y, groups, seed=1)
    for _ in range(20):
        idx = res.draw()
        counts = pd.Series(groups[idx]).value_counts()
        assert (counts % 10 == 0).all()  # whole countries only (a country drawn twice counts 20)
        assert len(idx) == 300 and 0 < y[idx].sum() < len(idx)


def _country_panel(seed: int, n_countries: int = 60, n_years: int = 30) -> tuple[np.ndarray, ...]:
    """Onsets cluster in some countries, and model A's edge over B lives in a handful of countries only."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_countries), n_years)
    years = np.tile(np.arange(n_years), n_countries)
    prone = rng.random(n_countries) < 0.15
    y = (rng.random(len(groups)) < np.where(prone[groups], 0.12, 0.005)).astype(int)
    b = rng.random(len(y))
    # A sees the onsets of the first prone countries only: a gain carried by few clusters.
    lucky = np.isin(groups, np.flatnonzero(prone)[:3])
    a = np.where(lucky & (y == 1), 0.99, b)
    return y, groups, years, a, b


def test_clustered_interval_is_wider_than_the_row_bootstrap_when_rows_share_a_country() -> None:
    y, groups, years, a, b = _country_panel(3)
    ra, rb = _ranks(a, years), _ranks(b, years)
    rows = bootstrap_difference(y, (a, ra), (b, rb), n_boot=400, seed=0)
    clustered = bootstrap_difference(y, (a, ra), (b, rb), groups=groups, n_boot=400, seed=0)
    assert clustered["auc"]["difference"] == rows["auc"]["difference"] > 0
    width = {k: d["auc"]["ci_high"] - d["auc"]["ci_low"] for k, d in (("rows", rows), ("clustered", clustered))}
    assert width["clustered"] > 1.3 * width["rows"]
    assert clustered["auc"]["clusters"] == 60 and rows["auc"]["clusters"] == len(y)


def test_identical_forecasts_differ_by_exactly_zero_and_a_far_better_one_excludes_zero() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(100), 20)
    years = np.tile(np.arange(20), 100)
    y = (rng.random(2000) < 0.05).astype(int)
    noise = rng.random(2000)
    good = 0.5 * y + 0.5 * noise
    same = bootstrap_difference(y, (noise, _ranks(noise, years)), (noise, _ranks(noise, years)), groups=groups,
                                n_boot=200)
    assert same["auc"]["ci_low"] == same["auc"]["ci_high"] == 0
    better = bootstrap_difference(y, (good, _ranks(good, years)), (noise, _ranks(noise, years)), groups=groups,
                                  n_boot=200)
    assert better["auc"]["ci_low"] > 0.2
    assert better["brier"]["ci_high"] < 0


def test_intervals_of_one_forecast_cover_its_point_and_brier_skill_is_against_the_base_rate() -> None:
    y, groups, years, a, _ = _country_panel(5)
    base = np.full(len(y), y.mean())
    res = bootstrap_intervals(y, (base, _ranks(base, years)), groups=groups, n_boot=200)
    assert res["brier_skill"]["value"] == pytest.approx(0.0)
    out = bootstrap_intervals(y, (a, _ranks(a, years)), groups=groups, n_boot=200)
    for m in ("auc", "top30_recall", "brier", "brier_skill"):
        assert out[m]["ci_low"] <= out[m]["value"] <= out[m]["ci_high"], m


def test_groups_must_match_the_rows() -> None:
    with pytest.raises(ValueError):
        ClusterResampler(np.array([0, 1, 0]), np.array([1, 2]))


def test_track_record_differences_resample_countries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The track record's intervals come from the clustered bootstrap, grouped by country."""
    from tocsin.evaluate import track_record
    from tocsin.evaluate.backtest import BacktestSpec

    seen: dict[str, np.ndarray] = {}
    real = track_record.bootstrap_difference

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["groups"] = kwargs.get("groups")
        return real(*args, **kwargs)

    monkeypatch.setattr(track_record, "bootstrap_difference", spy)
    y, groups, years, a, b = _country_panel(7, n_countries=20, n_years=10)
    preds = pd.DataFrame({"ccode": groups, "year": 2000 + years, "prob": a, "onset": y})
    preds["rank"] = preds.groupby("year")["prob"].rank(ascending=False, method="min")
    ewp = pd.DataFrame({"ccode": groups, "year": 2000 + years, "ewp_name": "x", "risk_prev": b, "mk_onset": y})
    track_record.score_track_record(preds, ewp, "m", BacktestSpec(2000, 2009), n_boot=50)
    assert seen["groups"] is not None and len(np.unique(seen["groups"])) == 20
