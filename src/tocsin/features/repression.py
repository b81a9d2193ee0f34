"""Repression and conflict evidence: what a state is already doing, as country-year features.

State terror (PTS), one-sided killing of civilians by the government and by others (UCDP), armed conflict and
its intensity (UCDP/PRIO ACD; VIEWS' state-based fatalities), coups (Colpus), physical-integrity protection
(Fariss), and two THIRD-PARTY country-month aggregates (UCDP GED civilian deaths; GDELT events).

Timing: the row of year t uses only data about years <= t (levels of t, changes against t-1 or t-5, maxima
over t-2..t or t-4..t), and a forecast for Y reads the row of Y-1. Event sources list only years with events,
so a covered year without a row is a zero; years outside a source's coverage are missing (NaN, with a
`<group>_missing` indicator), never zero. Windows were fixed a priori (1, 3 and 5 years; a decade for "first
conflict"), not tuned on outcomes.

Fariss' latent scores (group "fariss", tag "smoothed") are estimated on all years at once, so the score of
year t borrows from reports of later years: a backtest that uses them looks ahead. Feature sets
`drivers-repression` (without them) and `drivers-repression+latent` (with them) measure the difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tocsin.sources import events as ev

if TYPE_CHECKING:
    from tocsin.features.drivers import PanelCodes

KEY = ["ccode", "year"]
FAMILY = "repression and conflict evidence"
# Coverage (first, last year) of each source in the mirror; outside it a value is unknown, not zero.
COVERAGE: dict[str, tuple[int, int]] = {
    "pts": (1976, 2023), "osv": (1989, 2024), "acd": (1946, 2024), "colpus": (1946, 2022),
    "fariss": (1946, 2021), "views": (1990, 2024), "tpucdp": (1989, 2024), "tpgdelt": (1985, 2024),
}
WAR = 2  # ACD intensity level of a war (>= 1,000 battle deaths in the year)
OSV_THRESHOLD = 25.0  # UCDP's own threshold for one-sided violence by an actor in a year

_PTS, _OSV, _ACD, _COL = "pts", "ucdp_onesided", "ucdp_acd", "colpus_coups"
_TP = " (THIRD-PARTY aggregate, unverified)"
# name, label, source, transform, UN factors, tags (group:<g>; primary; impute:<policy>; smoothed)
FEATURES: list[tuple[str, str, str, str, tuple[int, ...], tuple[str, ...]]] = [
    ("pts_max", "State terror (PTS, worst of the reports)", _PTS, "max of PTS A/H/S in t (1-5)", (2, 11),
     ("group:pts", "primary", "impute:ffill")),
    ("pts_mean", "State terror (PTS, mean of the reports)", _PTS, "mean of the coded PTS A/H/S in t", (2, 11),
     ("group:pts", "impute:ffill")),
    ("pts_max_5y", "Worst state terror in 5 years (PTS)", _PTS, "max of pts_max over t-4..t", (2, 11),
     ("group:pts", "impute:ffill")),
    ("pts_chg1", "Change in state terror (PTS)", _PTS, "pts_max(t) - pts_max(t-1)", (2, 7, 11),
     ("group:pts", "impute:zero")),
    ("pts_worsened_3y", "State terror worsened in 3 years (PTS)", _PTS,
     "1 if pts_max rose in any year of t-2..t", (2, 7, 11), ("group:pts", "impute:zero")),
    ("gov_osv_log", "Civilians killed by the government (log)", _OSV,
     "log(1 + UCDP one-sided deaths by this state's government in t, best estimate)", (2, 11, 12),
     ("group:osv", "primary", "impute:none")),
    ("gov_osv_max3_log", "Worst year of government killing of civilians, 3 years (log)", _OSV,
     "log(1 + max over t-2..t of government one-sided deaths)", (2, 11, 12), ("group:osv", "impute:none")),
    ("gov_osv_max5_log", "Worst year of government killing of civilians, 5 years (log)", _OSV,
     "log(1 + max over t-4..t of government one-sided deaths)", (2, 11, 12), ("group:osv", "impute:none")),
    ("gov_osv_years5", "Years of government one-sided violence in the last 5", _OSV,
     "years of t-4..t with >= 25 government one-sided deaths", (2, 11, 12), ("group:osv", "impute:none")),
    ("nonstate_osv_log", "Civilians killed by armed groups (log)", _OSV,
     "log(1 + UCDP one-sided deaths by non-state groups on the territory in t)", (1, 13),
     ("group:osv", "impute:none")),
    ("nonstate_osv_max3_log", "Worst year of armed-group killing of civilians, 3 years (log)", _OSV,
     "log(1 + max over t-2..t of non-state one-sided deaths)", (1, 13), ("group:osv", "impute:none")),
    ("acd_intensity", "Armed conflict intensity (UCDP/PRIO)", _ACD,
     "0 none, 1 minor (25-999 battle deaths), 2 war (>= 1,000), max over conflicts located there in t", (1,),
     ("group:acd", "primary", "impute:none")),
    ("acd_conflicts", "Armed conflicts on the territory", _ACD, "count of ACD conflicts located there in t",
     (1,), ("group:acd", "impute:none")),
    ("acd_internal", "Internal armed conflict", _ACD, "1 if an internal or internationalised internal "
     "conflict is active there in t", (1,), ("group:acd", "impute:none")),
    ("acd_intensity_chg1", "Change in conflict intensity", _ACD, "acd_intensity(t) - acd_intensity(t-1)",
     (1, 8), ("group:acd", "impute:none")),
    ("acd_war_3y", "War in the last 3 years", _ACD, "1 if intensity 2 in any year of t-2..t", (1,),
     ("group:acd", "impute:none")),
    ("acd_first_in_decade", "First armed conflict in a decade", _ACD,
     "1 if a conflict is active in t and none was in t-10..t-1", (1, 8), ("group:acd", "impute:none")),
    ("acd_new_episode", "New conflict episode", _ACD, "1 if an ACD conflict episode started in t", (1, 8),
     ("group:acd", "impute:none")),
    ("coup_attempts_1y", "Coup attempts this year (Colpus)", _COL, "Colpus coup attempts in t", (1, 3, 8),
     ("group:colpus", "primary", "impute:none")),
    ("coup_attempts_5y", "Coup attempts in 5 years (Colpus)", _COL, "Colpus coup attempts in t-4..t",
     (1, 3, 8), ("group:colpus", "impute:none")),
    ("coup_successes_5y", "Successful coups in 5 years (Colpus)", _COL, "successful coups in t-4..t",
     (1, 3, 8), ("group:colpus", "impute:none")),
    ("fariss_theta", "Physical integrity protection (Fariss, SMOOTHED)", "fariss_lhrs",
     "latent score in t (higher = more protection); uses later years' reports", (2,),
     ("group:fariss", "primary", "impute:ffill", "smoothed")),
    ("fariss_theta_sd", "Uncertainty of protection score (Fariss, SMOOTHED)", "fariss_lhrs",
     "posterior sd of the latent score in t", (2,), ("group:fariss", "impute:ffill", "smoothed")),
    ("fariss_chg1", "Change in protection, 1 year (Fariss, SMOOTHED)", "fariss_lhrs", "theta(t) - theta(t-1)",
     (2, 7), ("group:fariss", "impute:zero", "smoothed")),
    ("fariss_chg5", "Change in protection, 5 years (Fariss, SMOOTHED)", "fariss_lhrs", "theta(t) - theta(t-5)",
     (2, 7), ("group:fariss", "impute:zero", "smoothed")),
    ("sb_deaths_log", "State-based conflict deaths (VIEWS/UCDP GED, log)", "views_ged_cm",
     "log(1 + state-based fatalities summed over the months of t; a part year scaled to 12 months)", (1,),
     ("group:views", "primary", "impute:none")),
    ("sb_deaths_max3_log", "Worst year of state-based conflict deaths, 3 years (log)", "views_ged_cm",
     "log(1 + max over t-2..t of yearly state-based fatalities)", (1,), ("group:views", "impute:none")),
    ("sb_months_25", "Months with >= 25 state-based deaths", "views_ged_cm",
     "months of t with >= 25 state-based fatalities (scaled to 12 months for a part year)", (1,),
     ("group:views", "impute:none")),
    ("sb_deaths_chg1", "Change in state-based conflict deaths (log)", "views_ged_cm",
     "sb_deaths_log(t) - sb_deaths_log(t-1)", (1, 8), ("group:views", "impute:none")),
    ("tp_civilian_deaths_log", "Civilian deaths, all violence types (log)" + _TP, "tp_ucdp_cm",
     "log(1 + UCDP GED civilian deaths in t), third-party country-month sums", (11, 13),
     ("group:tpucdp", "primary", "impute:none")),
    ("tp_os_events_log", "One-sided violence events (log)" + _TP, "tp_ucdp_cm",
     "log(1 + UCDP GED one-sided events in t), third-party country-month counts", (11, 13),
     ("group:tpucdp", "impute:none")),
    ("gdelt_goldstein", "Mean Goldstein score of events (GDELT)" + _TP, "tp_gdelt_cm",
     "mean over the months of t of the monthly mean Goldstein score (-10 conflict .. +10 cooperation)", (1, 8),
     ("group:tpgdelt", "primary", "impute:none")),
    ("gdelt_conflict_surge", "Surge in conflict events (GDELT)" + _TP, "tp_gdelt_cm",
     "log(1 + conflict events in t) - mean of the same over t-3..t-1 (news volume drifts: own past only)",
     (1, 8), ("group:tpgdelt", "impute:none")),
    ("gdelt_protest_surge", "Surge in protest events (GDELT)" + _TP, "tp_gdelt_cm",
     "log(1 + protest events in t) - mean of the same over t-3..t-1", (1, 8), ("group:tpgdelt", "impute:none")),
]
GROUP_UN: dict[str, tuple[int, ...]] = {"pts": (2, 11), "osv": (2, 11, 12), "acd": (1,), "colpus": (1, 3, 8),
                                        "fariss": (2,), "views": (1,), "tpucdp": (11, 13), "tpgdelt": (1, 8)}
SMOOTHED_GROUPS = ("fariss",)
TABLES: tuple[str, ...] = ev.TABLES


# ---- helpers ------------------------------------------------------------------------------------------------
def _to_panel(frame: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    """gwcode (Tocsin's code) -> the panel's ccode(s); values of several codes landing on one ccode-year
    (West Germany and Germany in 1990) are combined by their maximum."""
    lookup: dict[int, list[int]] = {}
    for g in frame["gwcode"].astype(int).unique():
        if g in codes.panel_codes:
            lookup[g] = [g]
        elif g == 260:  # the EWP panel codes West Germany 1960-1989 as 255
            lookup[g] = [255]
        else:
            lookup[g] = [c for c in codes.resolve_gw(g) if c in codes.panel_codes]
    out = frame.assign(ccode=frame["gwcode"].astype(int).map(lookup)).explode("ccode").dropna(subset=["ccode"])
    out = out.drop(columns="gwcode").astype({"ccode": int, "year": int})
    return out.groupby(KEY).max().reset_index()


def _grid(codes: PanelCodes, first: int, last: int) -> pd.DataFrame:
    years = np.arange(first, last + 1)
    cc = np.array(sorted(codes.panel_codes))
    return pd.DataFrame({"ccode": np.repeat(cc, len(years)), "year": np.tile(years, len(cc))})


def _covered(grid: pd.DataFrame, values: pd.DataFrame, group: str) -> pd.DataFrame:
    """Values on the grid: 0 in covered years without a row (no event), NaN outside coverage."""
    lo, hi = COVERAGE[group]
    out = grid.merge(values, on=KEY, how="left")
    cols = [c for c in values.columns if c not in KEY]
    inside = out["year"].between(lo, hi)
    out.loc[inside, cols] = out.loc[inside, cols].fillna(0.0)
    out.loc[~inside, cols] = np.nan
    return out


def _roll(frame: pd.DataFrame, col: str, window: int, how: str) -> pd.Series:
    """Within-country calendar window t-window+1..t (the grid has every year), ignoring missing years."""
    g = frame.groupby("ccode", sort=False)[col]
    return g.transform(lambda s: getattr(s.rolling(window, min_periods=1), how)())


def _lag(frame: pd.DataFrame, col: str, lag: int) -> pd.Series:
    return frame.groupby("ccode", sort=False)[col].shift(lag)


# ---- blocks -------------------------------------------------------------------------------------------------
def _pts(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    p = ev.pts_country_year(t)
    reports = p[["pts_a", "pts_h", "pts_s"]]
    v = pd.DataFrame({"gwcode": p["gwcode"], "year": p["year"], "pts_max": reports.max(axis=1),
                      "pts_mean": reports.mean(axis=1)})
    f = grid.merge(_to_panel(v, codes), on=KEY, how="left")
    f["pts_max_5y"] = _roll(f, "pts_max", 5, "max")
    f["pts_chg1"] = f["pts_max"] - _lag(f, "pts_max", 1)
    rose = (f["pts_chg1"] > 0).astype(float).where(f["pts_chg1"].notna())
    f["pts_worsened_3y"] = _roll(f.assign(_r=rose), "_r", 3, "max")
    return f.drop(columns=[c for c in f.columns if c.startswith("_")])


def _osv(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    f = _covered(grid, _to_panel(ev.onesided_country_year(t), codes), "osv")
    f["gov_osv_log"] = np.log1p(f["gov_osv_deaths"])
    f["gov_osv_max3_log"] = np.log1p(_roll(f, "gov_osv_deaths", 3, "max"))
    f["gov_osv_max5_log"] = np.log1p(_roll(f, "gov_osv_deaths", 5, "max"))
    active = (f["gov_osv_deaths"] >= OSV_THRESHOLD).astype(float).where(f["gov_osv_deaths"].notna())
    f["gov_osv_years5"] = _roll(f.assign(_a=active), "_a", 5, "sum").where(active.notna())
    f["nonstate_osv_log"] = np.log1p(f["nonstate_osv_deaths"])
    f["nonstate_osv_max3_log"] = np.log1p(_roll(f, "nonstate_osv_deaths", 3, "max"))
    return f.drop(columns=["gov_osv_deaths", "nonstate_osv_deaths", "_a"], errors="ignore")


def _acd(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    v = ev.acd_country_year(t).rename(columns={"acd_new": "acd_new_episode"})
    f = _covered(grid, _to_panel(v, codes), "acd")
    f["acd_intensity_chg1"] = f["acd_intensity"] - _lag(f, "acd_intensity", 1)
    war = (f["acd_intensity"] >= WAR).astype(float).where(f["acd_intensity"].notna())
    f["acd_war_3y"] = _roll(f.assign(_w=war), "_w", 3, "max").where(war.notna())
    active = (f["acd_intensity"] > 0).astype(float).where(f["acd_intensity"].notna())
    before = f.assign(_a=active).groupby("ccode", sort=False)["_a"].transform(
        lambda s: s.shift(1).rolling(10, min_periods=10).max())
    # Unknown when the decade before is not fully covered (ACD starts in 1946).
    f["acd_first_in_decade"] = ((active == 1) & (before == 0)).astype(float).where(active.notna()
                                                                                   & before.notna())
    return f


def _colpus(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    f = _covered(grid, _to_panel(ev.coups_country_year(t), codes), "colpus")
    f["coup_attempts_1y"] = f["coup_attempts"]
    f["coup_attempts_5y"] = _roll(f, "coup_attempts", 5, "sum").where(f["coup_attempts"].notna())
    f["coup_successes_5y"] = _roll(f, "coup_successes", 5, "sum").where(f["coup_attempts"].notna())
    return f.drop(columns=["coup_attempts", "coup_successes"])


def _fariss(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    v = ev.fariss_country_year(t).rename(columns={"theta_mean": "fariss_theta", "theta_sd": "fariss_theta_sd"})
    f = grid.merge(_to_panel(v, codes), on=KEY, how="left")
    f["fariss_chg1"] = f["fariss_theta"] - _lag(f, "fariss_theta", 1)
    f["fariss_chg5"] = f["fariss_theta"] - _lag(f, "fariss_theta", 5)
    return f


def _views(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    cm = ev.views_country_month(t)
    cm["m25"] = (cm["sb_deaths"] >= 25).astype(float)
    yr = ev.to_year(cm, ["sb_deaths", "m25"]).drop(columns="months")
    f = _covered(grid, _to_panel(yr, codes), "views")
    f["sb_deaths_log"] = np.log1p(f["sb_deaths"])
    f["sb_deaths_max3_log"] = np.log1p(_roll(f, "sb_deaths", 3, "max"))
    f["sb_months_25"] = f.pop("m25")
    f["sb_deaths_chg1"] = f["sb_deaths_log"] - _lag(f, "sb_deaths_log", 1)
    return f.drop(columns="sb_deaths")


def _tp_ucdp(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    yr = ev.to_year(ev.third_party_ucdp_country_month(t), ["civilian_deaths", "os_events"]).drop(columns="months")
    f = _covered(grid, _to_panel(yr, codes), "tpucdp")
    f["tp_civilian_deaths_log"] = np.log1p(f.pop("civilian_deaths"))
    f["tp_os_events_log"] = np.log1p(f.pop("os_events"))
    return f


def _tp_gdelt(t: pd.DataFrame, grid: pd.DataFrame, codes: PanelCodes) -> pd.DataFrame:
    cm = ev.third_party_gdelt_country_month(t)
    yr = cm.groupby(["gwcode", "year"]).agg(conflict=("conflict_events", "sum"), protest=("protest_events", "sum"),
                                             gdelt_goldstein=("goldstein", "mean")).reset_index()
    lo, hi = COVERAGE["tpgdelt"]
    f = grid.merge(_to_panel(yr, codes), on=KEY, how="left")
    inside = f["year"].between(lo, hi)
    for what in ("conflict", "protest"):
        level = np.log1p(f[what].where(inside).fillna(0.0).where(inside))
        past = f.assign(_l=level).groupby("ccode", sort=False)["_l"].transform(
            lambda s: s.shift(1).rolling(3, min_periods=3).mean())
        f[f"gdelt_{what}_surge"] = level - past
    return f.drop(columns=["conflict", "protest"])


_BLOCKS = {"pts": _pts, "ucdp_onesided": _osv, "ucdp_acd": _acd, "colpus_coups": _colpus,
           "fariss_lhrs": _fariss, "views_ged_cm": _views, "tp_ucdp_cm": _tp_ucdp, "tp_gdelt_cm": _tp_gdelt}


def repression_block(tables: Mapping[str, pd.DataFrame], codes: PanelCodes, last_year: int) -> pd.DataFrame:
    """Raw (not yet imputed) features by (ccode, year) from 1946 to `last_year`, from the tables given."""
    names = [name for name, *_ in FEATURES]
    grid = _grid(codes, 1946, last_year)
    out = grid.copy()
    for table, fn in _BLOCKS.items():
        if table in tables:
            block = fn(tables[table], grid, codes)
            out = out.merge(block[[*KEY, *[c for c in block.columns if c in names]]], on=KEY, how="left")
    return out
