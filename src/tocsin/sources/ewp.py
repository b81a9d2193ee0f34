"""Early Warning Project 2025 Statistical Risk Assessment: panel, events, published forecasts, raw inputs."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from urllib.parse import quote

from tocsin.sources.base import Schema, Source
from tocsin.sources.parsers import csv_parser, excel_sheet_parser, rdata_parser

# The data mirror is laid out by this `main` address, so it stays; every file's sha256 is pinned
# (ewp_sha256.json, from the data MANIFEST) and verified on each fetch, so a `main` that moves fails loudly.
REPO = "https://raw.githubusercontent.com/EarlyWarningProject/2025-Statistical-Risk-Assessment/main/"
# Commits of the repository holding these files as pinned, by folder (from a public code index's crawl, whose
# copy of 2.Make-new-base-data/input/mitchell-imr.csv and README.md have the pinned sha256s).
COMMITS: dict[str, str] = {
    "1.Buildcountryyears_and_mk_data/": "6e7576318893e7cfaa92aa81a228f11f7be031ea",
    "2.Make-new-base-data/": "c9dc11121b31fc6c092dfec5e5b7771ff2a3b6c4",
    "3.Modeling/": "3a31c0a8b0e32b4882c2eeb6503e726bbb27a2b4",
}
# Files the index did not hold: no commit is claimed for them (their sha256 is pinned all the same).
_NO_KNOWN_COMMIT = frozenset({
    "3.Modeling/coefficients_3Sep2025.csv", "3.Modeling/forecasts3Sep2025.csv",
    "2.Make-new-base-data/input/BattleDeaths_v25_1.csv", "2.Make-new-base-data/input/HIEF_data.csv",
    "2.Make-new-base-data/input/epr-data.csv", "2.Make-new-base-data/input/hief_clean.csv",
})
PUBLISHER = "Early Warning Project (USHMM Simon-Skjodt Center for the Prevention of Genocide, Dartmouth College)"
LICENCE = "Public research data; cite the Early Warning Project"
CITATION = (
    "Early Warning Project (2025). Statistical Risk Assessment 2025-2026. United States Holocaust Memorial "
    "Museum and Dartmouth College. https://github.com/EarlyWarningProject/2025-Statistical-Risk-Assessment"
)

# The 38 structural predictors (+ year) of EWP's 2025 model (model_3Sep2025.R, predictornames.fullest).
EWP_PREDICTORS: tuple[str, ...] = (
    "widetargeting", "narrowtargeting", "v2csgender_binary", "v2mecenefm_binary", "partyban.new.0",
    "partyban.new.1", "partyban.new.2", "minorityrule", "judicialreform", "religiousfreedom",
    "pol_killing_approved", "freediscussion", "social_inequality", "even_civilrights", "repress_civilsoc",
    "social_power_dist", "ses_power_dist", "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex",
    "discrimpop", "reg.na", "reg.eap", "reg.sca", "reg.mna", "reg.eur", "ios.iccpr1", "battledeaths.log2",
    "coup.try.5yr", "mk_ongoing_count_log2", "mean_mk_onset_interaction", "mk_onset_prev_year", "newcountry",
    "mk_ever", "year_sq", "year", "countryage.new.log2", "includesnonstate",
)
OUTCOMES: tuple[str, ...] = ("mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2")


def _url(path: str) -> str:
    return REPO + quote(path)


@cache
def _hashes() -> dict[str, str]:
    text = resources.files("tocsin.sources").joinpath("ewp_sha256.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def pinned(path: str) -> dict[str, str | None]:
    """`sha256` and `commit` of one file of the repository (a KeyError for a file nobody pinned)."""
    commit = None if path in _NO_KNOWN_COMMIT else next((c for f, c in COMMITS.items() if path.startswith(f)), None)
    return {"sha256": _hashes()[path], "commit": commit}


def _ewp(name: str, path: str, parser, schema: Schema, description: str, **kw) -> Source:  # type: ignore[no-untyped-def]
    return Source(
        name=name, url=_url(path), publisher=PUBLISHER, licence=LICENCE, citation=CITATION,
        parser=parser, schema=schema, description=description, family="ewp", **pinned(path), **kw,
    )


_KEY = {"year": "int", "ccode": "int"}

_MAIN = [
    _ewp(
        "ewp_panel", "3.Modeling/prepared2024predictors-2025-09-03.csv", csv_parser(),
        Schema({**_KEY, "ewp_name": "str", **dict.fromkeys(EWP_PREDICTORS, "number"),
                **dict.fromkeys(OUTCOMES, "int")}, min_rows=5000, not_null=("year", "ccode", "ewp_name")),
        "Prepared country-year predictors and outcomes, 1960-2024",
    ),
    _ewp(
        "ewp_foos", "3.Modeling/FOOSforecasts_3Sep2025.csv", csv_parser(),
        Schema({**_KEY, "ewp_name": "str", "mk_onset": "int", "risk_prev": "number", "rank_prev": "number"},
               min_rows=4000, not_null=("year", "ccode")),
        "EWP's fully out-of-sample forecasts 1994-2024 (risk_prev: forecast made the year before)",
    ),
    _ewp(
        "ewp_forecasts", "3.Modeling/forecasts3Sep2025.csv", csv_parser(),
        Schema({"ewp_name": "str", "risk_1or2.from2024": "number", "risk_rank.from2024": "number"},
               min_rows=100, not_null=("ewp_name",)),
        "EWP's published 2025-2026 forecasts from 2024 data", year_column=None,
    ),
    _ewp(
        "ewp_final_forecasts", "3.Modeling/final_forecasts_data_3Sep2025.csv", csv_parser(),
        Schema({"ewp_name": "str", "ccode": "int", "risk.2025and2026.from2024": "number",
                "risk.2025only.from2024": "number"}, min_rows=100),
        "EWP's 2025 forecasts with the predictor values behind them", year_column="year",
    ),
    _ewp(
        "ewp_coefficients", "3.Modeling/coefficients_3Sep2025.csv", csv_parser(),
        Schema({"variable": "str", "coef.full": "number"}, min_rows=10),
        "Coefficients of EWP's 2025 elastic-net model", year_column=None,
    ),
    _ewp(
        "ewp_events", "1.Buildcountryyears_and_mk_data/EWP mass killing events master list_2025.xlsx",
        excel_sheet_parser("mk_events"),
        Schema({"country": "str", "mk_event_name": "str", "startyear": "int", "endyear": "number",
                "mk_event_code": "str", "State-Led or Non-State-Led": "str", "mk_location_cow": "int"},
               min_rows=100, not_null=("country", "startyear")),
        "Mass-killing episodes since 1945: names, years, perpetrator side, targets", year_column="startyear",
    ),
    _ewp(
        "ewp_events_ongoing", "1.Buildcountryyears_and_mk_data/EWP mass killing events master list_2025.xlsx",
        excel_sheet_parser("Ongoing"),
        Schema({"Country": "str", "State-Led or Non-State-Led": "str", "Perpetrator": "any", "Target": "any"},
               min_rows=5),
        "Ongoing mass-killing episodes with perpetrators and targets", year_column="Start Year",
    ),
    _ewp(
        "ewp_events_ended", "1.Buildcountryyears_and_mk_data/EWP mass killing events master list_2025.xlsx",
        excel_sheet_parser("Ended"),
        Schema({"Country": "str", "State-Led or Non-State-Led": "str", "Start Date": "any", "Start Year": "int"},
               min_rows=50),
        "Ended mass-killing episodes with start and end dates (the monthly watch dates onsets from it)",
        year_column="Start Year",
    ),
    _ewp(
        "ewp_basedata", "1.Buildcountryyears_and_mk_data/basedata2025_4august2025.csv", csv_parser(),
        Schema({**_KEY, "country": "str", "mk_onset": "int", "mk_ongoing_count": "int"}, min_rows=5000),
        "Country-years with mass-killing onsets, endings and ongoing counts",
    ),
    _ewp(
        "ewp_countrynames", "1.Buildcountryyears_and_mk_data/countrynamesheet_complete.csv", csv_parser(),
        Schema({"country": "str", "ccode": "int", "ewp_name": "str"}, min_rows=100), "EWP country names",
        year_column=None,
    ),
]

_IN = "2.Make-new-base-data/input/"
# (table, file, required columns, what it is)
_INPUTS: list[tuple[str, str, dict[str, str], str]] = [
    ("ewp_in_ucdp_battledeaths", "BattleDeaths_v25_1.csv", {"year": "int", "bd_best": "number",
     "gwno_loc": "any"}, "UCDP battle-related deaths v25.1, dyad-year"),
    ("ewp_in_hief_data", "HIEF_data.csv", {"Country": "str", "Year": "int", "EFindex": "number"},
     "Historical Index of Ethnic Fractionalization"),
    ("ewp_in_coups_all", "all-coups.csv", {**_KEY, "cou.any": "int"}, "Coup attempts (Powell & Thyne)"),
    ("ewp_in_coups_new", "new-coups.csv", {**_KEY, "cou.any": "int"}, "Coup attempts, recent"),
    ("ewp_in_coups_old", "old-coups.csv", {**_KEY, "cou.any": "int"}, "Coup attempts, earlier"),
    ("ewp_in_basedata", "basedata2025_4august2025.csv", {**_KEY, "mk_onset": "int"}, "Base data (input copy)"),
    ("ewp_in_battledeaths", "battledeaths.csv", {"country": "str", "year": "int", "battledeaths": "number"},
     "Battle deaths by country-year"),
    ("ewp_in_epr_clean", "epr-clean.csv", {**_KEY, "discrimpop": "number"}, "EPR discriminated population"),
    ("ewp_in_epr", "epr-data.csv", {"countries_gwid": "int", "year": "int", "excl_groups_count": "number",
     "discrimpop": "number", "exclpop": "number", "regautpop": "number"},
     "Ethnic Power Relations: excluded, discriminated, regional-autonomy groups and shares"),
    ("ewp_in_hief", "hief.csv", {"Country": "str", "Year": "int", "efindex": "number"}, "HIEF (EWP copy)"),
    ("ewp_in_hief_clean", "hief_clean.csv", {"Country": "str", "Year": "int", "efindex": "number"},
     "HIEF cleaned"),
    ("ewp_in_iccpr", "iccpr-data.csv", {**_KEY, "ios.iccpr1": "number"}, "ICCPR first optional protocol"),
    ("ewp_in_maddison", "maddison.csv", {"country": "str", "year": "int", "mad_gdppc": "number"},
     "Maddison GDP per capita and population"),
    ("ewp_in_mitchell_imr", "mitchell-imr.csv", {**_KEY, "mitchell_imr_sqrt": "number"},
     "Mitchell infant mortality (historical)"),
    ("ewp_in_mk_missing", "mk_missing.csv", {"year": "int", "country": "str"}, "CIA Factbook gap fillers"),
    ("ewp_in_old_dat", "old_dat.csv", {**_KEY, "gdppcgrowth_old": "number"}, "Earlier GDP growth series"),
    ("ewp_in_pwt", "pwt.csv", {"country": "str", "year": "int", "pwt_pop": "number"}, "Penn World Table"),
    ("ewp_in_regions", "reg-data.csv", {**_KEY, "reg.eap": "int"}, "Region dummies"),
    ("ewp_in_un_imr", "un_imr_clean.csv", {"iso3c": "str", "year": "int", "un_imr": "number"},
     "UN infant mortality"),
    ("ewp_in_wdi", "wdi.csv", {"country": "str", "iso3c": "str", "year": "int", "wdi.gdppcgrow.new": "number"},
     "World Development Indicators"),
]

_RDATA: list[tuple[str, str, str, dict[str, str], str]] = [
    ("ewp_in_vdem", "vdem.Rdata", "vdem", {"COWcode": "number", "year": "number",
     "pol_killing_approved": "number", "repress_civilsoc": "number"}, "V-Dem indicators as EWP uses them"),
    ("ewp_in_vdem11", "vdem11.Rdata", "vdem11", {"COWcode": "any", "year": "number",
     "e_migdppc": "number"}, "V-Dem v11 GDP per capita"),
]

SOURCES: list[Source] = [
    *_MAIN,
    *[_ewp(t, _IN + f, csv_parser(), Schema(cols, min_rows=20), d,
           year_column="Year" if "Year" in cols else "year") for t, f, cols, d in _INPUTS],
    *[_ewp(t, _IN + f, rdata_parser(obj), Schema(cols, min_rows=100), d) for t, f, obj, cols, d in _RDATA],
]
