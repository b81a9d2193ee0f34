"""Per-country hotspot assembly: which subnational inputs exist, their components, the ranked table.

Inputs in the data mirror:
- Syria: NDVI by governorate, monthly 2002-2025 (vegetation hazard); national CHIRPS SPI as context only.
- Kenya, Ethiopia, Somalia, Sudan, Nigeria: GAUL-district CRU precipitation 1960-2013 and PDSI 1960-2012
  (drought hazard), matched to admin-1 by name with every unmatched district reported.
- Central African Republic: UCDP GED events 1991-2022 (past one-sided violence), placed by coordinates.
A user's own global UCDP GED CSV (`ged_csv`) adds the violence component for any country.
Components without data are reported missing with the reason; nothing is invented.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.geo.aggregate import ADMIN1_ALIASES, assign_points, match_area_names, match_districts
from tocsin.geo.units import load_admin1
from tocsin.geo.vulnerability import COMPONENTS, past_anomaly, resolve_weights, score, trailing_sum
from tocsin.sources import subnational as sn
from tocsin.sources.base import Source
from tocsin.sources.download import fetch
from tocsin.warehouse.store import Warehouse

VIOLENCE_WINDOW = 5
ONE_SIDED = 3  # UCDP type_of_violence: one-sided violence against civilians


@dataclass(frozen=True)
class SourceUse:
    name: str
    publisher: str
    licence: str
    citation: str

    @classmethod
    def of(cls, src: Source) -> SourceUse:
        return cls(src.name, src.publisher, src.licence, src.citation)


ADMIN1_USE = SourceUse("natural_earth_admin1", sn.ADMIN1_PUBLISHER, sn.ADMIN1_LICENCE, sn.ADMIN1_CITATION)


@dataclass
class Components:
    """Raw component values of one input, indexed by unit code, with what it used and noticed."""

    values: dict[str, pd.Series] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # component -> reason
    notes: list[str] = field(default_factory=list)
    sources: list[SourceUse] = field(default_factory=list)
    years: tuple[int, int] | None = None  # years this input can score


@dataclass
class HotspotResult:
    iso3: str
    country: str
    year: int
    table: pd.DataFrame  # one row per unit, ranked (units without any data last, rank NaN)
    units: gpd.GeoDataFrame
    weights: dict[str, float]
    missing: dict[str, str]
    notes: list[str]
    sources: list[SourceUse]

    def credits(self) -> list[tuple[str, str, str]]:
        """(publisher, licence, citation) of each source used, once each."""
        return list(dict.fromkeys((s.publisher, s.licence, s.citation) for s in self.sources))

    def ranked(self) -> pd.DataFrame:
        return self.table[self.table["total"].notna()]

    def to_dict(self) -> dict[str, Any]:
        comps = list(COMPONENTS)
        areas = []
        for row in self.table.itertuples(index=False):
            r = row._asdict()
            areas.append({
                "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                "name": r["name"], "code": r["code"], "hasc": r["hasc"],
                "total": _num(r["total"]), "coverage": _num(r["coverage"]),
                "components": {c: _num(r[c]) for c in comps},
                "raw": {c: _num(r[f"raw_{c}"]) for c in comps},
                "missing": [m for m in str(r["missing"]).split(",") if m],
            })
        return {
            "country": self.country, "iso3": self.iso3, "year": self.year,
            "method": "min-max normalised components within the country-year; weighted mean of available "
                      "components (missing ones reweighted, never zero-filled)",
            "weights": self.weights,
            "components": {k: {"label": c.label, "pillar": c.pillar, "description": c.description,
                               "missing_reason": self.missing.get(k)} for k, c in COMPONENTS.items()},
            "areas": areas, "notes": self.notes,
            "sources": [s.__dict__ for s in self.sources],
        }

    def to_geojson(self) -> dict[str, Any]:
        cols = ["code", "name", "rank", "total", "coverage", *COMPONENTS, "missing"]
        gdf = self.units[["code", "geometry"]].merge(self.table[cols], on="code")
        doc = json.loads(gdf.to_json(na="null", drop_id=True))
        doc["tocsin"] = {k: v for k, v in self.to_dict().items() if k != "areas"}
        return doc


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else round(float(v), 4)


class Tables:
    """Source tables from the warehouse when pulled, else fetched (mirror or network) and parsed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.warehouse = Warehouse(settings.warehouse_path)
        self._memo: dict[str, pd.DataFrame] = {}
        self._names: set[str] | None = None

    def get(self, src: Source) -> pd.DataFrame:
        if src.name not in self._memo:
            if self._names is None:
                self._names = set(self.warehouse.tables()) if self.warehouse.exists() else set()
            if src.name in self._names:
                frame = self.warehouse.read(src.name)
            else:
                fetched = fetch(src.url, mirror=self.settings.data_mirror, sha256=src.sha256)
                frame = src.parse(fetched.content, fetched.name)
            self._memo[src.name] = frame
        return self._memo[src.name]


# ---- Syria: NDVI by governorate -------------------------------------------------------------------
def syria_labelling(ndvi: pd.DataFrame, units: gpd.GeoDataFrame) -> tuple[dict[str, str], str]:
    """Decide which names the workbook's PCODEs stand for: OCHA P-codes or the workbook's own labels.

    The pixel weights (`Mean_Input_Pixels`, constant per PCODE) grow with a governorate's area, so the
    labelling whose polygons' areas rank like the weights is the right one. Returns PCODE -> unit code.
    """
    pix = ndvi.groupby("PCODE")["Mean_Input_Pixels"].first().astype(float)
    book = ndvi.groupby("PCODE")["Governorate"].first().astype(str)
    names = units.set_index("name")
    options: dict[str, dict[str, str]] = {}
    rho: dict[str, float] = {}
    for label, mapping in (("OCHA P-codes", sn.SYRIA_OCHA_PCODES), ("workbook names", book.to_dict())):
        rep = match_area_names(mapping.values(), units["name"], ADMIN1_ALIASES["SYR"])
        codes = {p: names.loc[rep.matched[n], "code"] for p, n in mapping.items() if n in rep.matched}
        options[label] = codes
        km2 = units.set_index("code")["area_km2"]
        area = pd.Series({p: float(km2[c]) for p, c in codes.items()})
        common = pix.index.intersection(area.index)
        rho[label] = float(pix[common].corr(area[common], method="spearman")) if len(common) > 3 else np.nan
    best = max(rho, key=lambda k: -np.inf if np.isnan(rho[k]) else rho[k])
    other = next(k for k in rho if k != best)
    note = (f"Syria workbook PCODEs read as {best}: pixel weights rank like governorate areas "
            f"(Spearman {rho[best]:.2f}) versus {rho[other]:.2f} under the {other}")
    if not rho[best] >= 0.6:
        note += "; WARNING: neither labelling fits the pixel weights well"
    return options[best], note


def syria_inputs(tables: Tables, units: gpd.GeoDataFrame, year: int) -> Components:
    out = Components(sources=[SourceUse.of(sn.SYRIA_SOURCES[0]), ADMIN1_USE])
    ndvi = tables.get(sn.SYRIA_SOURCES[0]).copy()
    pcode_unit, note = syria_labelling(ndvi, units)
    out.notes.append(note)
    missing_codes = sorted(set(ndvi["PCODE"]) - set(pcode_unit))
    if missing_codes:
        out.notes.append(f"Syria PCODEs not matched to a governorate polygon: {', '.join(missing_codes)}")
    ndvi["unit"] = ndvi["PCODE"].map(pcode_unit)
    ndvi["z"] = past_anomaly(ndvi, "NDVI_Raw", keys=("PCODE", "month"), time="year", min_years=3)
    yr = ndvi[ndvi["year"] == year]
    years = sorted(ndvi["year"].unique())
    out.years = (int(years[0]) + 3, int(years[-1]))
    if yr.empty:
        out.missing["vegetation"] = f"no Syria NDVI for {year} (data {years[0]}-{years[-1]})"
    else:
        agg = yr.groupby("unit").agg(z=("z", "mean"), months=("z", "count"))
        # A year with fewer than 6 months of anomalies is too partial to compare with the others.
        out.values["vegetation"] = -agg["z"].where(agg["months"] >= 6)
        if agg["z"].where(agg["months"] >= 6).isna().all():
            out.missing["vegetation"] = f"fewer than 3 earlier years of NDVI before {year}"
    out.missing.setdefault("drought", "only national rainfall/SPI for Syria (no governorate rainfall)")
    nat = tables.get(sn.SYRIA_SOURCES[2])
    spi = nat.loc[nat["Year"] == year, "SPI_3"].mean()
    if pd.notna(spi):
        out.notes.append(f"Context: Syria national CHIRPS SPI-3, mean of {year}: {spi:.2f}")
        out.sources.append(SourceUse.of(sn.SYRIA_SOURCES[2]))
    return out


# ---- HarvestChoice districts: precipitation and PDSI ------------------------------------------------
def district_drought(tables: Tables, iso3: str, units: gpd.GeoDataFrame, year: int) -> Components:
    out = Components(sources=[ADMIN1_USE])
    aliases = ADMIN1_ALIASES.get(iso3)
    zs = []
    years: list[int] = []
    for var, how in (("pre", "sum"), ("pdsi", "mean")):
        src = next(s for s in sn.HC_SOURCES if s.name == sn.hc_table(var, iso3))
        out.sources.append(SourceUse.of(src))
        frame = tables.get(src)
        annual = frame.groupby(["adm1_name", "adm2_name", "adm2_code", "year"], as_index=False).agg(
            value=("value", how), months=("value", "count"))
        annual = annual[annual["months"] == 12]
        dm = match_districts(annual, list(units["name"]), aliases=aliases)
        out.notes.append(f"{src.name}: admin-1 names {dm.by_admin1.summary()}; {dm.summary()}")
        placed = dm.frame[dm.frame["unit"].notna()]
        per_unit = placed.groupby(["unit", "year"], as_index=False)["value"].mean()
        per_unit["z"] = past_anomaly(per_unit, "value", keys=("unit",), time="year", min_years=10)
        years.extend([int(per_unit["year"].min()) + 10, int(per_unit["year"].max())])
        z = per_unit[per_unit["year"] == year].set_index("unit")["z"].rename(var)
        if z.empty:
            out.notes.append(f"{src.name}: no data for {year} (data {per_unit['year'].min()}-"
                             f"{per_unit['year'].max()})")
        zs.append(z)
    out.years = (min(years), max(years))
    both = pd.concat(zs, axis=1)
    by_name = units.set_index("name")["code"]
    drought = -both.mean(axis=1)  # mean of the available standardised anomalies, sign: deficit = high
    drought.index = drought.index.map(by_name)
    if drought.notna().any():
        out.values["drought"] = drought
    else:
        out.missing["drought"] = f"no district rainfall or PDSI for {year}"
    out.missing.setdefault("vegetation", "no subnational vegetation index in the mirror for this country")
    return out


# ---- events: UCDP GED --------------------------------------------------------------------------------
def violence_inputs(events: pd.DataFrame, units: gpd.GeoDataFrame, year: int, src: SourceUse,
                    coverage: tuple[int, int]) -> Components:
    out = Components(sources=[src, ADMIN1_USE])
    lo, hi = year - VIOLENCE_WINDOW, year - 1
    out.years = (coverage[0] + VIOLENCE_WINDOW, coverage[1] + 1)
    if lo < coverage[0] or hi > coverage[1]:
        out.missing["violence"] = (f"event data cover {coverage[0]}-{coverage[1]}; {year} needs "
                                   f"{lo}-{hi}")
        return out
    placed = assign_points(events, units)
    out.notes.append(f"{src.name}: {placed.summary()}")
    ev = placed.frame
    one_sided = ev[(ev["type_of_violence"] == ONE_SIDED) & ev["unit"].notna()]
    deaths = trailing_sum(one_sided, "unit", "year", "best", year, VIOLENCE_WINDOW)
    # The event data cover the whole country: a unit without events had none recorded (0), not "missing".
    deaths = deaths.reindex(units["code"]).fillna(0.0)
    out.values["violence"] = np.log1p(deaths)
    return out


def ged_car_inputs(tables: Tables, units: gpd.GeoDataFrame, year: int) -> Components:
    events = tables.get(sn.GED_CAR)
    cov = (int(events["year"].min()), int(events["year"].max()))
    return violence_inputs(events, units, year, SourceUse.of(sn.GED_CAR), cov)


def ged_csv_inputs(path: Path, units: gpd.GeoDataFrame, year: int) -> Components:
    from tocsin.geo.adapters import read_ged_csv

    events = read_ged_csv(path)
    minx, miny, maxx, maxy = units.total_bounds
    pad = 0.2  # degrees: keep events just outside simplified borders for the nearest-unit tolerance
    inside = events["longitude"].between(minx - pad, maxx + pad) & events["latitude"].between(
        miny - pad, maxy + pad)
    box = events[inside]
    cov = (int(events["year"].min()), int(events["year"].max()))
    use = SourceUse(f"ucdp_ged_csv:{Path(path).name}", "Uppsala Conflict Data Program (UCDP GED)",
                    sn.GED_LICENCE, sn.GED_CITATION)
    comps = violence_inputs(box, units, year, use, cov)
    return comps


# ---- assembly ----------------------------------------------------------------------------------------
Builder = Callable[[Tables, gpd.GeoDataFrame, int], Components]
INPUTS: dict[str, list[tuple[str, Builder]]] = {
    "SYR": [("Syria NDVI by governorate", syria_inputs)],
    "CAF": [("UCDP GED 23.1 events (CAR)", ged_car_inputs)],
    **{iso3: [("HarvestChoice district rainfall and PDSI",
               lambda t, u, y, iso3=iso3: district_drought(t, iso3, u, y))] for iso3 in sn.HC_GAUL},
}


def available_inputs(iso3: str) -> list[str]:
    return [label for label, _ in INPUTS.get(iso3.upper(), [])]


def default_year(iso3: str, settings: Settings) -> int:
    """The latest year the mirror's inputs for this country can score."""
    iso3 = iso3.upper()
    if iso3 == "SYR":
        return 2025
    if iso3 == "CAF":
        return 2023
    if iso3 in sn.HC_GAUL:
        return 2012  # PDSI ends in 2012; precipitation alone continues to 2013
    raise DataError("hotspots", f"no subnational inputs for {iso3} in the mirror; pass --year and --ged-csv")


def hotspots(
    iso3: str,
    settings: Settings,
    year: int | None = None,
    weights: Mapping[str, float] | str | None = None,
    country: str | None = None,
    ged_csv: Path | None = None,
) -> HotspotResult:
    """Rank a country's admin-1 units by vulnerability in `year`, with components, flags and sources."""
    iso3 = iso3.upper()
    w = resolve_weights(weights)
    builders = INPUTS.get(iso3, [])
    if not builders and ged_csv is None:
        raise DataError("hotspots", f"no subnational inputs for {iso3} in the data mirror "
                        f"(available: {', '.join(sorted(INPUTS))}); "
                        "a UCDP GED CSV can be given with --ged-csv")
    if year is None:
        year = default_year(iso3, settings) if builders else int(pd.Timestamp.now().year)
    units = load_admin1(iso3, settings)
    tables = Tables(settings)
    parts = [b(tables, units, year) for _, b in builders]
    if ged_csv is not None:
        parts.append(ged_csv_inputs(Path(ged_csv), units, year))
    values: dict[str, pd.Series] = {}
    missing: dict[str, str] = {}
    notes: list[str] = []
    sources: list[SourceUse] = []
    for p in parts:
        values.update(p.values)
        notes.extend(p.notes)
        for s in p.sources:
            if s not in sources:
                sources.append(s)
        for k, why in p.missing.items():
            missing.setdefault(k, why)
    for k in COMPONENTS:
        if k not in values:
            missing.setdefault(k, {
                "exposure": "no subnational rural-population or rain-fed cropland data in the mirror",
                "exclusion": "no excluded-group settlement areas (GeoEPR) in the mirror",
                "violence": "no geolocated events for this country in the mirror (the GED extract is CAR)",
            }.get(k, "no subnational climate data for this country in the mirror"))
        else:
            missing.pop(k, None)
    if not values:
        spans = [f"{p.years[0]}-{p.years[1]}" for p in parts if p.years]
        raise DataError("hotspots", f"no component has data for {iso3} in {year}"
                        + (f" (inputs can score {', '.join(spans)})" if spans else "")
                        + "; " + "; ".join(f"{k}: {v}" for k, v in missing.items()))
    raw = pd.DataFrame({k: v for k, v in values.items()}).reindex(units["code"])
    scored = score(raw.reset_index(drop=True), w)
    table = pd.DataFrame({"code": units["code"].to_numpy(), "name": units["name"].to_numpy(),
                          "hasc": units["hasc"].astype(object).where(units["hasc"].notna(), None).to_numpy()})
    table = pd.concat([table, scored.reset_index(drop=True)], axis=1)
    for k in COMPONENTS:
        table[f"raw_{k}"] = raw[k].to_numpy() if k in raw.columns else np.nan
    # Only components with data anywhere in the country are "missing" per area; absent ones are reported once.
    present = [k for k in COMPONENTS if k in values]
    table["missing"] = [",".join(k for k in present if pd.isna(r[k])) for _, r in table.iterrows()]
    table = table.sort_values(["total", "name"], ascending=[False, True], na_position="last")
    # Equal totals share a rank (1, 2, 2, 4); units without data stay unranked.
    table["rank"] = table["total"].rank(method="min", ascending=False)
    table = table.reset_index(drop=True)
    no_data = table.loc[table["total"].isna(), "name"].tolist()
    if no_data:
        notes.append(f"No data for {len(no_data)} unit(s), left unranked: {', '.join(no_data)}")
    return HotspotResult(iso3=iso3, country=country or iso3, year=int(year), table=table, units=units,
                         weights=w, missing=missing, notes=notes, sources=sources)


def top_areas(iso3: str, settings: Settings, n: int = 5, year: int | None = None) -> list[dict[str, Any]]:
    """The n highest-ranked areas for a country brief; empty when the mirror has no inputs for it."""
    if iso3.upper() not in INPUTS:
        return []
    res = hotspots(iso3, settings, year=year)
    return res.to_dict()["areas"][:n]
