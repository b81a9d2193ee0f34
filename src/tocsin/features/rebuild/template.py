"""The country-year template: which states are in the panel in which years, and the mass-killing variables.

Follows EWP's `1.Buildcountryyears_and_mk_data/build_countryears_mkevents_2025.R` (read for its definitions;
this is Tocsin's own code):

- States come from the Gleditsch-Ward independent-states list, without states under 500k people or not
  considered independent (Bahamas, Barbados, Belize, Iceland, Zanzibar, Tibet, Brunei) and without Serbia's
  340 (Yugoslavia/Serbia is 345 throughout). West/unified Germany is "Germany" with code 255, East Germany
  "Germany (East)" 265 from 1949 to 1989; Yemen is three states: 678 to 1989, 680 (1967-1989) and 679 from
  1990; Yugoslavia is called "Serbia"; Taiwan is dropped at the end.
- The years each state is in the frame ("membership") are EWP's legacy years, which EWP read from a 2023 file
  that is not published with the 2025 scripts; they survive only as `datastartyear`/`dataendyear` in EWP's
  base data, so by default the template takes them from there (`membership_from_basedata`). Without them the
  template uses the Gleditsch-Ward entry year (1934 for states present in 1945) with EWP's stated
  exceptions; `compare_template` shows what that changes.
- Mass-killing variables come from the events master list, event by event in the list's order: onset
  counts at the start year and location, offsets at the end year, ongoing counts over start..end (open events
  run past the last year), "ever" flags from the start year on for the location's inheritors and the
  responsible state and its first inheritor, and wide/narrow targeting from the ethnic-groups flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.core.errors import WarehouseError

FIRST_YEAR = 1934  # states present in 1945 enter in 1934 so that lags exist from 1945
# Gleditsch-Ward codes EWP leaves out: under 500k people, not independent, or Serbia's 340 (EWP uses 345).
EXCLUDED = (31, 53, 80, 395, 511, 711, 835, 340)
# Independence years EWP takes from its legacy data instead of Gleditsch-Ward (by EWP's state name).
INDEPENDENCE_FIXES = {
    "Croatia": 1991, "Slovenia": 1991, "Cameroon": 1961, "Gabon": 1965, "Swaziland": 1973, "Jordan": 1948,
    "Kuwait": 1965, "Laos": 1949, "Indonesia": 1949, "Germany": 1866, "Yemen": 1990,
}
# Start years EWP sets by hand (used only when no membership table is given).
START_FIXES = {255: 1945, 265: 1949, 660: 1944, 840: 1946, 780: 1948, 552: 1965, 402: 2007, 850: 1949}

MK_COLUMNS = (
    "mk_onset_count", "mk_offset_count", "mk_ongoing_count", "mk_location_ever", "mk_responsible_ever",
    "mk_ongoing", "mk_onset", "mk_offset", "widetargeting", "narrowtargeting",
)


def states(gw: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """One row per state: ccode, country, independence_year, start_year, end_year (Gleditsch-Ward rules)."""
    need = {"COW_number", "COW_name", "entry_year", "end_year_2017"}
    if missing := need - set(gw.columns):
        raise WarehouseError(f"state list lacks columns {sorted(missing)}: re-run `tocsin data pull`")
    s = gw[gw["end_year_2017"] > 1945].rename(columns={"COW_number": "ccode", "COW_name": "country"}).copy()
    # A state that lasted to the list's end (2017) is taken to last to the last year built.
    s["end_year"] = np.where(s["end_year_2017"] < 2017, s["end_year_2017"], last_year)
    s["start_year"] = s["entry_year"].clip(lower=1945)
    s["country"] = s["country"].replace({"German Federal Republic": "Germany",
                                         "German Democratic Republic": "Germany (East)"})
    s["ccode"] = s["ccode"].replace({260: 255})
    s = s[~s["ccode"].isin(EXCLUDED)]
    s = s.rename(columns={"entry_year": "independence_year"})
    s = s.groupby("ccode", as_index=False).agg(
        country=("country", "first"), independence_year=("independence_year", "min"),
        start_year=("start_year", "min"), end_year=("end_year", "max"))
    # Three Yemens: North (678) ends in 1989; unified Yemen (679) from 1990.
    s.loc[s["ccode"] == 678, "end_year"] = 1989
    s = pd.concat([s, pd.DataFrame([{"ccode": 679, "country": "Yemen", "independence_year": 1990,
                                     "start_year": 1990, "end_year": last_year}])], ignore_index=True)
    s.loc[s["country"].str.contains("Yugoslavia"), "country"] = "Serbia"
    s.loc[s["country"] == "Serbia", "end_year"] = last_year
    s["independence_year"] = [INDEPENDENCE_FIXES.get(c, y)
                              for c, y in zip(s["country"], s["independence_year"], strict=True)]
    for code, year in START_FIXES.items():
        s.loc[s["ccode"] == code, "start_year"] = year
    s.loc[s["ccode"] == 402, "end_year"] = last_year
    s["start_year"] = s["start_year"].where(s["start_year"] != 1945, FIRST_YEAR)
    return s.drop_duplicates("ccode").sort_values("ccode").reset_index(drop=True)


def membership_from_basedata(basedata: pd.DataFrame) -> pd.DataFrame:
    """EWP's legacy membership years per state, as carried in its base data (ccode, start_year, end_year)."""
    m = basedata.groupby("ccode", as_index=False).agg(start_year=("datastartyear", "first"),
                                                      end_year=("dataendyear", "first"))
    return m.astype({"ccode": int, "start_year": int, "end_year": int})


def country_years(gw: pd.DataFrame, last_year: int, membership: pd.DataFrame | None = None) -> pd.DataFrame:
    """The frame: ccode, country, year, datastartyear, dataendyear, independence_year."""
    s = states(gw, last_year)
    if membership is not None:
        m = membership.set_index("ccode")
        known = s["ccode"].isin(m.index)
        s.loc[known, "start_year"] = s.loc[known, "ccode"].map(m["start_year"]).astype(int)
        # Membership that ran to the source's last year runs to the last year built.
        ends = s.loc[known, "ccode"].map(m["end_year"]).astype(int)
        open_ended = ends >= int(m["end_year"].max())
        s.loc[known, "end_year"] = np.where(open_ended, last_year, ends)
        s = s[known | ~s["ccode"].isin(EXCLUDED)]
    s = s[s["country"] != "Taiwan"]
    s["end_year"] = s["end_year"].clip(upper=last_year)
    rows = [(r.ccode, r.country, y, r.start_year, r.end_year, r.independence_year)
            for r in s.itertuples() for y in range(int(r.start_year), int(r.end_year) + 1)]
    out = pd.DataFrame(rows, columns=["ccode", "country", "year", "datastartyear", "dataendyear",
                                      "independence_year"])
    return out.astype({"ccode": int, "year": int, "datastartyear": int, "dataendyear": int,
                       "independence_year": int})


def _fix_events(events: pd.DataFrame) -> pd.DataFrame:
    ev = events.rename(columns={
        "mk_repsonsible_state_cow": "mk_responsible_state_cow",
        "mk_repsonsible_state_inheritor1": "mk_responsible_state_inheritor1",
        "mk_repsonsible_state_inheritor2": "mk_responsible_state_inheritor2"}).copy()
    country = ev["country"].astype(str)
    # Zanzibar's 1964 killing is coded to Tanzania (EWP has no Zanzibar).
    zan = country.str.contains("Zanzibar")
    ev.loc[zan, ["mk_location_cow", "mk_location_inheritor1", "mk_responsible_state_cow"]] = 510
    # Serbia keeps responsibility (345); EWP sets the location inheritor to 357, a code no state has
    # (Kosovo is 347), so no state inherits the location: kept as EWP has it.
    srb = country.str.contains("Serbia")
    ev.loc[srb, ["mk_location_cow", "mk_responsible_state_cow", "mk_responsible_state_inheritor1"]] = 345
    ev.loc[srb, "mk_location_inheritor1"] = 357
    return ev


def mk_variables(frame: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Add the mass-killing variables to a country-year frame (EWP's event loop, vectorised per event)."""
    out = frame.sort_values(["ccode", "year"]).reset_index(drop=True).copy()
    ev = _fix_events(events)
    max_year = int(out["year"].max())
    for col in ("mk_onset_count", "mk_offset_count", "mk_ongoing_count", "mk_location_ever",
                "mk_responsible_ever"):
        out[col] = 0
    flag = pd.Series([None] * len(out), index=out.index, dtype=object)
    year, ccode = out["year"].to_numpy(), out["ccode"].to_numpy()
    for e in ev.itertuples(index=False):
        start, loc = int(e.startyear), int(e.mk_location_cow)
        # An open event runs past the last year, so it never ends inside the frame.
        end = max_year + 2 if pd.isna(e.endyear) else int(e.endyear)
        at_loc = ccode == loc
        out.loc[at_loc & (year == start), "mk_onset_count"] += 1
        out.loc[at_loc & (year == end), "mk_offset_count"] += 1
        span = at_loc & (year >= start) & (year <= end)
        out.loc[span, "mk_ongoing_count"] += 1
        since = (year >= start) & (year <= max_year)
        out.loc[since & at_loc, "mk_location_ever"] = 1
        heirs = [int(v) for v in (e.mk_location_inheritor1, e.mk_location_inheritor2) if pd.notna(v)]
        out.loc[since & np.isin(ccode, heirs), "mk_location_ever"] = 1
        resp = [int(v) for v in (e.mk_responsible_state_cow, e.mk_responsible_state_inheritor1) if pd.notna(v)]
        out.loc[since & np.isin(ccode, resp), "mk_responsible_ever"] = 1
        # EWP's loop keeps only the flag of the last event (in list order) covering a country-year.
        n = e.mk_number_eth_groups
        flag[span] = "NA" if pd.isna(n) else str(int(n))
    out["mk_ongoing"] = (out["mk_ongoing_count"] > 0).astype(int)
    out["mk_onset"] = (out["mk_onset_count"] > 0).astype(int)
    out["mk_offset"] = (out["mk_offset_count"] > 0).astype(int)
    out["widetargeting"] = flag.isin(["0", "2"]).astype(int)
    out["narrowtargeting"] = (flag == "1").astype(int)
    return out


def build_template(tables: dict[str, pd.DataFrame], last_year: int, *, legacy_membership: bool = True
                   ) -> pd.DataFrame:
    """Country-years FIRST_YEAR..last_year with the mass-killing variables and EWP's display names."""
    membership = membership_from_basedata(tables["ewp_basedata"]) if legacy_membership else None
    frame = country_years(tables["ewp_in_gw_states"], last_year, membership)
    out = mk_variables(frame, tables["ewp_events"])
    names = tables["ewp_countrynames"][["ccode", "ewp_name"]].drop_duplicates("ccode")
    return out.merge(names.astype({"ccode": int}), on="ccode", how="left")


def compare_template(ours: pd.DataFrame, basedata: pd.DataFrame, since: int = 1945) -> dict[str, object]:
    """Rows in one frame only, and per mass-killing variable the share of shared rows that are equal."""
    key = ["ccode", "year"]
    a = ours[ours["year"] >= since]
    b = basedata[basedata["year"] >= since].astype({"ccode": int, "year": int})
    m = a.merge(b, on=key, how="outer", suffixes=("", "_ewp"), indicator=True)
    only_ours = m[m["_merge"] == "left_only"]
    only_ewp = m[m["_merge"] == "right_only"]
    both = m[m["_merge"] == "both"]
    per_var: dict[str, dict[str, object]] = {}
    for col in (*MK_COLUMNS, "independence_year", "datastartyear"):
        if col not in b.columns:
            continue
        eq = both[col].astype(float).eq(both[f"{col}_ewp"].astype(float))
        bad = both.loc[~eq, ["ccode", "year", col, f"{col}_ewp"]]
        per_var[col] = {"equal": int(eq.sum()), "cells": len(both), "examples": bad.head(5).to_dict("records")}
    return {"rows_both": len(both), "rows_ours_only": len(only_ours), "rows_ewp_only": len(only_ewp),
            "ours_only_by_state": _spans(only_ours), "ewp_only_by_state": _spans(only_ewp),
            "variables": per_var}


def _spans(rows: pd.DataFrame) -> list[dict[str, object]]:
    return rows.groupby("ccode")["year"].agg(["min", "max", "count"]).reset_index().to_dict("records")
