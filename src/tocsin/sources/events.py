"""What states already do to their people: state terror, one-sided killing, armed conflict, coups; yearly and
country-month event sources, each verified and keyed to states.

Yearly: the Political Terror Scale (PTS), UCDP One-sided Violence and UCDP/PRIO Armed Conflict (v25.1),
Fariss' latent human rights protection scores (v4.02) and the Colpus coup list. Monthly: VIEWS' country-month
state-based fatalities (from UCDP GED) and two THIRD-PARTY aggregates (a university course project's
country-month sums of UCDP GED and of GDELT events, not the publishers' own files: `agreement_with_views`
checks the UCDP one against VIEWS, and every label here says "third-party").

Codes: UCDP and VIEWS use pure Gleditsch-Ward codes, in which 260 continues as unified Germany after 1990,
678 as unified Yemen from 1990 and 340 is Serbia from 2006; Tocsin's codes (the EWP's, see
tocsin.core.countries) are 255, 679 and 345 there. PTS, Fariss and Colpus use Correlates of War codes, which
are Tocsin's codes. `state_codes` turns either into Tocsin's code, year by year. The country-month loaders
return frames keyed by (gwcode, year, month) in Tocsin's codes, for yearly features and a monthly watch alike.

Fariss' scores come from a dynamic latent-variable model estimated on all years at once: a year's score
borrows strength from later years' reports (it is smoothed), so a backtest using it looks ahead a little.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import SchemaError
from tocsin.sources.base import Schema, Source, read_csv_strict
from tocsin.sources.parsers import excel_sheet_parser, rdata_parser

GH = "https://raw.githubusercontent.com/"
_DISS = GH + "bkey15/dissertation/404972095f61b481311089fbb75bcac4a7b700fd/data/"
_VIEWS = (GH + "prio-data/views_outreach/0e7c7d026d0bb77bc4cca6de22c8e8d3563e6c91/data-exploration/notebooks/"
          "projects/PRIO_Watchlists/data/")
_THIRD = GH + "Ahmed-Ansari02/COMP0197_CW2/d65d2d668a9bf7e94053ef2cf72a437c90fc0e2b/data/processed/member_a/"

UCDP_LICENCE = "CC BY 4.0 (UCDP)"
THIRD_PARTY = "THIRD-PARTY aggregation (a university course project), unverified by the publisher"

# Pure GW codes that mean a different state in Tocsin's (EWP) codes from some year on.
_GW_RENAMED: dict[int, tuple[int, int]] = {260: (1990, 255), 678: (1990, 679), 340: (2006, 345)}


# ---- codes --------------------------------------------------------------------------------------------------
def state_code(code: int, year: int, scheme: str) -> int | None:
    """Tocsin's code of a state given a pure-GW ("gw") or COW ("cow") code in `year`; None if no state."""
    if scheme == "gw":
        if code in _GW_RENAMED and year >= _GW_RENAMED[code][0]:
            code = _GW_RENAMED[code][1]
        c = countries.by_gwcode(code)
    elif scheme == "cow":
        c = countries.by_cowcode(code)
    else:
        raise ValueError(f"unknown code scheme {scheme!r}")
    return None if c is None else int(c.gwcode)


def state_codes(codes: pd.Series, years: pd.Series, scheme: str) -> pd.Series:
    """Vectorised `state_code` (NaN where a code is no state)."""
    pairs = pd.DataFrame({"c": pd.to_numeric(codes, errors="coerce"), "y": years}).astype(float)
    uniq = pairs.dropna().drop_duplicates()
    lookup = {(c, y): state_code(int(c), int(y), scheme) for c, y in uniq.itertuples(index=False)}
    return pd.Series([lookup.get((c, y)) for c, y in pairs.itertuples(index=False)], index=codes.index,
                     dtype="Float64")


def _explode_codes(frame: pd.DataFrame, col: str, out: str) -> pd.DataFrame:
    """A "625, 626" code list -> one row per code (int column `out`; rows without a code dropped)."""
    f = frame.assign(**{out: frame[col].astype("string").str.split(",")}).explode(out)
    f[out] = pd.to_numeric(f[out].str.strip(), errors="coerce")
    return f.dropna(subset=[out]).astype({out: int}).reset_index(drop=True)


# ---- parsers ------------------------------------------------------------------------------------------------
def _pts_parser(content: bytes, file: str) -> pd.DataFrame:
    # The PTS file is Windows-1252 (e.g. "Curaçao"); the strict reader wants UTF-8.
    text = content.decode("cp1252", errors="strict").encode("utf-8")
    frame = read_csv_strict(text, file).rename(columns={"Year": "year", "COW_Code_N": "cow"})
    for col in ("Country", "cow", "PTS_A", "PTS_H", "PTS_S"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    cow = pd.to_numeric(frame["cow"], errors="coerce").astype("Int64")
    # The state to match: the COW code where PTS gives one, else its name (Serbia, Soviet Union, ...).
    frame["state"] = cow.astype("string").fillna(frame["Country"].astype("string"))
    frame["cow"] = cow
    return frame[["Country", "state", "cow", "year", "PTS_A", "PTS_H", "PTS_S", "NA_Status_A", "NA_Status_H",
                  "NA_Status_S"]]


def _ucdp_rds(content: bytes, file: str) -> pd.DataFrame:
    frame = rdata_parser()(content, file)
    for col in ("year", "gwno_location", "is_government_actor", "best_fatality_estimate", "actor_id"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    frame = frame.astype({"year": int})
    keep = ["conflict_id", "dyad_id", "actor_id", "actor_name", "year", "best_fatality_estimate",
            "low_fatality_estimate", "high_fatality_estimate", "is_government_actor", "location",
            "gwno_location", "gwnoa"]
    return _explode_codes(frame[[c for c in keep if c in frame.columns]], "gwno_location", "gwno")


def _acd_parser(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    for col in ("gwno_loc", "year", "intensity_level", "type_of_conflict", "conflict_id"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    keep = ["conflict_id", "location", "side_a", "side_b", "incompatibility", "territory_name", "year",
            "intensity_level", "type_of_conflict", "start_date", "start_date2", "gwno_a", "gwno_loc"]
    frame = frame[keep].astype({"gwno_a": "string", "gwno_loc": "string"})
    return _explode_codes(frame, "gwno_loc", "gwno")  # one row per conflict-year-location


def _fariss_parser(content: bytes, file: str) -> pd.DataFrame:
    frame = rdata_parser("data")(content, file).rename(columns={"YEAR": "year", "COW": "cow"})
    for col in ("year", "cow", "theta_mean", "theta_sd"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    frame = frame.dropna(subset=["cow", "year"]).astype({"cow": int, "year": int})
    return frame[["cow", "year", "theta_mean", "theta_sd"]].reset_index(drop=True)


def _colpus_parser(content: bytes, file: str) -> pd.DataFrame:
    frame = excel_sheet_parser("Sheet1")(content, file)
    for col in ("ccode", "date", "year", "success", "statenme"):
        if col not in frame.columns:
            raise SchemaError(file, "required column is missing", column=col)
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    frame["month"] = frame["date"].dt.month.astype("Int64")
    # Colpus codes success 1 = succeeded, 2 = failed.
    frame["succeeded"] = (frame["success"] == 1).astype(int)
    return frame[["id", "ccode", "statenme", "date", "year", "month", "success", "succeeded", "milcoup",
                  "cwc_coding"]]


def _year_month_parser(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    if "year_month" not in frame.columns:
        raise SchemaError(file, "required column is missing", column="year_month")
    parts = frame["year_month"].astype(str).str.extract(r"^(\d{4})-(\d{2})$")
    if parts[0].isna().any():
        raise SchemaError(file, "year_month not like 2001-07", column="year_month")
    frame["year"], frame["month"] = parts[0].astype(int), parts[1].astype(int)
    if not frame["month"].between(1, 12).all():
        raise SchemaError(file, "month outside 1-12", column="year_month")
    return frame


def _views_parser(content: bytes, file: str) -> pd.DataFrame:
    frame = read_csv_strict(content, file)
    return frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed") or c == "column0"],
                      errors="ignore")


# ---- sources ------------------------------------------------------------------------------------------------
PTS = Source(
    name="pts", url=GH + "Mohsnmonji/Political-Terror_Dashboard/9546967ed2dc279f3f16fc59380745935c45f884/"
    "PTS-2024.csv", publisher="Political Terror Scale (Gibney, Cornett, Wood, Haschke, Arnon, Pisanò, Barrett, "
    "Park)", licence="Free for research with citation (PTS terms)",
    citation="Gibney, M., Cornett, L., Wood, R., Haschke, P., Arnon, D., Pisanò, A., Barrett, G., and Park, B. "
    "(2024). The Political Terror Scale 1976-2023. www.politicalterrorscale.org",
    parser=_pts_parser,
    schema=Schema({"Country": "str", "state": "str", "year": "int", "PTS_A": "number", "PTS_H": "number",
                   "PTS_S": "number"}, min_rows=9000, not_null=("Country", "state", "year")),
    description="State terror 1 (secure rule of law) to 5 (terror against the whole population), country-year "
    "1976-2023, coded from Amnesty (A), Human Rights Watch (H) and US State Department (S) reports",
    sha256="a09d5d81584dcff8e3d4697411ba2fe4a429f47c96514fe2c43af3e8875c779b", family="repression",
)
ONESIDED = Source(
    name="ucdp_onesided", url=_DISS + "ch3/raw/ucdp_prio/OneSided_v25_1.rds", publisher="Uppsala Conflict Data "
    "Program", licence=UCDP_LICENCE,
    citation="Eck, K. and Hultman, L. (2007). One-Sided Violence Against Civilians in War. Journal of Peace "
    "Research 44(2); Davies, S., Pettersson, T. and Öberg, M. (2025). Organized violence 1989-2024. JPR 62(4). "
    "UCDP One-sided Violence Dataset v25.1",
    parser=_ucdp_rds,
    schema=Schema({"actor_id": "number", "year": "int", "best_fatality_estimate": "number",
                   "is_government_actor": "number", "gwno": "int"}, min_rows=1000, not_null=("year", "gwno")),
    description="Deliberate killing of civilians by governments and organised groups, actor-year 1989-2024, one "
    "row per actor-year-location (gwno); best/low/high fatalities",
    sha256="f4657315a471b96ab446d2258dc878c09e9affad1caffd1059bfe71dc5a8c3b0", family="repression",
)
ACD = Source(
    name="ucdp_acd", url=GH + "Harb1nger001/GlobalConflictFXStress/d90bf9f42e7959aa1a3078608e920be70b01b565/"
    "data/raw/UcdpPrioConflict_v25_1.csv", publisher="Uppsala Conflict Data Program / PRIO",
    licence=UCDP_LICENCE,
    citation="Gleditsch, N.P., Wallensteen, P., Eriksson, M., Sollenberg, M. and Strand, H. (2002). Armed "
    "Conflict 1946-2001: A New Dataset. JPR 39(5); Davies, S. et al. (2025). UCDP/PRIO Armed Conflict Dataset "
    "v25.1",
    parser=_acd_parser,
    schema=Schema({"conflict_id": "int", "year": "int", "intensity_level": "int", "type_of_conflict": "int",
                   "gwno": "int"}, min_rows=2500, not_null=("conflict_id", "year", "gwno", "intensity_level")),
    description="Armed conflicts with >= 25 battle deaths a year, conflict-year-location 1946-2024: intensity "
    "(1 minor, 2 war >= 1,000), type (1 extrasystemic, 2 interstate, 3 internal, 4 internationalised internal)",
    sha256="a7a2ff6caf6c854f4fafb1b17f616da1ed6bbc00612943ec6e071511ebea7a81", family="repression",
)
FARISS = Source(
    name="fariss_lhrs", url=_DISS + "common/raw/fariss/LHRS-v4.02-2021.Rdata",
    publisher="Fariss (latent human rights protection scores)", licence="CC0 / free with citation",
    citation="Fariss, C.J. (2014). Respect for Human Rights has Improved Over Time: Modeling the Changing "
    "Standard of Accountability. APSR 108(2); Fariss, C.J. (2019). Yes, Human Rights Practices Are Improving "
    "Over Time. APSR 113(3). Latent Human Rights Protection Scores v4.02",
    parser=_fariss_parser,
    schema=Schema({"cow": "int", "year": "int", "theta_mean": "number", "theta_sd": "number"}, min_rows=10_000,
                  not_null=("cow", "year")),
    description="Physical integrity protection (latent score, higher = more protection), country-year "
    "1946-2021. SMOOTHED: estimated on all years at once, so a year's score uses later years' reports",
    sha256="bac024787c0b71a6a5cd3d67a826b7f95917bae9d3688896498a7b2b6c19708d", family="repression",
)
COLPUS = Source(
    name="colpus_coups", url=_DISS + "ch3/raw/colpus/Master_Coup%20List_all%20countries_basic.xlsx",
    publisher="Colpus coup dataset (Chin, Carter, Wright)", licence="Free for research with citation",
    citation="Chin, J., Carter, D.B. and Wright, J.G. (2021). The Varieties of Coups D'état: Introducing the "
    "Colpus Dataset. International Studies Quarterly 65(4)",
    parser=_colpus_parser,
    schema=Schema({"ccode": "int", "year": "int", "succeeded": "int", "statenme": "str"}, min_rows=500,
                  not_null=("ccode", "year")),
    description="Coup attempts 1946-2022 with date and outcome (succeeded / failed), all countries",
    sha256="5e53fef7ea8bb5aba6540daa4d6dacb305259a09e01bfb6481fc0f47871df634", family="repression",
)
VIEWS_CM = Source(
    name="views_ged_cm", url=_VIEWS + "ged_cm.csv", publisher="VIEWS (Uppsala University / PRIO), from UCDP GED",
    licence="CC BY-NC 4.0 (non-commercial use, with attribution)",
    citation="Hegre, H. et al. (2019). ViEWS: A political violence early-warning system. JPR 56(2); VIEWS "
    "country-month data (views_outreach, PRIO_Watchlists), from UCDP GED",
    parser=_views_parser,
    schema=Schema({"gwcode": "int", "year": "int", "month": "int", "ucdp_ged_sb_best_sum": "number"},
                  min_rows=50_000, not_null=("gwcode", "year", "month")),
    description="State-based conflict fatalities (UCDP GED best), country-month 1990-01 to 2024-07",
    sha256="b7a9b7416e5036e528d8ad2a7736e5c8c2c9961218a4efefd0f2a4745d4d11a7", family="repression",
)
TP_UCDP_CM = Source(
    name="tp_ucdp_cm", url=_THIRD + "ucdp_panel.csv",
    publisher=f"{THIRD_PARTY} of UCDP GED v25.1 and GED candidate v26.0.1",
    licence="CC BY 4.0 (UCDP data); the aggregation is a third party's and unverified",
    citation="Third-party country-month aggregation (Ahmed-Ansari02/COMP0197_CW2) of: Sundberg, R. and "
    "Melander, E. (2013). Introducing the UCDP Georeferenced Event Dataset. JPR 50(4); UCDP GED v25.1",
    parser=_year_month_parser,
    schema=Schema({"country_iso3": "str", "year": "int", "month": "int", "ucdp_fatalities_best": "number",
                   "ucdp_civilian_deaths": "number", "ucdp_state_based_events": "number",
                   "ucdp_one_sided_events": "number"}, min_rows=50_000,
                  not_null=("country_iso3", "year", "month")),
    description="THIRD-PARTY: country-month (ISO3) UCDP GED event counts by type, fatalities (all types), "
    "civilian deaths, 1985-01 to 2024-12 (months before 1989 padded with zeros)",
    sha256="fc313163b0868ac3633b3d82d4d162800b2c7406afd1fc819c9d5f594ddc0481", family="repression",
)
TP_GDELT_CM = Source(
    name="tp_gdelt_cm", url=_THIRD + "gdelt_events.csv", publisher=f"{THIRD_PARTY} of the GDELT event data",
    licence="GDELT: unlimited use with citation; the aggregation is a third party's and unverified",
    citation="Third-party country-month aggregation (Ahmed-Ansari02/COMP0197_CW2) of: Leetaru, K. and "
    "Schrodt, P. (2013). GDELT: Global Data on Events, Location and Tone, 1979-2012. ISA Annual Convention",
    parser=_year_month_parser,
    schema=Schema({"country_iso3": "str", "year": "int", "month": "int", "gdelt_conflict_event_count": "number",
                   "gdelt_protest_event_count": "number", "gdelt_goldstein_mean": "number"}, min_rows=50_000,
                  not_null=("country_iso3", "year", "month")),
    description="THIRD-PARTY: country-month (ISO3) GDELT conflict and protest event counts, mean Goldstein "
    "score, 1985-01 to 2024-12",
    sha256="6d739bf5cbe64ef27a3c630b377d29c8e8ae9fda43109534506b58d17d8ff44d", family="repression",
)

SOURCES: list[Source] = [PTS, ONESIDED, ACD, FARISS, COLPUS, VIEWS_CM, TP_UCDP_CM, TP_GDELT_CM]
TABLES: tuple[str, ...] = tuple(s.name for s in SOURCES)


# ---- keyed loaders (tables as frames in, frames keyed by Tocsin's gwcode out) -------------------------------
def _iso3_codes(iso: pd.Series, years: pd.Series) -> pd.Series:
    """ISO3 + year -> Tocsin code (YEM before 1990 is North Yemen, DEU before 1990 West Germany's 255)."""
    out = {}
    for code in iso.dropna().unique():
        c = countries.by_iso3(str(code))
        out[code] = None if c is None else int(c.gwcode)
    codes = iso.map(out).astype("Float64")
    return codes.mask((iso == "YEM") & (years < 1990), 678)


def pts_country_year(pts: pd.DataFrame) -> pd.DataFrame:
    """gwcode, year, pts_a, pts_h, pts_s (1-5; NaN where a report was not coded)."""
    f = pts.copy()
    code = state_codes(f["cow"], f["year"], "cow")
    named = f["cow"].isna()
    if named.any():
        match = countries.match_names(sorted(f.loc[named, "Country"].astype(str).unique()))
        code = code.mask(named, f["Country"].map(match.gwcodes).astype("Float64"))
    f["gwcode"] = code
    f = f.dropna(subset=["gwcode"]).astype({"gwcode": int, "year": int})
    out = f.groupby(["gwcode", "year"])[["PTS_A", "PTS_H", "PTS_S"]].max()
    return out.rename(columns=str.lower).reset_index()


def onesided_country_year(osv: pd.DataFrame) -> pd.DataFrame:
    """gwcode, year, gov_osv_deaths (killed by that state's own government, wherever), nonstate_osv_deaths
    (killed by organised non-state groups on its territory; a group active in several countries counts fully in
    each: exposure, not attribution)."""
    f = osv.copy()
    gov = f[f["is_government_actor"] == 1].drop_duplicates(["actor_id", "year"])
    gov = gov.assign(code=pd.to_numeric(gov["gwnoa"].astype("string").str.split(",").str[0], errors="coerce"))
    gov = gov.assign(gwcode=state_codes(gov["code"].fillna(gov["gwno"]), gov["year"], "gw"))
    g = gov.dropna(subset=["gwcode"]).astype({"gwcode": int}).groupby(["gwcode", "year"])[
        "best_fatality_estimate"].sum().rename("gov_osv_deaths")
    ns = f[f["is_government_actor"] != 1]
    ns = ns.assign(gwcode=state_codes(ns["gwno"], ns["year"], "gw")).dropna(subset=["gwcode"])
    n = ns.astype({"gwcode": int}).groupby(["gwcode", "year"])["best_fatality_estimate"].sum()
    return pd.concat([g, n.rename("nonstate_osv_deaths")], axis=1).fillna(0.0).reset_index()


def acd_country_year(acd: pd.DataFrame) -> pd.DataFrame:
    """gwcode, year, acd_conflicts (count located there), acd_intensity (0 none, 1 minor, 2 war),
    acd_internal (an internal or internationalised internal conflict), acd_new (a conflict whose first episode
    or a new episode started that year)."""
    f = acd.assign(gwcode=state_codes(acd["gwno"], acd["year"], "gw")).dropna(subset=["gwcode"])
    f = f.astype({"gwcode": int})
    start2 = pd.to_datetime(f["start_date2"], errors="coerce").dt.year
    f = f.assign(internal=f["type_of_conflict"].isin([3, 4]).astype(int), new=(start2 == f["year"]).astype(int))
    return f.groupby(["gwcode", "year"]).agg(
        acd_conflicts=("conflict_id", "nunique"), acd_intensity=("intensity_level", "max"),
        acd_internal=("internal", "max"), acd_new=("new", "max")).reset_index()


def fariss_country_year(fariss: pd.DataFrame) -> pd.DataFrame:
    f = fariss.assign(gwcode=state_codes(fariss["cow"], fariss["year"], "cow")).dropna(subset=["gwcode"])
    f = f.astype({"gwcode": int})
    return f.groupby(["gwcode", "year"])[["theta_mean", "theta_sd"]].mean().reset_index()


def coups_country_year(colpus: pd.DataFrame) -> pd.DataFrame:
    """gwcode, year, coup_attempts, coup_successes (only years with a coup attempt are listed)."""
    f = colpus.assign(gwcode=state_codes(colpus["ccode"], colpus["year"], "cow")).dropna(subset=["gwcode"])
    f = f.astype({"gwcode": int})
    return f.groupby(["gwcode", "year"]).agg(coup_attempts=("ccode", "size"),
                                             coup_successes=("succeeded", "sum")).reset_index()


MONTH_KEY = ["gwcode", "year", "month"]


def views_country_month(views: pd.DataFrame) -> pd.DataFrame:
    """gwcode, year, month, sb_deaths (VIEWS / UCDP GED state-based fatalities, best estimate)."""
    f = views.assign(gwcode=state_codes(views["gwcode"], views["year"], "gw")).dropna(subset=["gwcode"])
    f = f.astype({"gwcode": int, "year": int, "month": int})
    return f.groupby(MONTH_KEY)["ucdp_ged_sb_best_sum"].sum().rename("sb_deaths").reset_index()


def third_party_ucdp_country_month(tp: pd.DataFrame) -> pd.DataFrame:
    """THIRD-PARTY UCDP GED aggregate: gwcode, year, month, fatalities (all types), civilian_deaths,
    sb_events, os_events. Months before 1989 (GED's start) are padded zeros in the file: dropped here."""
    f = tp[tp["year"] >= 1989]
    f = f.assign(gwcode=_iso3_codes(f["country_iso3"], f["year"])).dropna(subset=["gwcode"])
    cols = {"ucdp_fatalities_best": "fatalities", "ucdp_civilian_deaths": "civilian_deaths",
            "ucdp_state_based_events": "sb_events", "ucdp_one_sided_events": "os_events"}
    f = f.astype({"gwcode": int}).rename(columns=cols)
    return f.groupby(MONTH_KEY)[list(cols.values())].sum().reset_index()


def third_party_gdelt_country_month(tp: pd.DataFrame) -> pd.DataFrame:
    """THIRD-PARTY GDELT aggregate: gwcode, year, month, conflict_events, protest_events, goldstein."""
    f = tp.assign(gwcode=_iso3_codes(tp["country_iso3"], tp["year"])).dropna(subset=["gwcode"])
    cols = {"gdelt_conflict_event_count": "conflict_events", "gdelt_protest_event_count": "protest_events",
            "gdelt_goldstein_mean": "goldstein"}
    f = f.astype({"gwcode": int}).rename(columns=cols)
    return f.groupby(MONTH_KEY).agg(conflict_events=("conflict_events", "sum"),
                                    protest_events=("protest_events", "sum"),
                                    goldstein=("goldstein", "mean")).reset_index()


def to_year(monthly: pd.DataFrame, columns: list[str], min_months: int = 6) -> pd.DataFrame:
    """Country-month sums -> country-year totals. A year with fewer than 12 months (VIEWS ends in July 2024)
    is scaled up by 12 / months when it has at least `min_months`, else left out; `months` says how many."""
    g = monthly.groupby(["gwcode", "year"])
    out = g[columns].sum()
    months = g.size().rename("months")
    out = out.mul(12.0 / months, axis=0)
    out = out.join(months)
    return out[out["months"] >= min_months].reset_index()


def agreement_with_views(tp_ucdp: pd.DataFrame, views: pd.DataFrame) -> dict[str, float]:
    """How far the third-party UCDP aggregate agrees with VIEWS on the quantities both cover, over the
    country-months both have (1990-01 to 2024-07).

    VIEWS gives state-based fatalities; the third party gives all-type fatalities and a count of state-based
    events. So: (1) whether a country-month had state-based violence (VIEWS deaths > 0 vs third-party
    state-based events > 0; GED events can have 0 deaths, so a few disagreements are expected); (2) the
    third party's all-type fatalities should never be below VIEWS' state-based ones; (3) the correlation of
    yearly log(1 + fatalities)."""
    a = third_party_ucdp_country_month(tp_ucdp)
    v = views_country_month(views)
    m = a.merge(v, on=MONTH_KEY, how="inner")
    m = m[(m["year"] > 1989)]
    tp_any, v_any = m["sb_events"] > 0, m["sb_deaths"] > 0
    both = (tp_any & v_any).sum()
    po = float((tp_any == v_any).mean())
    pe = float(tp_any.mean() * v_any.mean() + (1 - tp_any.mean()) * (1 - v_any.mean()))
    yearly = m.groupby(["gwcode", "year"])[["fatalities", "sb_deaths"]].sum()
    return {
        "country_months": float(len(m)),
        "countries": float(m["gwcode"].nunique()),
        "months_with_sb_violence_views": float(v_any.sum()),
        "months_with_sb_events_third_party": float(tp_any.sum()),
        "months_both": float(both),
        "presence_agreement": po,
        "presence_kappa": (po - pe) / (1 - pe) if pe < 1 else float("nan"),
        "share_third_party_below_views": float((m["fatalities"] + 0.5 < m["sb_deaths"]).mean()),
        "share_views_deaths_in_months_third_party_lacks": float(
            m.loc[~tp_any, "sb_deaths"].sum() / max(m["sb_deaths"].sum(), 1.0)),
        "yearly_log_corr": float(np.corrcoef(np.log1p(yearly["fatalities"]), np.log1p(yearly["sb_deaths"]))[0, 1])
        if len(yearly) > 2 else float("nan"),
        "total_fatalities_third_party": float(m["fatalities"].sum()),
        "total_sb_deaths_views": float(m["sb_deaths"].sum()),
    }
