"""Which entities of a source are Gleditsch-Ward states: the match used to key features, and the report of
every entity left unmatched (it must list only territories, aggregates and GADM-only units)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import DataError

# Identifiers some sources use for states that no longer exist (Gapminder/Open Numbers ids in EM-DAT),
# spelled as names the countries module knows.
HISTORICAL_IDS: dict[str, str] = {
    "deu_west": "West Germany", "deu_east": "East Germany", "yem_north": "North Yemen",
    "ussr": "Soviet Union", "yug": "Yugoslavia", "cheslo": "Czechoslovakia", "scg": "Serbia and Montenegro",
}

# Source-specific ids of entities that are no state and that the countries module does not list: GADM-only
# units, Natural Earth minor territories, Gapminder ids of territories. Checked by a test against the mirror.
SOURCE_NON_STATES: frozenset[str] = frozenset({
    "XAD", "XCA", "XCL", "XPI", "XSP", "ZNC",  # GADM: Akrotiri-Dhekelia, Caspian Sea, Clipperton, Paracel,
    # Spratly, Northern Cyprus
    "ATC", "IOA", "KAS",  # Natural Earth: Ashmore-Cartier, Australian Indian Ocean Ter., Siachen Glacier
    "nld_curacao", "stbar",  # Gapminder ids: Curacao, Saint Barthelemy
    "United States Virgin Islands",
    # PTS scores for parts of states, besides its whole-state rows (Israel, Russia, Ukraine): not states
    "Crimea", "Gaza (Hamas)", "Israel in pre-1967 borders", "Israel in Occupied Territories",
    "Russia-Occupied Areas (Ukraine)",
})
# OWID's NIAID regions and ocean basins.
_NON_STATE_PATTERN = re.compile(r"\(NIAID\)?$|\b(Ocean|Sea|Seas)\b")


def is_non_state(entity: str, name: str | None = None) -> bool:
    """True when an unmatched entity is known not to be a state (territory, aggregate, GADM-only unit)."""
    label = name or entity
    if entity in SOURCE_NON_STATES or label in SOURCE_NON_STATES or _NON_STATE_PATTERN.search(label):
        return True
    return countries.is_aggregate_or_territory(label) or countries.is_aggregate_or_territory(entity)


# (entity column, name column or None) of every table whose countries are matched by name or ISO3.
ENTITY_COLUMNS: dict[str, tuple[str, str | None]] = {
    "climate_cru_pre": ("iso3", None), "climate_cru_pre_pop": ("iso3", None),
    "climate_cru_tmp": ("iso3", None),
    "climate_era5_pre": ("iso3", None), "climate_spei1": ("iso3", None), "climate_spei1_pop": ("iso3", None),
    "climate_temp_anomaly": ("name", None), "climate_temp_anomaly_monthly": ("name", None),
    "emdat_drought_affected": ("geo", None), "emdat_drought_deaths": ("geo", None),
    "swiid_summary": ("country", None), "ne_admin0_50m": ("iso3", "name"),
    "ewp_in_hief_data": ("Country", None), "ewp_in_vdem": ("country_name", None),
    # repression and conflict evidence (tocsin.sources.events): numeric codes, see CODE_SCHEMES
    "pts": ("state", "Country"), "ucdp_onesided": ("gwno", "location"), "ucdp_acd": ("gwno", "location"),
    "fariss_lhrs": ("cow", None), "colpus_coups": ("ccode", "statenme"), "views_ged_cm": ("gwcode", "country"),
    "tp_ucdp_cm": ("country_iso3", None), "tp_gdelt_cm": ("country_iso3", None),
}
# Tables whose country column holds numeric codes: pure Gleditsch-Ward ("gw", UCDP/VIEWS) or Correlates of War
# ("cow"); a non-numeric entity in such a column (PTS names a few states only by name) is matched by name.
CODE_SCHEMES: dict[str, str] = {"pts": "cow", "ucdp_onesided": "gw", "ucdp_acd": "gw", "fariss_lhrs": "cow",
                                "colpus_coups": "cow", "views_ged_cm": "gw"}
GADM_NAMES_TABLE = "climate_gadm_countries"


@dataclass(frozen=True)
class EntityMatch:
    """A source's entities matched to states: `gwcode` by entity, and the entities no state matched."""

    source: str
    gwcode: dict[str, int]
    iso3: dict[str, str | None]
    unmatched: list[str]  # "ENTITY (name)" or "name"
    names: dict[str, str]

    @property
    def unrecognised(self) -> list[str]:
        """Unmatched entities not known to be non-states: states the matching missed (should be empty)."""
        return [u for u in self.unmatched if not is_non_state(u.split(" (", 1)[0], self.names.get(
            u.split(" (", 1)[0]))]

    def frame(self) -> pd.DataFrame:
        """(entity, gwcode, iso3) of the matched entities."""
        return pd.DataFrame({"entity": list(self.gwcode), "gwcode": list(self.gwcode.values()),
                             "iso3": [self.iso3[e] for e in self.gwcode]})


def _match_one_code(code: str) -> countries.Country | None:
    try:
        return countries.by_iso3(code.upper())
    except Exception:  # by_iso3 may raise CountryNotFoundError or return None: both mean "not a state"
        return None


def match_entities(source: str, entities: list[str], names: Mapping[str, str] | None = None) -> EntityMatch:
    """Match entity codes/names to states: ISO3 code first, then the name (historical ids aliased)."""
    names = dict(names or {})
    gw: dict[str, int] = {}
    iso: dict[str, str | None] = {}
    pending: dict[str, str] = {}  # entity -> name to match
    for ent in entities:
        label = names.get(ent, ent)
        if ent in HISTORICAL_IDS:
            pending[ent] = HISTORICAL_IDS[ent]
            continue
        country = _match_one_code(ent) if len(ent) == 3 and ent.isalpha() else None
        if country is not None and country.gwcode is not None:
            gw[ent], iso[ent] = int(country.gwcode), country.iso3
        else:
            pending[ent] = label
    if pending:
        result = countries.match_names(sorted(set(pending.values())))
        for ent, label in pending.items():
            country = result.matched.get(label)
            if country is not None and country.gwcode is not None:
                gw[ent], iso[ent] = int(country.gwcode), country.iso3
    unmatched = sorted(
        f"{e} ({names[e]})" if e in names and names[e] != e else e for e in entities if e not in gw
    )
    return EntityMatch(source=source, gwcode=gw, iso3=iso, unmatched=unmatched,
                       names={e: names.get(e, e) for e in entities})


def source_entities(table: str, frame: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The distinct entities of a table (and their names where the table carries them)."""
    if table not in ENTITY_COLUMNS:
        raise DataError(table, "no country column known for this table")
    col, name_col = ENTITY_COLUMNS[table]
    if col not in frame.columns:
        raise DataError(table, "country column is missing", column=col)
    ents = frame[col].dropna().astype(str)
    names: dict[str, str] = {}
    if name_col is not None:
        pairs = frame[[col, name_col]].dropna().astype(str).drop_duplicates(col)
        names = dict(zip(pairs[col], pairs[name_col], strict=True))
    return sorted(ents.unique()), names


def match_codes(source: str, entities: list[str], names: Mapping[str, str], scheme: str) -> EntityMatch:
    """Match numeric GW or COW codes (as strings) to states; non-numeric entities by name."""
    gw: dict[str, int] = {}
    iso: dict[str, str | None] = {}
    named = [e for e in entities if not e.lstrip("-").isdigit()]
    by_name = countries.match_names(sorted(set(named))).matched if named else {}
    for ent in entities:
        if ent in by_name:
            country: countries.Country | None = by_name[ent]
        elif ent in named:
            country = None
        else:
            code = int(ent)
            country = countries.by_gwcode(code) if scheme == "gw" else countries.by_cowcode(code)
        if country is not None:
            gw[ent], iso[ent] = int(country.gwcode), country.iso3
    unmatched = sorted(f"{e} ({names[e]})" if e in names and names[e] != e else e for e in entities if e not in gw)
    return EntityMatch(source=source, gwcode=gw, iso3=iso, unmatched=unmatched,
                       names={e: names.get(e, e) for e in entities})


def match_table(table: str, frame: pd.DataFrame, gadm_names: pd.DataFrame | None = None) -> EntityMatch:
    """Match a warehouse table's countries; GADM names (table climate_gadm_countries) label climate codes."""
    ents, names = source_entities(table, frame)
    if table in CODE_SCHEMES:
        return match_codes(table, ents, names, CODE_SCHEMES[table])
    if gadm_names is not None and table.startswith("climate_") and ENTITY_COLUMNS[table][0] == "iso3":
        names = {**dict(zip(gadm_names["iso3"].astype(str), gadm_names["name"].astype(str), strict=True)),
                 **names}
    return match_entities(table, ents, names)


def unmatched_report(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every entity of every table with a country column that matched no state: (source, entity, name,
    non_state). `non_state` False marks a state the matching missed (a bug to fix, expected never)."""
    gadm = tables.get(GADM_NAMES_TABLE)
    rows = []
    for table, frame in tables.items():
        if table not in ENTITY_COLUMNS:
            continue
        match = match_table(table, frame, gadm)
        for item in match.unmatched:
            ent = item.split(" (", 1)[0] if item not in match.names else item
            name = match.names.get(ent, ent)
            rows.append({"source": table, "entity": ent, "name": name, "non_state": is_non_state(ent, name)})
    return pd.DataFrame(rows, columns=["source", "entity", "name", "non_state"])
