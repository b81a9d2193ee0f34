"""The monthly watch's panel: release lags, dated and year-only onsets, the 12-month outcome (synthetic data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.features import monthly as fm

MI = fm.month_index


def _sources(spike: tuple[int, int] = (2001, 6)) -> dict[str, pd.DataFrame]:
    """Two countries (Nigeria 475, Myanmar 775), 1999-2002, quiet except for one month's spike in every
    source at 475."""
    rows = [(c, y, m) for c in (475, 775) for y in range(1999, 2003) for m in range(1, 13)]
    base = pd.DataFrame(rows, columns=["gwcode", "year", "month"])
    hot = (base["gwcode"] == 475) & (base["year"] == spike[0]) & (base["month"] == spike[1])
    ucdp = base.assign(fatalities=np.where(hot, 500.0, 1.0), civilian_deaths=np.where(hot, 400.0, 0.0),
                       sb_events=np.where(hot, 20.0, 0.0), os_events=np.where(hot, 30.0, 0.0))
    views = base.assign(sb_deaths=np.where(hot, 100.0, 0.0))
    gdelt = base.assign(conflict_events=np.where(hot, 900.0, 100.0), protest_events=50.0, goldstein=-1.0)
    coups = pd.DataFrame({"ccode": [775], "date": [pd.Timestamp(2001, 2, 1)], "year": [2001], "succeeded": [1]})
    # The coup list covers 1999-2001 (ends before the others): 2002 is "missing".
    coups = pd.concat([coups, pd.DataFrame({"ccode": [475], "date": [pd.Timestamp(1999, 1, 5)], "year": [1999],
                                            "succeeded": [0]})])
    return {"ucdp": ucdp, "views": views, "gdelt": gdelt, "coups": coups}


def _signals() -> pd.DataFrame:
    return fm.signal_features(_sources(), MI(2000, 6), MI(2002, 12)).set_index(["ccode", "mi"])


def test_a_source_with_a_one_month_release_lag_shows_a_spike_only_the_month_after() -> None:
    s = _signals()
    june, july = MI(2001, 6), MI(2001, 7)
    assert s.loc[(475, june), "ucdp_civ_3m_raw"] == 0  # UCDP for June is released in July
    assert s.loc[(475, july), "ucdp_civ_3m_raw"] == 400
    assert s.loc[(475, june), "views_sb_3m_raw"] == 0 and s.loc[(475, july), "views_sb_3m_raw"] == 100
    assert s.loc[(475, june), "gdelt_conflict_3m_raw"] == 1100  # GDELT has no lag: June's spike is in June
    assert s.loc[(475, june), "gdelt_conflict_esc"] > 0.5
    # After the recent window the spike moves into the 12-month baseline: escalation turns negative.
    assert s.loc[(475, MI(2001, 10)), "ucdp_civ_esc"] < 0 < s.loc[(475, july), "ucdp_civ_esc"]


def test_a_coup_counts_from_its_month_for_six_months_and_coups_go_missing_after_the_list_ends() -> None:
    s = _signals()
    assert s.loc[(775, MI(2001, 1)), "coup_successes_6m"] == 0
    assert s.loc[(775, MI(2001, 2)), "coup_successes_6m"] == 1
    assert s.loc[(775, MI(2001, 2)), "coup_last_date"] == "2001-02-01"
    assert s.loc[(775, MI(2001, 7)), "coup_successes_6m"] == 1 and s.loc[(775, MI(2001, 8)), "coup_successes_6m"] == 0
    assert s.loc[(775, MI(2001, 12)), "coups_missing"] == 0 and s.loc[(775, MI(2002, 1)), "coups_missing"] == 1


def _events() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    events = pd.DataFrame({
        "country": ["Sudan", "Philippines", "Myanmar", "Burkina Faso", "Nigeria"],
        "mk_event_name": ["darfur", "drug war", "junta", "burkina", "non-state"],
        "startyear": [2003, 2016, 2021, 2022, 2010],
        "State-Led or Non-State-Led": ["State-Led", "State-Led", "State-Led", "State-Led", "Non-State-Led"],
        "mk_location_cow": [625, 840, 775, 439, 475],
    })
    ongoing = pd.DataFrame({
        "Country": ["Sudan", "Phillippines", "Burma/Myanmar", "Nigeria"],  # the sheet's own misspelling
        "State-Led or Non-State-Led": ["State-Led", "State-Led", "State-Led", "Non-State-Led"],
        "Start Date": ["July 2003", "2016-07-01 00:00:00", "2021", "2010-12-24 00:00:00"],
        "Start Year": [2003, 2016, 2021, 2010],
    })
    ended = pd.DataFrame({"Country": ["Chad"], "State-Led or Non-State-Led": ["State-Led"],
                          "Start Date": ["1991-10-13"], "Start Year ": [1991]})  # the sheet's trailing space
    return events, ongoing, ended


def test_onsets_are_dated_from_the_start_date_and_year_only_ones_are_kept_apart() -> None:
    on = fm.dated_onsets(*_events()).set_index("ccode")
    assert len(on) == 4  # state-led only
    assert on.loc[625, "month"] == 7 and on.loc[840, "month"] == 7  # "July 2003"; misspelt name matched
    assert not on.loc[775, "dated"] and pd.isna(on.loc[775, "month"])  # "2021": the year only
    assert not on.loc[439, "dated"]  # on no dated sheet


def test_the_outcome_labels_the_twelve_months_before_a_dated_onset_and_excludes_year_only_windows() -> None:
    on = fm.dated_onsets(*_events())
    grid = pd.DataFrame([(c, m) for c in (625, 775) for m in range(MI(2002, 1), MI(2023, 12) + 1)],
                        columns=["ccode", "mi"])
    out = fm.monthly_outcome(grid, on, last_known=MI(2022, 12)).set_index(["ccode", "mi"])
    onset = MI(2003, 7)
    assert out.loc[(625, onset - 12), "onset_12m"] == 1 and out.loc[(625, onset - 1), "onset_12m"] == 1
    assert out.loc[(625, onset - 13), "onset_12m"] == 0 and out.loc[(625, onset), "onset_12m"] == 0
    assert out.loc[(625, onset - 1), "next_onset"] == onset
    # Myanmar 2021, year only: every month whose window M+1..M+12 touches 2021 is excluded, no other.
    ex = out.loc[775]
    touched = ex[ex["excluded"] == "year-only onset 2021"].index
    assert touched.min() == MI(2020, 1) and touched.max() == MI(2021, 11) and len(touched) == 23
    assert ex.loc[touched, "onset_12m"].isna().all()
    assert ex.loc[MI(2019, 12), "onset_12m"] == 0 and ex.loc[MI(2021, 12), "onset_12m"] == 0
    # Windows reaching past the last known month are not labelled.
    assert out.loc[(625, MI(2022, 1)), "excluded"] == "outcome not known yet"


def test_the_panel_holds_the_yearly_risk_fixed_through_its_year() -> None:
    sig = fm.signal_features(_sources(), MI(2000, 1), MI(2002, 12))
    cy = pd.DataFrame({"ccode": [475, 475, 775, 775], "year": [2001, 2002, 2001, 2002]})
    yearly = pd.DataFrame({"ccode": [475, 475, 775, 775], "year": [2001, 2002, 2001, 2002],
                           "prob": [0.01, 0.02, 0.03, 0.04]})
    on = fm.dated_onsets(*_events())
    p = fm.monthly_panel(cy, yearly, sig, on, first_year=2001, last_year=2002)
    assert len(p) == 48
    assert set(p.loc[(p["ccode"] == 775) & (p["year"] == 2001), "yearly_prob"]) == {0.03}
    assert np.allclose(p.loc[p["ccode"] == 475, "yearly_logit"].iloc[0], np.log(0.01 / 0.99))
    assert not p[list(fm.FEATURES)].isna().any().any()
