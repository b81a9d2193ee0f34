"""Each rebuilt predictor with its inputs, EWP's transformation, and its UN Framework risk factors."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.features.ewp_features import EWP_FEATURES
from tocsin.features.registry import UN_RISK_FACTORS
from tocsin.sources.ewp import EWP_PREDICTORS

_T = ("ewp_in_gw_states", "ewp_basedata")  # the template: states and their years
_EV = ("ewp_events", *_T)
_VD = ("ewp_in_vdem",)


@dataclass(frozen=True)
class RebuiltPredictor:
    name: str
    inputs: tuple[str, ...]  # warehouse tables (tocsin.features.rebuild.inputs.INPUTS)
    transform: str
    un_factors: tuple[int, ...]

    @property
    def risk_factors(self) -> list[str]:
        return [UN_RISK_FACTORS[f] for f in self.un_factors]


def _vdem(var: str, rule: str) -> tuple[tuple[str, ...], str]:
    return _VD, f"V-Dem {var}: {rule}; V-Dem's 260 (West Germany 1949-1990) read as 255; missing stays missing"


_DEFS: dict[str, tuple[tuple[str, ...], str]] = {
    "widetargeting": (_EV, "1 if the last-listed event ongoing in the country-year targets no group or several "
                      "(ethnic-groups flag 0 or 2)"),
    "narrowtargeting": (_EV, "1 if the last-listed event ongoing in the country-year targets one group (flag 1)"),
    "v2csgender_binary": _vdem("v2csgender_ord", "1 if 0, 1 or 2"),
    "v2mecenefm_binary": _vdem("v2mecenefm_ord", "1 if 0, 1 or 2"),
    "partyban.new.0": _vdem("v2psparban_ord", "1 if 0 or 1"),
    "partyban.new.1": _vdem("v2psparban_ord", "1 if 2 or 3"),
    "partyban.new.2": _vdem("v2psparban_ord", "1 if 4"),
    "minorityrule": _vdem("v2pepwrsoc_ord", "1 if 0 or 1"),
    "judicialreform": _vdem("v2jureform_ord", "as is"),
    "religiousfreedom": _vdem("v2clrelig_ord", "as is"),
    "pol_killing_approved": _vdem("v2clkill_ord", "1 if 0"),
    "freediscussion": _vdem("v2xcl_disc", "as is"),
    "social_inequality": _vdem("v2clsocgrp_ord", "1 if 0"),
    "even_civilrights": _vdem("v2clrgunev_ord", "1 if 2"),
    "repress_civilsoc": _vdem("v2csreprss_ord", "1 if 0"),
    "social_power_dist": _vdem("v2pepwrsoc_ord", "1 if 0, 1 or 2"),
    "ses_power_dist": _vdem("v2pepwrses", "as is"),
    "popsize.log2": (("ewp_in_wdi", "ewp_in_maddison"), "log2 of WDI population (SP.POP.TOTL); where missing, "
                     "a linear fit on log2 Maddison population (fitted on all rows with both)"),
    "gdppcgrowth": (("ewp_in_wdi", "ewp_in_maddison"), "WDI GDP per capita growth (NY.GDP.PCAP.KD.ZG); where "
                    "missing, a linear fit on Maddison GDP per capita growth; then carried forward"),
    "un_imr_sqrt": (("ewp_in_un_imr",), "square root of UN WPP infant mortality"),
    "efindex": (("ewp_in_hief_data",), "HIEF ethnic fractionalisation by state name, carried forward then back; "
                "static Alesina et al. values for 13 states HIEF lacks"),
    "discrimpop": (("ewp_in_epr",), "EPR share of population discriminated against, carried forward then back"),
    "reg.na": (("ewp_in_regions",), "EWP region dummy, carried forward; Cape Verde 0"),
    "reg.eap": (("ewp_in_regions",), "EWP region dummy, carried forward; Cape Verde 0"),
    "reg.sca": (("ewp_in_regions",), "EWP region dummy, carried forward; Cape Verde 0"),
    "reg.mna": (("ewp_in_regions",), "EWP region dummy, carried forward; Cape Verde 0"),
    "reg.eur": (("ewp_in_regions",), "EWP region dummy, carried forward; Cape Verde 0"),
    "ios.iccpr1": (("ewp_in_iccpr",), "party to the ICCPR first optional protocol, carried forward; Cape Verde "
                   "from 2000"),
    "battledeaths.log2": (("ewp_in_ucdp_battledeaths",), "log2(1 + UCDP best estimate summed over internal "
                          "conflict dyads (type 3, 4) by location), 0 where none"),
    "coup.try.5yr": (("ewp_in_coups_old", "ewp_in_coups_new"), "1 if a coup attempt in this or the 4 previous "
                     "years; Gabon 1964 and Djibouti 2000 count their founding coups"),
    "mk_ongoing_count_log2": (_EV, "log2(1 + ongoing mass killings)"),
    "mean_mk_onset_interaction": (_EV, "mean onsets per year since 1960 (or entry) times those years, i.e. the "
                                  "cumulative onset count from the state's first year"),
    "mk_onset_prev_year": (_EV, "onset in the previous year (0 in the state's first year)"),
    "newcountry": (("ewp_in_gw_states",), "1 if independent 2 years or less"),
    "mk_ever": (_EV, "1 once the state was the location (or an inheritor of it) or responsible (or its first "
                "inheritor) for a mass killing"),
    "year_sq": ((), "year squared"),
    "year": ((), "calendar year"),
    "countryage.new.log2": (("ewp_in_gw_states",), "log2(1 + years since independence), EWP's independence "
                            "years"),
    "includesnonstate": ((), "1 from 1989, when the events list begins to include non-state-led killings"),
}
_FACTORS = {f.name: f.un_factors for f in EWP_FEATURES}

REBUILT_PREDICTORS: dict[str, RebuiltPredictor] = {
    name: RebuiltPredictor(name, *_DEFS[name], _FACTORS.get(name, ())) for name in EWP_PREDICTORS
}


def inputs_of(name: str) -> str:
    """The predictor's inputs as text, for a disagreement's cause."""
    p = REBUILT_PREDICTORS.get(name)
    return ", ".join(p.inputs) if p and p.inputs else "calendar"
