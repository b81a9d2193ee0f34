"""The driver ablation reports what a family adds, on the same rows, with intervals."""

from __future__ import annotations

import numpy as np

from factories import make_panel
from tocsin.evaluate.ablation import run_ablation
from tocsin.evaluate.backtest import BacktestSpec


def test_an_informative_family_shows_a_gain_and_a_noise_family_does_not(monkeypatch) -> None:
    panel = make_panel(seed=8, n_countries=40)
    rng = np.random.default_rng(0)
    # A made-up "climate" driver that foreshadows onsets, and a noise "inequality" driver.
    nxt = panel.groupby("ccode")["mk_onset"].shift(-1).fillna(0)
    panel["spei12"] = -2.5 * nxt + rng.normal(0, 0.5, len(panel))
    panel["gini_disp"] = rng.normal(40, 5, len(panel))
    fams = {"climate": ("spei12",), "inequality": ("gini_disp",)}
    monkeypatch.setattr("tocsin.features.sets._family", lambda f: fams.get(f, ()))
    rows = panel[panel["year"].between(2000, 2015)][["ccode", "year"]]
    res = run_ablation(panel, rows, BacktestSpec(2000, 2015), families=("climate", "inequality"), n_boot=200,
                       model_params={"cv": 3, "n_alphas": 15})
    t = res.table.set_index("variant")
    assert list(t.index) == ["base", "base+climate", "base+inequality", "base+all"]
    assert t.loc["base", "d_auc"] == 0
    assert t.loc["base+climate", "d_auc_lo"] > 0
    assert t.loc["base+inequality", "d_auc_lo"] <= 0 <= t.loc["base+inequality", "d_auc_hi"]
    payload = res.to_json()
    assert payload["variants"][1]["driver_families"] == ["climate"]


def test_the_repression_family_is_measured_with_and_without_its_smoothed_latent_scores() -> None:
    from tocsin.evaluate.ablation import REPRESSION, variants

    vs = {v.name: v for v in variants()}
    assert list(vs)[-3:] == ["base+repression", "base+repression+latent", "base+all"]
    assert vs["base+repression"].feature_sets == ("ewp", "drivers-repression")
    assert vs["base+repression+latent"].feature_sets == ("ewp", "drivers-repression+latent")
    assert REPRESSION in vs["base+all"].families and "drivers-repression" in vs["base+all"].feature_sets
    assert "drivers-repression+latent" not in vs["base+all"].feature_sets


def test_ablation_intervals_resample_whole_countries(monkeypatch) -> None:
    from tocsin.evaluate import ablation

    seen = []
    real = ablation.bootstrap_difference

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs.get("groups"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ablation, "bootstrap_difference", spy)
    panel = make_panel(seed=9, n_countries=25)
    panel["gini_disp"] = np.random.default_rng(1).normal(40, 5, len(panel))
    monkeypatch.setattr("tocsin.features.sets._family", lambda f: ("gini_disp",) if f == "inequality" else ())
    rows = panel[panel["year"].between(2005, 2010)][["ccode", "year"]]
    res = run_ablation(panel, rows, BacktestSpec(2005, 2010), families=("inequality",), n_boot=50,
                       model_params={"cv": 3, "n_alphas": 10})
    assert seen and all(g is not None and len(set(g)) == res.clusters for g in seen)
    assert res.to_json()["interval"].startswith("95% percentile, country-clustered")


def test_the_ablation_table_fits_80_columns_with_each_interval_whole() -> None:
    import pandas as pd

    from screen import render
    from tocsin.reports import terminal

    names = ["base", "base+climate", "base+ethno-nationalism", "base+repression+latent", "base+all"]
    table = pd.DataFrame({
        "variant": names, "auc": 0.835, "d_auc": -0.011, "d_auc_lo": -0.021, "d_auc_hi": -0.002,
        "top30_recall": 0.72, "d_top30_recall": -0.08, "d_top30_recall_lo": -0.23, "d_top30_recall_hi": 0.05,
        "brier": 0.00832, "d_brier": -0.00001, "d_brier_lo": -0.00008, "d_brier_hi": 0.00006,
    })
    table.loc[0, [c for c in table.columns if c.startswith("d_")]] = float("nan")
    lines = render(terminal.ablation(table, rows=5032, onsets=39, clusters=168, start=1994, end=2024))
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for whole in ("(-0.021, -0.002)", "(-23%, +5%)", "(-0.00008, +0.00006)", "+ethno-nationalism"):
        assert whole in text
    assert "nan" not in text  # the base has no difference from itself
