"""The country-year template and mass-killing variables, on small state lists and event lists made here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.features.rebuild.template import compare_template, country_years, mk_variables, states


def _gw(rows: list[tuple[int, str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["COW_number", "COW_name", "entry_year", "end_year_2017"])


def _event(code: str, loc: int, start: int, end: float | None, flag: float | None, **kw: float) -> dict:
    row = {"country": kw.pop("country", "X"), "startyear": start, "endyear": np.nan if end is None else end,
           "mk_event_code": code, "mk_number_eth_groups": np.nan if flag is None else flag, "mk_location_cow": loc,
           "mk_location_inheritor1": kw.pop("loc1", loc), "mk_location_inheritor2": kw.pop("loc2", np.nan),
           "mk_repsonsible_state_cow": kw.pop("resp", loc), "mk_repsonsible_state_inheritor1": kw.pop("resp1", loc),
           "mk_repsonsible_state_inheritor2": np.nan}
    assert not kw
    return row


def test_states_follow_ewp_conventions() -> None:
    gw = _gw([(260, "German Federal Republic", 1949, 2017), (265, "German Democratic Republic", 1949, 1990),
              (678, "Yemen (Arab Republic of Yemen)", 1918, 2017), (31, "Bahamas", 1973, 2017),
              (345, "Yugoslavia", 1878, 2017), (340, "Serbia", 2006, 2017), (41, "Haiti", 1816, 1915),
              (2, "United States of America", 1816, 2017)])
    s = states(gw, 2024).set_index("ccode")
    assert 260 not in s.index and s.loc[255, "country"] == "Germany" and s.loc[255, "independence_year"] == 1866
    assert s.loc[265, "country"] == "Germany (East)"
    assert 31 not in s.index and 340 not in s.index  # under 500k; Serbia is 345
    assert 41 not in s.index  # ended before 1946
    assert s.loc[678, "end_year"] == 1989 and s.loc[679, "start_year"] == 1990 and s.loc[679, "end_year"] == 2024
    assert s.loc[345, "country"] == "Serbia" and s.loc[345, "end_year"] == 2024
    assert s.loc[2, "start_year"] == 1934  # present in 1945: enters in 1934 for lags


def test_membership_years_replace_gleditsch_ward_years_and_open_ends_run_to_the_last_year() -> None:
    gw = _gw([(115, "Surinam", 1975, 2017), (713, "Taiwan", 1949, 2017)])
    membership = pd.DataFrame({"ccode": [115, 713], "start_year": [2003, 1949], "end_year": [2024, 2024]})
    frame = country_years(gw, 2025, membership)
    assert 713 not in set(frame["ccode"])  # Taiwan is dropped
    suriname = frame[frame["ccode"] == 115]
    assert suriname["year"].min() == 2003 and suriname["year"].max() == 2025
    assert (suriname["independence_year"] == 1975).all()
    without = country_years(gw, 2024)
    assert without.loc[without["ccode"] == 115, "year"].min() == 1975


def test_event_loop_counts_onsets_offsets_ongoing_and_ever_flags() -> None:
    frame = pd.DataFrame({"ccode": [10] * 6 + [20] * 6, "year": list(range(2000, 2006)) * 2})
    events = pd.DataFrame([
        _event("a", 10, 2001, 2002, 1, loc1=20, resp1=20),
        _event("b", 10, 2001, None, 2),  # open: ongoing to the end, no offset
        _event("c", 20, 2004, 2004, None, resp=10),
    ])
    out = mk_variables(frame, events).set_index(["ccode", "year"])
    assert out.loc[(10, 2001), "mk_onset_count"] == 2 and out.loc[(10, 2001), "mk_onset"] == 1
    assert out.loc[(10, 2002), "mk_offset"] == 1 and out.loc[(10, 2005), "mk_offset"] == 0
    assert list(out.loc[10, "mk_ongoing_count"]) == [0, 2, 2, 1, 1, 1]
    # Location inheritor 20 and responsible inheritor 20 from 2001; event c's responsible state 10 from 2004.
    assert list(out.loc[20, "mk_location_ever"]) == [0, 1, 1, 1, 1, 1]
    assert list(out.loc[20, "mk_responsible_ever"]) == [0, 1, 1, 1, 1, 1]
    # Wide/narrow follow the last-listed event covering the year: b (flag 2) overrides a (flag 1).
    assert out.loc[(10, 2001), "widetargeting"] == 1 and out.loc[(10, 2001), "narrowtargeting"] == 0
    # A missing flag (c) is neither wide nor narrow, though the killing is ongoing.
    assert out.loc[(20, 2004), "mk_ongoing"] == 1 and out.loc[(20, 2004), "widetargeting"] == 0
    assert out.loc[(20, 2004), "narrowtargeting"] == 0


def test_zanzibar_killing_is_coded_to_tanzania() -> None:
    frame = pd.DataFrame({"ccode": [510, 510], "year": [1963, 1964]})
    events = pd.DataFrame([_event("z", 511, 1964, 1964, 1, country="Zanzibar", loc1=510, resp=511, resp1=np.nan)])
    out = mk_variables(frame, events)
    assert out["mk_onset"].tolist() == [0, 1] and out["mk_responsible_ever"].tolist() == [0, 1]


def test_compare_template_reports_rows_in_one_frame_only_and_unequal_cells() -> None:
    ours = pd.DataFrame({"ccode": [1, 1, 2], "year": [1950, 1951, 1950], "mk_onset": [0, 1, 0]})
    theirs = pd.DataFrame({"ccode": [1, 1, 3], "year": [1950, 1951, 1950], "mk_onset": [0, 0, 0]})
    c = compare_template(ours, theirs)
    assert c["rows_both"] == 2 and c["rows_ours_only"] == 1 and c["rows_ewp_only"] == 1
    assert c["variables"]["mk_onset"]["equal"] == 1  # type: ignore[index]
