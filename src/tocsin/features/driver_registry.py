"""The registered driver features: name, source, transform, driver family and UN Framework risk factors.

Tags drive assembly in tocsin.features.drivers: `group:<g>` (a `<g>_missing` indicator is built per group
from its `primary` features) and `impute:<policy>` (ffill | past_median | zero | none).
"""

from __future__ import annotations

from tocsin.features import repression as _rep
from tocsin.features.registry import Feature, FeatureRegistry

# Tag "smoothed": a model-based latent score (V-Dem, Fariss) estimated on all years at once, so the value of year
# t borrows from later years' data; feature sets can leave them out (see tocsin.features.sets).
# UN Framework of Analysis risk factors (see tocsin.features.registry.UN_RISK_FACTORS).
_CLIMATE_UN = (1, 8)  # instability; triggering factors (sudden shocks)
_INEQ_UN = (4, 9)  # motives (economic, identity); intergroup tensions
_ETHNO_UN = (4, 9)
_NB_UN = (1, 8)

_SPEI = "climate_spei1"
_F: list[tuple[str, str, str, str, str, tuple[int, ...], tuple[str, ...]]] = [
    # name, label, source, transform, family, UN factors, tags
    ("spei_dry_months", "Drought months (SPEI-1 <= -1)", _SPEI,
     "count of months of the year with area-mean SPEI-1 <= -1 (moderate drought, McKee 1993)", "climate",
     _CLIMATE_UN, ("group:spei", "primary", "impute:past_median")),
    ("spei_severe_months", "Severe drought months (SPEI-1 <= -1.5)", _SPEI,
     "count of months with area-mean SPEI-1 <= -1.5 (severe drought)", "climate", _CLIMATE_UN,
     ("group:spei", "impute:past_median")),
    ("spei12", "12-month SPEI accumulation (standardised)", _SPEI,
     "mean SPEI-1 Jan-Dec, standardised against the same in the 30 years before", "climate", _CLIMATE_UN,
     ("group:spei", "impute:past_median")),
    ("spei36", "36-month SPEI accumulation (standardised)", _SPEI,
     "mean SPEI-1 over the 36 months ending in December, standardised against the 30 years before", "climate",
     _CLIMATE_UN, ("group:spei", "impute:past_median")),
    ("spei_pop_dry_months", "Drought months where people live", "climate_spei1_pop",
     "count of months with population-weighted SPEI-1 <= -1", "climate", _CLIMATE_UN,
     ("group:spei", "impute:past_median")),
    ("spei_pop_severe_months", "Severe drought months where people live", "climate_spei1_pop",
     "count of months with population-weighted SPEI-1 <= -1.5", "climate", _CLIMATE_UN,
     ("group:spei", "impute:past_median")),
    ("spei_pop12", "12-month SPEI where people live (standardised)", "climate_spei1_pop",
     "population-weighted mean SPEI-1 Jan-Dec, standardised against the 30 years before", "climate",
     _CLIMATE_UN, ("group:spei", "impute:past_median")),
    ("gs_spei", "Growing-season SPEI", "climate_spei1 + climate_cru_pre",
     "mean SPEI-1 over the 4 wettest calendar months of the past 30-year CRU climatology", "climate",
     _CLIMATE_UN, ("group:spei", "impute:past_median")),
    ("gs_spei_dry_months", "Growing-season drought months (SPEI)", "climate_spei1 + climate_cru_pre",
     "growing-season months with SPEI-1 <= -1", "climate", _CLIMATE_UN, ("group:spei", "impute:past_median")),
    ("precip_anom", "Precipitation anomaly (CRU)", "climate_cru_pre",
     "annual precipitation, standardised against the 30 years before", "climate", _CLIMATE_UN,
     ("group:cru", "primary", "impute:past_median")),
    ("precip_pop_anom", "Precipitation anomaly where people live (CRU)", "climate_cru_pre_pop",
     "population-weighted annual precipitation, standardised against the 30 years before", "climate",
     _CLIMATE_UN, ("group:cru", "impute:past_median")),
    ("gs_precip_anom", "Growing-season rain anomaly (CRU)", "climate_cru_pre",
     "rain in the 4 wettest months of the past climatology, standardised against those months' past totals",
     "climate", _CLIMATE_UN, ("group:cru", "impute:past_median")),
    ("gs_dry_months", "Failed growing-season months (CRU)", "climate_cru_pre",
     "growing-season months with rain >= 1 sd below the past 30 years of that month", "climate", _CLIMATE_UN,
     ("group:cru", "impute:past_median")),
    ("heat_months", "Hot months (CRU)", "climate_cru_tmp",
     "months warmer than the past 30 years' 90th percentile of that calendar month", "climate", _CLIMATE_UN,
     ("group:cru", "impute:past_median")),
    ("precip_era5_anom", "Precipitation anomaly (ERA5)", "climate_era5_pre",
     "annual ERA5 precipitation, standardised against the 30 years before", "climate", _CLIMATE_UN,
     ("group:era5", "primary", "impute:past_median")),
    ("gs_era5_precip_anom", "Growing-season rain anomaly (ERA5)", "climate_era5_pre",
     "ERA5 rain in the 4 wettest months of the past climatology, standardised", "climate", _CLIMATE_UN,
     ("group:era5", "impute:past_median")),
    ("gs_era5_dry_months", "Failed growing-season months (ERA5)", "climate_era5_pre",
     "growing-season months with ERA5 rain >= 1 sd below the past 30 years of that month", "climate",
     _CLIMATE_UN, ("group:era5", "impute:past_median")),
    ("temp_anomaly", "Temperature anomaly (ERA5/OWID)", "climate_temp_anomaly",
     "annual surface temperature anomaly vs 1991-2020, as published by OWID", "climate", _CLIMATE_UN,
     ("group:owid", "primary", "impute:past_median")),
    ("temp_anomaly_past30", "Temperature anomaly vs the past 30 years", "climate_temp_anomaly",
     "annual anomaly minus its mean over the 30 years before (past-only baseline)", "climate", _CLIMATE_UN,
     ("group:owid", "impute:past_median")),
    ("heat_months_era5", "Hot months (ERA5/OWID)", "climate_temp_anomaly_monthly",
     "months whose anomaly exceeds the past 30 years' 90th percentile for that calendar month", "climate",
     _CLIMATE_UN, ("group:owid", "impute:past_median")),
    ("emdat_drought_affected_log", "People affected by drought (log, EM-DAT)", "emdat_drought_affected",
     "log(1 + people affected by drought); only when TOCSIN_ENABLE_EMDAT=true", "climate", _CLIMATE_UN,
     ("group:emdat", "primary", "impute:past_median", "optional")),
    ("emdat_drought_deaths_log", "Drought deaths (log, EM-DAT)", "emdat_drought_deaths",
     "log(1 + drought deaths); only when TOCSIN_ENABLE_EMDAT=true", "climate", _CLIMATE_UN,
     ("group:emdat", "impute:past_median", "optional")),
    # inequality
    ("gini_disp", "Gini, disposable income (SWIID)", "swiid_summary", "SWIID mean Gini (0-100)", "inequality",
     (4,), ("group:swiid", "primary", "impute:ffill")),
    ("gini_disp_se", "Gini (disposable) standard error", "swiid_summary", "SWIID standard error",
     "inequality", (4,), ("group:swiid", "impute:ffill")),
    ("gini_mkt", "Gini, market income (SWIID)", "swiid_summary", "SWIID mean market-income Gini",
     "inequality", (4,), ("group:swiid", "impute:ffill")),
    ("gini_mkt_se", "Gini (market) standard error", "swiid_summary", "SWIID standard error", "inequality",
     (4,), ("group:swiid", "impute:ffill")),
    ("gini_disp_chg1", "Change in Gini (disp.), 1 year", "swiid_summary", "gini_disp(t) - gini_disp(t-1)",
     "inequality", (4,), ("group:swiid", "impute:zero")),
    ("gini_disp_chg5", "Change in Gini (disp.), 5 years", "swiid_summary", "gini_disp(t) - gini_disp(t-5)",
     "inequality", (4,), ("group:swiid", "impute:zero")),
    ("gini_mkt_chg1", "Change in Gini (market), 1 year", "swiid_summary", "gini_mkt(t) - gini_mkt(t-1)",
     "inequality", (4,), ("group:swiid", "impute:zero")),
    ("gini_mkt_chg5", "Change in Gini (market), 5 years", "swiid_summary", "gini_mkt(t) - gini_mkt(t-5)",
     "inequality", (4,), ("group:swiid", "impute:zero")),
]
for _v, _label in (("social_inequality", "Social inequality"), ("ses_power_dist", "Power by socio-economic "
                   "position"), ("social_power_dist", "Power by social group")):
    _F += [
        (f"vdem_{_v}", f"{_label} (V-Dem, EWP input)", "ewp_in_vdem",
         f"{_v} as in EWP's V-Dem input (the same as the EWP predictor)", "inequality", _INEQ_UN,
         ("group:vdem", "impute:ffill", "smoothed", *(("primary",) if _v == "social_inequality" else ()))),
        (f"vdem_{_v}_chg1", f"{_label}: change, 1 year", "ewp_in_vdem", f"{_v}(t) - {_v}(t-1)", "inequality",
         _INEQ_UN, ("group:vdem", "impute:zero", "smoothed")),
        (f"vdem_{_v}_chg5", f"{_label}: change, 5 years", "ewp_in_vdem", f"{_v}(t) - {_v}(t-5)", "inequality",
         _INEQ_UN, ("group:vdem", "impute:zero", "smoothed")),
    ]
_EPR = "ewp_in_epr"
_F += [
    ("epr_excl_groups_count", "Excluded ethnic groups", _EPR, "EPR count of politically relevant groups "
     "excluded from power", "ethno-nationalism", _ETHNO_UN, ("group:epr", "impute:ffill")),
    ("epr_exclpop", "Excluded population share", _EPR, "EPR share of population in excluded groups",
     "ethno-nationalism", _ETHNO_UN, ("group:epr", "primary", "impute:ffill")),
    ("epr_discrimpop", "Discriminated population share", _EPR, "EPR share in discriminated groups",
     "ethno-nationalism", _ETHNO_UN, ("group:epr", "impute:ffill")),
    ("epr_regautpop", "Regional-autonomy population share", _EPR,
     "EPR share in groups with regional autonomy", "ethno-nationalism", _ETHNO_UN,
     ("group:epr", "impute:ffill")),
    ("epr_maxexclpop", "Largest excluded group's share", _EPR, "EPR share of the largest excluded group",
     "ethno-nationalism", _ETHNO_UN, ("group:epr", "impute:ffill")),
    ("epr_egip_groups_count", "Ethnic groups in power", _EPR, "EPR count of groups in power (EGIP)",
     "ethno-nationalism", _ETHNO_UN, ("group:epr", "impute:ffill")),
    ("epr_exclpop_chg1", "Change in excluded share", _EPR, "exclpop(t) - exclpop(t-1)", "ethno-nationalism",
     _ETHNO_UN, ("group:epr", "impute:zero")),
    ("epr_discrimpop_chg1", "Change in discriminated share", _EPR, "discrimpop(t) - discrimpop(t-1)",
     "ethno-nationalism", _ETHNO_UN, ("group:epr", "impute:zero")),
    ("epr_new_exclusion", "New exclusion", _EPR, "1 if the excluded share rose > 0.5 pp or the excluded "
     "count rose vs t-1", "ethno-nationalism", (*_ETHNO_UN, 7), ("group:epr", "impute:zero")),
    ("epr_downgrade", "Group downgraded", _EPR, "1 if the discriminated share rose > 0.5 pp, or groups in "
     "power fell while excluded groups rose, vs t-1", "ethno-nationalism", (*_ETHNO_UN, 7),
     ("group:epr", "impute:zero")),
    ("epr_new_exclusion_5yr", "New exclusion in the last 5 years", _EPR,
     "max of epr_new_exclusion over t-4..t", "ethno-nationalism", (*_ETHNO_UN, 7),
     ("group:epr", "impute:zero")),
    ("hief_efindex", "Ethnic fractionalization (HIEF)", "ewp_in_hief_data", "HIEF EFindex",
     "ethno-nationalism", (9,), ("group:hief", "primary", "impute:ffill")),
    ("epr_exclpop_x_efindex", "Excluded share x fractionalization", "ewp_in_epr + ewp_in_hief_data",
     "epr_exclpop * hief_efindex (after imputation)", "ethno-nationalism", _ETHNO_UN, ("impute:none",)),
    ("epr_discrimpop_x_efindex", "Discriminated share x fractionalization", "ewp_in_epr + ewp_in_hief_data",
     "epr_discrimpop * hief_efindex (after imputation)", "ethno-nationalism", _ETHNO_UN, ("impute:none",)),
    # transnational: neighbours' values in the same year t (data dated <= t)
    ("nb_count", "Neighbouring states", "ne_admin0_50m + ewp_basedata",
     "states within 100 km (Natural Earth 1:50m) with a row in EWP base data that year", "transnational",
     _NB_UN, ("group:nb", "primary", "impute:zero")),
    ("nb_mk_ongoing_any", "Mass killing next door", "ewp_basedata", "1 if a neighbour has an ongoing mass "
     "killing in year t", "transnational", _NB_UN, ("group:nb", "impute:zero")),
    ("nb_mk_ongoing_share", "Share of neighbours with mass killing", "ewp_basedata",
     "share of neighbours with an ongoing mass killing in year t", "transnational", _NB_UN,
     ("group:nb", "impute:zero")),
    ("nb_mk_onset_any", "Mass-killing onset next door", "ewp_basedata", "1 if a neighbour had an onset in t",
     "transnational", _NB_UN, ("group:nb", "impute:zero")),
    ("nb_coup_any", "Coup attempt next door", "ewp_in_coups_all", "1 if a neighbour had a coup attempt in t",
     "transnational", _NB_UN, ("group:nb", "impute:zero")),
    ("nb_battledeaths_log", "Battle deaths next door (log)", "ewp_in_ucdp_battledeaths",
     "log(1 + UCDP battle deaths located in neighbours in t); from 1989", "transnational", _NB_UN,
     ("group:nb", "impute:none")),
    ("nb_drought_share", "Share of neighbours in drought", "climate_spei1",
     "share of neighbours with spei12 <= -1 in t", "transnational", _NB_UN,
     ("group:nb_drought", "primary", "impute:past_median")),
]

# repression and conflict evidence (tocsin.features.repression)
_F += [(n, lab, src, tr, _rep.FAMILY, un, tags) for n, lab, src, tr, un, tags in _rep.FEATURES]

_GROUP_FAMILY = {"spei": "climate", "cru": "climate", "era5": "climate", "owid": "climate",
                 "emdat": "climate", "swiid": "inequality", "vdem": "inequality", "epr": "ethno-nationalism",
                 "hief": "ethno-nationalism", "nb": "transnational", "nb_drought": "transnational",
                 **dict.fromkeys(_rep.GROUP_UN, _rep.FAMILY)}
_GROUP_UN = {"climate": _CLIMATE_UN, "inequality": _INEQ_UN, "ethno-nationalism": _ETHNO_UN,
             "transnational": _NB_UN}

MISSING_FEATURES: list[Feature] = [
    Feature(name=f"{g}_missing", label=f"No {g} data this year (imputed)", source="(derived)",
            transform=f"1 if the {g} group's primary feature had no source value for the country-year",
            family=fam, un_factors=_rep.GROUP_UN[g] if g in _rep.GROUP_UN else _GROUP_UN[fam],
            tags=("missing-indicator", "impute:none", *(("optional",) if g == "emdat" else ()),
                  *(("smoothed",) if g in _rep.SMOOTHED_GROUPS else ())))
    for g, fam in _GROUP_FAMILY.items()
]

DRIVER_FEATURES: list[Feature] = [
    *[Feature(name=n, label=lab, source=src, transform=tr, family=fam, un_factors=un, tags=tags)
      for n, lab, src, tr, fam, un, tags in _F],
    *MISSING_FEATURES,
]


def driver_registry() -> FeatureRegistry:
    return FeatureRegistry(DRIVER_FEATURES)


def group_of(feature: Feature) -> str | None:
    return next((t.split(":", 1)[1] for t in feature.tags if t.startswith("group:")), None)
