"""The 38 predictors, each built from its input with EWP's transformation and missing-data rules.

Follows EWP's `2.Make-new-base-data/Adding-in-new-data-2025.Rmd` and `helper scripts/format_vdem.R` (read for
their definitions; this is Tocsin's own code). Every step works on the template (tocsin.features.rebuild.template)
and adds columns; `build_predictors` runs them in EWP's order, since later steps (the regression fill of
population and growth) use every row the earlier ones produced.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

KEY = ["ccode", "year"]

# V-Dem ordinal/continuous variables EWP renames (format_vdem.R).
VDEM_RENAMES = {
    "v2psparban_ord": "partyban", "v2jureform_ord": "judicialreform", "v2clrelig_ord": "religiousfreedom",
    "v2xcl_disc": "freediscussion", "v2pepwrses": "ses_power_dist", "v2clkill_ord": "pol_killing_approved",
    "v2clsocgrp_ord": "social_inequality", "v2clrgunev_ord": "even_civilrights",
}
VDEM_OUT = (
    "v2csgender_binary", "v2mecenefm_binary", "partyban.new.0", "partyban.new.1", "partyban.new.2",
    "minorityrule", "judicialreform", "religiousfreedom", "pol_killing_approved", "freediscussion",
    "social_inequality", "even_civilrights", "repress_civilsoc", "social_power_dist", "ses_power_dist",
)
# HIEF spells states its own way; EWP's names (HIEF has no codes, so the merge is by name).
HIEF_NAMES = {
    "German Federal Republic": "Germany", "German Democratic Republic": "Germany (East)",
    "Italy": "Italy/Sardinia", "Yugoslavia": "Serbia", "Macedonia": "Macedonia (Former Yugoslav Republic of)",
    "Romania": "Rumania", "USSR": "Russia (Soviet Union)", "Belarus": "Belarus (Byelorussia)",
    "Russia": "Russia (Soviet Union)", "Cote d'Ivoire": "Cote D\u2019Ivoire",
    "Burkina Faso": "Burkina Faso (Upper Volta)",
    "Democratic Republic of Congo": "Congo, Democratic Republic of (Zaire)", "Tanzania": "Tanzania/Tanganyika",
    "Zimbabwe": "Zimbabwe (Rhodesia)", "Iran": "Iran (Persia)", "Turkey": "Turkey (Ottoman Empire)",
    "Yemen Arab Republic": "Yemen (Arab Republic of Yemen)", "Yemen PDR": "Yemen, People's Republic of",
    "Democratic People's Republic of Korea": "Korea, People's Republic of", "Republic of Korea": "Korea, Republic of",
    "Myanmar": "Myanmar (Burma)", "Sri Lanka": "Sri Lanka (Ceylon)", "Cambodia": "Cambodia (Kampuchea)",
    "Democratic Republic of Vietnam": "Vietnam, Democratic Republic of",
    "Republic of Vietnam": "Vietnam, Republic of", "Suriname": "Surinam",
}
# Static ethnic fractionalisation where HIEF has no value (EWP: Alesina et al. 2003; a 2012 paper for some).
EFINDEX_STATIC = {
    "Cameroon": 0.86, "Equatorial Guinea": 0.35, "France": 0.1, "India": 0.42, "Montenegro": 0.7,
    "Mozambique": 0.69, "Papua New Guinea": 0.27, "South Sudan": 0.73, "Surinam": 0.73, "Kosovo": 0.22,
    "Maldives": 0.059, "Malta": 0.04, "Luxembourg": 0.53,
}
# UCDP location names -> EWP names.
UCDP_NAMES = {
    "Burkina Faso": "Burkina Faso (Upper Volta)", "Yemen (North Yemen)": "Yemen",
    "DR Congo (Zaire)": "Congo, Democratic Republic of (Zaire)", "Turkey": "Turkey (Ottoman Empire)",
    "Serbia (Yugoslavia)": "Serbia", "Ivory Coast": "Cote D\u2019Ivoire", "Tanzania": "Tanzania/Tanganyika",
    "Sri Lanka": "Sri Lanka (Ceylon)", "Romania": "Rumania",
    "North Macedonia": "Macedonia (Former Yugoslav Republic of)", "Iran": "Iran (Persia)",
}
# States born of a coup: the coup that made them counts in their first years (EWP, by hand).
COUP_BORN = {"Gabon": (1964, 1969), "Djibouti": (2000, 2005)}
REGIONS = ("reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur")


def _locf(frame: pd.DataFrame, col: str, by: str = "ccode", backward: bool = False) -> pd.Series:
    """Carry the last value forward (then, with `backward`, the first value back) within each state."""
    s = frame.groupby(by, sort=False)[col].ffill()
    if backward:
        s = s.groupby(frame[by], sort=False).bfill()
    return s


def format_vdem(vdem: pd.DataFrame) -> pd.DataFrame:
    """EWP's V-Dem binaries from the ordinal codings; accepts V-Dem's own column names or EWP's extract.

    Where an input already holds a variable only in EWP's transformed form (its extract keeps the binary
    `pol_killing_approved`, `social_inequality`, `even_civilrights`, not their ordinals), it is kept as is.
    """
    v = vdem.copy()
    raw = {k: n for k, n in VDEM_RENAMES.items() if k in v.columns}
    v = v.rename(columns=raw)
    if "v2clkill_ord" in raw:
        v["pol_killing_approved"] = (v["pol_killing_approved"] == 0).astype(float).where(
            v["pol_killing_approved"].notna())
    if "v2clsocgrp_ord" in raw:
        v["social_inequality"] = (v["social_inequality"] == 0).astype(float).where(v["social_inequality"].notna())
    if "v2clrgunev_ord" in raw:
        v["even_civilrights"] = (v["even_civilrights"] == 2).astype(float).where(v["even_civilrights"].notna())
    # R's `x == k` is NA where x is NA; `is.element(x, set)` is FALSE there; minorityrule starts at 0.
    v["repress_civilsoc"] = (v["v2csreprss_ord"] == 0).astype(float).where(v["v2csreprss_ord"].notna())
    v["social_power_dist"] = v["v2pepwrsoc_ord"].isin([0, 1, 2]).astype(float)
    v["minorityrule"] = (v["v2pepwrsoc_ord"] <= 1).astype(float)
    v["partyban.new.0"] = v["partyban"].isin([0, 1]).astype(float)
    v["partyban.new.1"] = v["partyban"].isin([2, 3]).astype(float)
    v["partyban.new.2"] = (v["partyban"] == 4).astype(float).where(v["partyban"].notna())
    v["v2csgender_binary"] = v["v2csgender_ord"].isin([0, 1, 2]).astype(float)
    v["v2mecenefm_binary"] = v["v2mecenefm_ord"].isin([0, 1, 2]).astype(float)
    v = v.dropna(subset=["COWcode"])
    v["COWcode"] = v["COWcode"].astype(int)
    v["year"] = v["year"].astype(int)
    # V-Dem's West Germany is 260 (1949-1990); EWP's Germany is 255 throughout. South Yemen's 1990 row goes.
    v.loc[(v["COWcode"] == 260) & v["year"].between(1949, 1990), "COWcode"] = 255
    v = v[~((v["COWcode"] == 680) & (v["year"] == 1990))]
    return v.rename(columns={"COWcode": "ccode"})[[*KEY, *VDEM_OUT]]


def add_vdem(dat: pd.DataFrame, vdem: pd.DataFrame) -> pd.DataFrame:
    return dat.merge(format_vdem(vdem), on=KEY, how="left", validate="one_to_one")


def _by_key(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    f = frame.dropna(subset=["ccode"]).copy()
    f["ccode"] = f["ccode"].astype(int)
    f["year"] = f["year"].astype(int)
    return f[[*KEY, *cols]].drop_duplicates(KEY)


def add_wdi(dat: pd.DataFrame, wdi: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(_by_key(wdi, ["wdi.popsize.new", "wdi.gdppcgrow.new"]), on=KEY, how="left")
    out["wdi.popsize.log2"] = np.log2(out["wdi.popsize.new"])
    return out


def add_maddison(dat: pd.DataFrame, maddison: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(_by_key(maddison, ["mad_gdppc", "mad_pop"]), on=KEY, how="left").sort_values(KEY)
    prev = out.groupby("ccode")["mad_gdppc"].shift()  # the state's previous row (the frame has no gaps)
    out["mad_gdppcgrowth"] = (out["mad_gdppc"] - prev) / prev * 100
    out["mad_popsize.log2"] = np.log2(out["mad_pop"])
    return out


def clean_hief(hief: pd.DataFrame) -> pd.DataFrame:
    h = hief.copy()
    h["Country"] = h["Country"].replace(HIEF_NAMES)
    h.loc[(h["Country"] == "Yemen (Arab Republic of Yemen)") & (h["Year"] >= 1990), "Country"] = "Yemen"
    # Russia's 1991 value (0.286) duplicates the USSR's; EWP keeps the USSR's, nearer to 1990's.
    h = h[~((h["Country"] == "Russia (Soviet Union)") & np.isclose(h["EFindex"], 0.286))]
    h = h.drop_duplicates()
    return h.rename(columns={"Country": "country", "Year": "year", "EFindex": "efindex"})


def add_efindex(dat: pd.DataFrame, hief: pd.DataFrame) -> pd.DataFrame:
    h = clean_hief(hief)[["country", "year", "efindex"]].astype({"year": int})
    out = dat.merge(h, on=["country", "year"], how="left").sort_values(KEY)
    out["efindex"] = _locf(out, "efindex", backward=True)
    for name, value in EFINDEX_STATIC.items():
        out.loc[out["country"] == name, "efindex"] = value
    return out


def clean_epr(epr: pd.DataFrame) -> pd.DataFrame:
    e = epr[~((epr["countryname"] == "Yugoslavia") & (epr["year"] == 2006))].copy()
    gw = e["countries_gwid"].astype(int)
    # Gleditsch-Ward -> EWP codes: Germany 260 -> 255, Serbia 340 -> 345, Yemen from 1990 -> 679.
    code = gw.replace({260: 255, 340: 345})
    code = code.where(~((gw == 678) & (e["year"] >= 1990)), 679)
    e["ccode"] = code
    return e[["ccode", "year", "discrimpop"]].astype({"ccode": int, "year": int})


def add_discrimpop(dat: pd.DataFrame, epr: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(clean_epr(epr), on=KEY, how="left", validate="one_to_one").sort_values(KEY)
    out["discrimpop"] = _locf(out, "discrimpop", backward=True)
    return out


def add_regions(dat: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(_by_key(regions, list(REGIONS)), on=KEY, how="left").sort_values(KEY)
    for col in REGIONS:
        out[col] = _locf(out, col)
        out.loc[out["country"] == "Cape Verde", col] = 0  # not in EWP's older data: Sub-Saharan Africa
    return out


def add_iccpr(dat: pd.DataFrame, iccpr: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(_by_key(iccpr, ["ios.iccpr1"]), on=KEY, how="left").sort_values(KEY)
    out.loc[(out["country"] == "Cape Verde") & (out["year"] >= 2000), "ios.iccpr1"] = 1  # ratified 2000
    out["ios.iccpr1"] = _locf(out, "ios.iccpr1")
    return out


def battle_deaths(ucdp: pd.DataFrame) -> pd.DataFrame:
    """UCDP dyad-years of internal conflicts (type 3, 4), summed by location and year, in EWP's names."""
    u = ucdp[ucdp["type_of_conflict"] >= 3].copy()
    u["country"] = u["location_inc"].replace(UCDP_NAMES)
    return (u.groupby(["country", "year"], as_index=False)["bd_best"].sum()
            .rename(columns={"bd_best": "battledeaths"}).astype({"year": int}))


def add_battledeaths(dat: pd.DataFrame, ucdp: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(battle_deaths(ucdp), on=["country", "year"], how="left")
    out["battledeaths"] = out["battledeaths"].fillna(0)
    out["battledeaths.log2"] = np.log2(out["battledeaths"] + 1)
    return out


def coups(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Coup attempts by state-year: EWP's 1945-1949 list and Powell & Thyne's from 1950."""
    c = pd.concat([old, new], ignore_index=True)[["ccode", "year", "cou.any"]].astype(int)
    return c.groupby(KEY, as_index=False)["cou.any"].max()


def add_coups(dat: pd.DataFrame, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(coups(old, new), on=KEY, how="left").sort_values(KEY)
    out["cou.any"] = out["cou.any"].fillna(0)
    last = out["year"].where(out["cou.any"] == 1).astype(float)
    for name, (year, until) in COUP_BORN.items():
        last[(out["country"] == name) & out["year"].between(year, until)] = year
    last = last.groupby(out["ccode"]).ffill()
    out["coup.try.5yr"] = ((out["year"] - last) <= 4).astype(float)
    return out.drop(columns=["cou.any"])


def add_un_imr(dat: pd.DataFrame, un_imr: pd.DataFrame) -> pd.DataFrame:
    out = dat.merge(_by_key(un_imr, ["un_imr"]), on=KEY, how="left")
    out["un_imr_sqrt"] = np.sqrt(out["un_imr"])
    return out


def add_derived(dat: pd.DataFrame) -> pd.DataFrame:
    """Variables EWP codes from the template itself: trend terms, country age, onset history, outcomes."""
    out = dat.sort_values(KEY).copy()
    out["includesnonstate"] = (out["year"] >= 1989).astype(int)
    out["year_sq"] = out["year"] ** 2
    age = out["year"] - out["independence_year"]
    out["countryage.new.log2"] = np.log2(age + 1)
    out["newcountry"] = (age <= 2).astype(int)
    g = out.groupby("ccode")
    cum = g["mk_onset"].cumsum()
    years_in = np.where(out["datastartyear"] <= 1960, out["year"] - 1960 + 1, out["year"] - out["datastartyear"] + 1)
    mean = np.where(years_in >= 1, cum / np.where(years_in >= 1, years_in, 1), 0)
    out["mean_mk_onset_interaction"] = mean * years_in
    out["mk_onset_1"] = g["mk_onset"].shift(-1)
    out["mk_onset_2"] = g["mk_onset"].shift(-2)
    out["mk_onset_1or2"] = ((out["mk_onset_1"] == 1) | (out["mk_onset_2"] == 1)).astype(int)
    prev = g["mk_onset"].shift(1)
    out["mk_onset_prev_year"] = prev.where(out["year"] != out["datastartyear"], 0)
    out["mk_ever"] = ((out["mk_responsible_ever"] == 1) | (out["mk_location_ever"] == 1)).astype(int)
    out["mk_ongoing_count_log2"] = np.log2(out["mk_ongoing_count"] + 1)
    return out


def combine_with_proxy(dat: pd.DataFrame, target: str, proxy: str) -> pd.Series:
    """EWP's make.combined: where `target` is missing, a linear fit of target on proxy (fitted on every row
    with both) predicts it from the proxy."""
    both = dat[[target, proxy]].dropna()
    slope, intercept = np.polyfit(both[proxy].to_numpy(float), both[target].to_numpy(float), 1)
    fill = dat[target].isna() & dat[proxy].notna()
    return dat[target].where(~fill, intercept + slope * dat[proxy])


def add_combined(dat: pd.DataFrame) -> pd.DataFrame:
    out = dat.sort_values(KEY).copy()
    out["popsize.log2"] = combine_with_proxy(out, "wdi.popsize.log2", "mad_popsize.log2")
    out["gdppcgrowth"] = combine_with_proxy(out, "wdi.gdppcgrow.new", "mad_gdppcgrowth")
    out["gdppcgrowth"] = _locf(out, "gdppcgrowth")
    return out


def build_predictors(template: pd.DataFrame, inputs: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every country-year of the template with all of EWP's variables (EWP's step order)."""
    dat = template.sort_values(KEY).reset_index(drop=True)
    dat = add_vdem(dat, inputs["ewp_in_vdem"])
    dat = add_wdi(dat, inputs["ewp_in_wdi"])
    dat = add_maddison(dat, inputs["ewp_in_maddison"])
    dat = add_efindex(dat, inputs["ewp_in_hief_data"])
    dat = add_discrimpop(dat, inputs["ewp_in_epr"])
    dat = add_regions(dat, inputs["ewp_in_regions"])
    dat = add_iccpr(dat, inputs["ewp_in_iccpr"])
    dat = add_battledeaths(dat, inputs["ewp_in_ucdp_battledeaths"])
    dat = add_coups(dat, inputs["ewp_in_coups_old"], inputs["ewp_in_coups_new"])
    dat = add_derived(dat)
    dat = add_un_imr(dat, inputs["ewp_in_un_imr"])
    dat = add_combined(dat)
    return dat.sort_values(KEY).reset_index(drop=True)
