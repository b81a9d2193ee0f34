"""The monthly watch: walk-forward without look-ahead, nested choice, evaluation, lead times, risers, warnings
and the `tocsin watch` command reading a run (synthetic panels made here)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from screen import render
from tocsin.evaluate import watch as ew
from tocsin.features import monthly as fm
from tocsin.models.monthly import MonthlyUpdate

MI = fm.month_index
FIRST, LAST = MI(1998, 1), MI(2001, 12)


def synthetic_panel(seed: int = 0, n: int = 40, escalation: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` countries, 1994-2002; onsets at random months, each preceded (when `escalation`) by a rise in
    civilian deaths in the twelve months before it; the yearly risk is mildly informative."""
    rng = np.random.default_rng(seed)
    codes = [int(c) for c in rng.choice(np.arange(2, 990), n, replace=False)]
    onset_rows = []
    for c in codes[: n // 2]:
        onset_rows.append((c, int(rng.integers(1995, 2003)), int(rng.integers(1, 13))))
    onsets = pd.DataFrame(onset_rows, columns=["ccode", "year", "month"]).assign(
        start_date="", event="synthetic", dated=True).astype({"month": "Int64"})
    rows = [(c, y, m) for c in codes for y in range(1994, 2003) for m in range(1, 13)]
    p = pd.DataFrame(rows, columns=["ccode", "year", "month"])
    p["mi"] = MI(p["year"], p["month"])
    hot = {c: 0.02 for c in codes}
    for c in codes[: n // 2]:
        hot[c] = 0.04
    p["yearly_prob"] = p["ccode"].map(hot) * np.exp(rng.normal(0, 0.3, len(p)))
    p["yearly_logit"] = np.log(p["yearly_prob"] / (1 - p["yearly_prob"]))
    for f in fm.ESCALATION:
        p[f] = rng.normal(0, 1, len(p)) if not f.endswith("_missing") else 0.0
    if escalation:
        for c, y, m in onset_rows:
            o = y * 12 + m - 1
            near = (p["ccode"] == c) & p["mi"].between(o - 12, o - 1)
            p.loc[near, "ucdp_civ_esc"] += 3.0
    out = fm.monthly_outcome(p[["ccode", "mi"]], onsets, last_known=MI(2002, 12))
    return p.merge(out, on=["ccode", "mi"]), onsets


@pytest.fixture(scope="module")
def walked() -> tuple[pd.DataFrame, pd.DataFrame, ew.WalkForward]:
    panel, onsets = synthetic_panel()
    return panel, onsets, ew.walk_forward(panel, FIRST, LAST)


def test_each_month_is_fitted_only_on_months_whose_outcome_was_known(monkeypatch: pytest.MonkeyPatch) -> None:
    panel, _ = synthetic_panel(n=20)
    seen: list[int] = []
    real_fit = MonthlyUpdate.fit

    def spy(self: MonthlyUpdate, X: pd.DataFrame, y: np.ndarray) -> MonthlyUpdate:
        seen.append(int(X["mi"].max()))
        return real_fit(self, X, y)

    monkeypatch.setattr(MonthlyUpdate, "fit", spy)
    months = []
    real_choose = ew.choose_variant

    def choose(panel: pd.DataFrame, month: int):  # type: ignore[no-untyped-def]
        months.append(month)
        return real_choose(panel, month)

    monkeypatch.setattr(ew, "choose_variant", choose)
    ew.walk_forward(panel, MI(2000, 1), MI(2000, 3))
    # Inner fits + 3 monthly fits; the last fit of each month trains on rows up to month - 12.
    assert seen[-3:] == [MI(1999, 1), MI(1999, 2), MI(1999, 3)]
    assert max(seen) <= MI(2000, 3) - fm.HORIZON and months == [MI(2000, 1)]


def test_a_forecast_and_its_variant_do_not_change_when_later_outcomes_do() -> None:
    panel, _ = synthetic_panel(n=30)
    month = MI(2000, 1)
    later = panel.copy()
    flip = later["mi"] > month - fm.HORIZON
    later.loc[flip, "onset_12m"] = 1 - later.loc[flip, "onset_12m"]
    assert ew.choose_variant(panel, month) == ew.choose_variant(later, month)
    a = ew.walk_forward(panel, month, month).predictions
    b = ew.walk_forward(later, month, month).predictions
    assert np.allclose(a["prob"], b["prob"])


def test_evaluation_scores_both_forecasts_on_the_same_months_with_clustered_intervals(walked) -> None:  # type: ignore[no-untyped-def]
    _panel, onsets, wf = walked
    ev = ew.evaluate(wf.predictions, onsets, FIRST, LAST, n_boot=100)
    assert ev["country_months"] == len(ew.scored_rows(wf.predictions, FIRST, LAST)) > 0
    for side in ("monthly", "yearly_held_fixed"):
        for m in ("auc", "top30_recall", "brier"):
            v = ev[side][m]
            assert v["ci_low"] <= v["value"] <= v["ci_high"]
    d = ev["difference_monthly_minus_yearly"]["auc"]
    assert d["clusters"] == wf.predictions["ccode"].nunique()
    # The synthetic onsets are announced by escalation that only the monthly model sees.
    assert ev["monthly"]["auc"]["value"] > ev["yearly_held_fixed"]["auc"]["value"] + 0.05
    assert ev["monthly_lead"]["onsets"] == len(ev["lead_times"]) > 0


def test_without_escalation_signals_the_monthly_model_has_nothing_to_add() -> None:
    panel, onsets = synthetic_panel(escalation=False)
    wf = ew.walk_forward(panel, FIRST, LAST)
    ev = ew.evaluate(wf.predictions, onsets, FIRST, LAST, n_boot=50)
    assert ev["monthly"]["auc"]["value"] < ev["yearly_held_fixed"]["auc"]["value"] + 0.05


def _logit_rows(seed: int = 3, n: int = 20000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"yearly_logit": rng.normal(-4, 1, n), "a": rng.normal(size=n), "b": rng.normal(size=n)})
    z = 3.0 + 1.3 * X["yearly_logit"] + 0.6 * X["a"]
    return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int).to_numpy()


def test_the_monthly_penalty_shrinks_the_signals_but_never_the_yearly_forecast() -> None:
    X, y = _logit_rows()
    feats = ("yearly_logit", "a", "b")
    strong = MonthlyUpdate(C=1e-7, features=feats).fit(X, y)
    alone = MonthlyUpdate(inputs="yearly", features=feats).fit(X, y)
    # Under a crushing penalty the signals vanish and the yearly slope is the plain recalibration's.
    assert np.abs(strong.coef_[1:]).max() < 0.01
    assert strong.coef_[0] == pytest.approx(alone.coef_[0], rel=0.02)
    free = MonthlyUpdate(C=1e6, features=feats).fit(X, y)
    assert free.coef_[0] / free.scale_[0] == pytest.approx(1.3, rel=0.1)  # the true slope, per unit log-odds


def test_the_monthly_objective_is_scikit_learns_for_the_penalised_inputs() -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = _logit_rows()
    m = MonthlyUpdate(C=0.05, features=("yearly_logit", "a", "b")).fit(X, y)
    Z = (X.to_numpy() - m.mean_) / m.scale_
    # The same optimum as scikit-learn's C, once the yearly column's penalty is made negligible by scaling it.
    big = 1e3
    sk = LogisticRegression(C=0.05, tol=1e-10, max_iter=5000).fit(Z * [big, 1, 1], y)
    assert sk.coef_.ravel()[0] * big == pytest.approx(m.coef_[0], rel=1e-3)
    np.testing.assert_allclose(sk.coef_.ravel()[1:], m.coef_[1:], rtol=1e-3, atol=1e-4)


def test_lead_time_is_the_unbroken_top30_run_before_the_onset() -> None:
    months = range(MI(2000, 1), MI(2000, 12) + 1)
    preds = pd.DataFrame([(7, m) for m in months], columns=["ccode", "mi"])
    # In the top 30 from March (monthly) / never (yearly); out in May, back from June to November.
    preds["rank"] = [50, 50, 5, 5, 50, 5, 5, 5, 5, 5, 5, 50]
    preds["yearly_rank"] = 40
    onsets = pd.DataFrame({"ccode": [7], "year": [2000], "month": [12], "event": ["x"], "dated": [True]})
    lt = ew.lead_times(preds, onsets, MI(2000, 1), MI(2000, 12)).iloc[0]
    assert lt["monthly_lead_months"] == 6 and lt["monthly_in_top30"]  # June..November, onset in December
    assert lt["yearly_lead_months"] == 0 and not lt["yearly_in_top30"]


def test_risers_are_ranked_by_their_rise_and_name_the_inputs_behind_it(walked) -> None:  # type: ignore[no-untyped-def]
    panel, _, wf = walked
    month = LAST
    r = ew.risers(wf.predictions, panel, wf.models, month, n=5)
    assert list(r["rise"]) == sorted(r["rise"], reverse=True)
    now = wf.predictions[wf.predictions["mi"] == month].set_index("ccode")["prob"]
    assert r["prob"].iloc[0] == pytest.approx(now.loc[r["ccode"].iloc[0]])
    assert all(d["label"] for drivers in r["drivers"] for d in drivers)


def test_warnings_flag_a_new_top10_entry_and_a_big_rise() -> None:
    m = MI(2021, 3)
    preds = pd.DataFrame({"ccode": [1, 2, 3, 1, 2, 3], "mi": [m - 1] * 3 + [m] * 3,
                          "prob": [0.01, 0.05, 0.010, 0.015, 0.05, 0.035], "rank": [12, 3, 14, 9, 3, 11]})
    w = ew.warnings_for(preds, m).set_index("ccode")
    assert set(w.index) == {1, 3}
    assert "entered the monthly top 10" in w.loc[1, "reason"] and "rose 2.5 points" in w.loc[3, "reason"]


def test_logging_the_same_month_twice_adds_one_warning_per_country(tmp_path: Path) -> None:
    from tocsin.monitor import db
    from tocsin.prevention.tracker import report
    from tocsin.prevention.watch_warnings import record_watch_warnings

    eng = db.make_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    db.upgrade(eng)
    factory = db.session_factory(eng)
    m = MI(2021, 3)
    preds = pd.DataFrame({"ccode": [775, 530, 775, 530], "mi": [m - 1, m - 1, m, m],
                          "prob": [0.01, 0.02, 0.04, 0.02], "rank": [12, 5, 4, 5]})
    with db.transaction(factory) as s:
        assert record_watch_warnings(s, "run-a", preds, m) == 1
    with db.transaction(factory) as s:
        assert record_watch_warnings(s, "run-b", preds.assign(prob=preds["prob"] * 1.01), m) == 0
    with factory() as s:
        [row] = report(s, None).rows
    assert row.country == "Myanmar" and str(row.warned_on) == "2021-03-31" and row.issuer == "Tocsin monthly watch"
    eng.dispose()


def _watch_run(home: Path, walked) -> str:  # type: ignore[no-untyped-def]
    """A watch run written from the synthetic walk-forward (what `watch build` publishes)."""
    from tocsin.evaluate.runs import RunStore
    from tocsin.reports import watch as rw

    panel, onsets, wf = walked
    runs = RunStore(home / "runs")
    with runs.create("watch", model=rw.MODEL_NAME, yearly_from_run="synthetic",
                     release_lag_months=fm.RELEASE_LAG) as run:
        panel.to_parquet(run.path / rw.PANEL)
        wf.predictions.to_parquet(run.path / rw.PREDICTIONS)
        wf.models.to_parquet(run.path / rw.MODELS)
        onsets.to_parquet(run.path / rw.ONSETS)
        (run.path / rw.EVALUATION).write_text(json.dumps(ew.evaluate(wf.predictions, onsets, FIRST, LAST,
                                                                      n_boot=20), default=str))
    return run.id


def test_watch_command_reads_the_run_and_fits_nothing(tocsin_env: Path, walked,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.cli.main import app

    run_id = _watch_run(tocsin_env, walked)

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the watch must not fit or build anything")

    monkeypatch.setattr(MonthlyUpdate, "fit", boom)
    monkeypatch.setattr(fm, "signal_features", boom)
    out = tocsin_env / "w.json"
    res = CliRunner().invoke(app, ["watch", "--month", "2001-06", "--json", str(out), "--no-log-warnings"])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text())
    assert rep["run"] == run_id and rep["month"] == "2001-06" and len(rep["risers"]) == 10
    bad = CliRunner().invoke(app, ["watch", "--month", "2031-01", "--no-log-warnings"])
    assert bad.exit_code == 1 and "covers" in bad.output


def test_a_long_stretch_without_dated_onsets_says_to_read_ranks_not_levels(tocsin_env: Path, walked) -> None:  # type: ignore[no-untyped-def]
    from tocsin.core.settings import Settings
    from tocsin.reports.watch import levels_note, open_watch

    _watch_run(tocsin_env, walked)
    w = open_watch(Settings())
    last = int((w.onsets["year"] * 12 + w.onsets["month"].astype(int) - 1).max())
    assert levels_note(w, last + 12 + 35) is None
    assert "ranks, not levels" in (levels_note(w, last + 12 + 36) or "")


def test_watch_output_fits_80_columns_with_what_moved_each_country_below_the_table(
        tocsin_env: Path, walked) -> None:  # type: ignore[no-untyped-def]
    from tocsin.core.settings import Settings
    from tocsin.reports import watch_render
    from tocsin.reports.watch import open_watch, watch_report

    run_id = _watch_run(tocsin_env, walked)
    w = open_watch(Settings())
    rep = watch_report(w, w.month("2001-06"), 10)
    lines = render(watch_render.risers(rep, run_id))
    assert max(len(line) for line in lines) <= 80
    table = [line for line in lines if line.startswith("│")]
    numbered_rows = [line for line in table if line.strip().strip("│").split("│")[0].strip()]
    # A row takes a line or two (a long country name), never a word per line in a squeezed column.
    assert len(numbered_rows) == len(rep["risers"]) and len(table) <= 2 * len(rep["risers"])
    labels = {d["label"] for r in rep["risers"] for d in r["drivers"]}
    assert labels and not any(label in line for label in labels for line in table)
    below = " ".join(line.strip() for line in lines[lines.index(next(x for x in lines if x.startswith("└"))) + 1:])
    for r in rep["risers"]:
        if r["drivers"]:
            d = r["drivers"][0]
            assert f"{r['country']}: {d['label']} {d['log_odds_change']:+.2f}" in below  # whole, wrapped by words


def test_watch_evaluation_fits_80_columns_and_keeps_its_intervals(walked) -> None:  # type: ignore[no-untyped-def]
    from tocsin.reports import watch_render

    _panel, onsets, wf = walked
    ev = ew.evaluate(wf.predictions, onsets, FIRST, LAST, n_boot=20)
    lines = render(watch_render.evaluation(ev, "run-x"))
    assert max(len(line) for line in lines) <= 80
    d = ev["difference_monthly_minus_yearly"]["auc"]
    assert f"({d['ci_low']:.3f}, {d['ci_high']:.3f})" in "\n".join(lines)
