"""Registry entries for the Early Warning Project's 38 structural predictors (plus year).

Families follow what each indicator measures, so that ablations can group them; UN Framework risk factors
follow the Framework's own descriptions (see tocsin.features.registry.UN_RISK_FACTORS).
"""

from __future__ import annotations

from tocsin.features.registry import Feature

_SRC = "ewp_panel"
# name: (label, family, UN risk factors, where EWP takes it from)
_EWP: dict[str, tuple[str, str, tuple[int, ...], str]] = {
    "widetargeting": ("Ongoing mass killing targets a wide group", "traditional", (2, 11), "EWP events"),
    "narrowtargeting": ("Ongoing mass killing targets a narrow group", "traditional", (2, 11), "EWP events"),
    "v2csgender_binary": ("Women excluded from civil society", "traditional", (6,), "V-Dem"),
    "v2mecenefm_binary": ("Government censors the media", "traditional", (6, 7), "V-Dem"),
    "partyban.new.0": ("No party bans", "traditional", (3, 7), "V-Dem"),
    "partyban.new.1": ("Some parties banned", "traditional", (3, 7), "V-Dem"),
    "partyban.new.2": ("Most parties banned", "traditional", (3, 7), "V-Dem"),
    "minorityrule": ("Power held by a social minority", "ethno-nationalism", (4, 9), "V-Dem"),
    "judicialreform": ("Judiciary purged or packed", "traditional", (3, 7), "V-Dem"),
    "religiousfreedom": ("Religious freedom", "ethno-nationalism", (9,), "V-Dem"),
    "pol_killing_approved": ("Political killings practised or approved", "traditional", (2, 12), "V-Dem"),
    "freediscussion": ("Freedom of discussion", "traditional", (6,), "V-Dem"),
    "social_inequality": ("Civil liberties unequal across social groups", "inequality", (4, 9), "V-Dem"),
    "even_civilrights": ("Civil liberties equal across social groups", "ethno-nationalism", (2, 9), "V-Dem"),
    "repress_civilsoc": ("Civil society repressed", "traditional", (2, 6), "V-Dem"),
    "social_power_dist": ("Power distributed by social group", "inequality", (9,), "V-Dem"),
    "ses_power_dist": ("Power distributed by socio-economic position", "inequality", (4,), "V-Dem"),
    "popsize.log2": ("Population (log2)", "structural", (5,), "WDI / PWT / Maddison"),
    "gdppcgrowth": ("GDP per capita growth", "structural", (1, 3), "WDI / Maddison"),
    "un_imr_sqrt": ("Infant mortality (sqrt)", "structural", (3,), "UN IGME"),
    "efindex": ("Ethnic fractionalization", "ethno-nationalism", (9,), "HIEF"),
    "discrimpop": ("Share of population politically discriminated", "ethno-nationalism", (9, 4), "EPR"),
    "reg.na": ("Region: North America", "structural", (), "EWP"),
    "reg.eap": ("Region: East Asia and Pacific", "structural", (), "EWP"),
    "reg.sca": ("Region: South and Central Asia", "structural", (), "EWP"),
    "reg.mna": ("Region: Middle East and North Africa", "structural", (), "EWP"),
    "reg.eur": ("Region: Europe", "structural", (), "EWP"),
    "ios.iccpr1": ("Party to ICCPR first optional protocol", "traditional", (6,), "UN Treaty Collection"),
    "battledeaths.log2": ("Battle deaths (log2)", "traditional", (1,), "UCDP"),
    "coup.try.5yr": ("Coup attempt in the last five years", "traditional", (1, 8), "Powell & Thyne"),
    "mk_ongoing_count_log2": ("Ongoing mass killings (log2 count)", "traditional", (2, 11), "EWP events"),
    "mean_mk_onset_interaction": ("Regional mass-killing onsets (interaction)", "traditional", (1, 2),
                                  "EWP events"),
    "mk_onset_prev_year": ("Mass-killing onset last year", "traditional", (2, 11), "EWP events"),
    "newcountry": ("Country independent in the last two years", "traditional", (1, 3), "Gleditsch-Ward"),
    "mk_ever": ("Any mass killing since 1945", "traditional", (2,), "EWP events"),
    "year_sq": ("Year squared (trend)", "structural", (), "calendar"),
    "year": ("Year (trend)", "structural", (), "calendar"),
    "countryage.new.log2": ("Years since independence (log2)", "structural", (3,), "Gleditsch-Ward"),
    "includesnonstate": ("Ongoing non-state mass killing", "traditional", (1, 11), "EWP events"),
}

EWP_FEATURES: list[Feature] = [
    Feature(name=name, label=label, source=_SRC, transform=f"as published by EWP (from {origin})",
            family=family, un_factors=factors, tags=("ewp_base",))
    for name, (label, family, factors, origin) in _EWP.items()
]
