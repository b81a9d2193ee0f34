"""Aggregation to admin-1: grid cells (area- or population-weighted), districts (by name), point events.

Every function reports what it could not place (unmatched names, events outside every polygon) instead of
dropping it silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from tocsin.core.errors import DataError
from tocsin.geo.units import EQUAL_AREA, cell_polygons, priogrid_gid

# ---- name matching -----------------------------------------------------------------------------------
# Transliteration and naming variants between sources (GAUL 2008, OCHA P-code names, the Syria workbook)
# and Natural Earth admin-1 names. Keys are source names, values Natural Earth names; each is a documented
# naming difference, never a guess: GAUL's five Somaliland regions lie in Natural Earth's single
# "Somaliland" unit, and GAUL's "Abuja" is Nigeria's Federal Capital Territory.
ADMIN1_ALIASES: dict[str, dict[str, str]] = {
    "SYR": {
        "Rural Damascus": "Rif Dimashq", "Al-Hasakeh": "Hasaka (Al Haksa)", "Hasaka": "Hasaka (Al Haksa)",
        "Deir-ez-Zor": "Dayr Az Zawr", "Idleb": "Idlib", "As-Sweida": "As Suwayda'",
        "As-Suwayda": "As Suwayda'", "Latakia": "Lattakia", "Daraa": "Dar`a",
    },
    "SDN": {"Al Jazeera": "Gezira", "Gadaref": "Gedarif", "Nile": "River Nile"},
    "ETH": {"SNNPR": "Southern Nations, Nationalities and Peoples", "Hareri": "Harari People"},
    "SOM": {
        "Awdal": "Somaliland", "Woqooyi Galbeed": "Somaliland", "Togdheer": "Somaliland",
        "Sool": "Somaliland", "Sanaag": "Somaliland",
        "Shabelle Dhexe": "Shabeellaha Dhexe", "Shabelle Hoose": "Shabeellaha Hoose",
        "Juba Dhexe": "Jubbada Dhexe", "Juba Hoose": "Jubbada Hoose",
    },
    "NGA": {"Abuja": "Federal Capital Territory"},
    "CAF": {},
    "KEN": {},
}

_GENERIC = {
    "province", "state", "region", "governorate", "county", "district", "prefecture", "department",
    "municipality", "of", "the", "peoples", "people", "al", "ar", "as", "ad", "az", "el", "an", "at", "ash",
}
_DIRECTIONS = {"northern": "north", "southern": "south", "western": "west", "eastern": "east"}


def normalise_name(name: str, keep_parenthetical: bool = True) -> str:
    """Lower-case ASCII words without punctuation, articles or generic words like 'province'."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    if not keep_parenthetical:
        text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [_DIRECTIONS.get(w, w) for w in text.split() if w not in _GENERIC]
    return " ".join(words)


@dataclass(frozen=True)
class NameMatchReport:
    """How source area names were matched to target (admin-1) names, and what could not be."""

    matched: dict[str, str]
    method: dict[str, str]  # "exact", "normalised", "alias", or "fuzzy:<score>"
    unmatched: list[str]
    targets_without_source: list[str]
    collisions: dict[str, list[str]] = field(default_factory=dict)  # target -> several sources

    def summary(self) -> str:
        fuzzy = {k: v for k, v in self.method.items() if v.startswith("fuzzy")}
        parts = [f"{len(self.matched)} matched"]
        if fuzzy:
            parts.append("fuzzy: " + ", ".join(f"{k}->{self.matched[k]} ({v[6:]})" for k, v in fuzzy.items()))
        if self.unmatched:
            parts.append(f"{len(self.unmatched)} unmatched: {', '.join(self.unmatched)}")
        if self.targets_without_source:
            parts.append(f"no data for: {', '.join(self.targets_without_source)}")
        return "; ".join(parts)


def match_area_names(
    names: Iterable[str],
    targets: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    min_score: float = 85.0,
    margin: float = 3.0,
) -> NameMatchReport:
    """Match each source name to one target name: exact, then normalised, then alias, then fuzzy.

    A fuzzy match needs a score of at least `min_score` and must beat the runner-up by `margin` points,
    so an ambiguous name is reported unmatched rather than guessed.
    """
    target_list = list(dict.fromkeys(str(t) for t in targets))
    by_norm: dict[str, str] = {}
    for t in target_list:
        for key in {normalise_name(t), normalise_name(t, keep_parenthetical=False)}:
            by_norm.setdefault(key, t)
    alias_norm = {normalise_name(k): v for k, v in (aliases or {}).items()}
    norm_keys = list(by_norm)
    matched: dict[str, str] = {}
    method: dict[str, str] = {}
    unmatched: list[str] = []
    for raw in dict.fromkeys(str(n) for n in names):
        n_full, n_bare = normalise_name(raw), normalise_name(raw, keep_parenthetical=False)
        if raw in target_list:
            matched[raw], method[raw] = raw, "exact"
        elif n_full in by_norm or n_bare in by_norm:
            matched[raw], method[raw] = by_norm.get(n_full) or by_norm[n_bare], "normalised"
        elif n_full in alias_norm and alias_norm[n_full] in target_list:
            matched[raw], method[raw] = alias_norm[n_full], "alias"
        else:
            best = process.extract(n_bare, norm_keys, scorer=fuzz.ratio, limit=5)
            # Several normalised keys may point at one target; rank distinct targets only.
            seen: dict[str, float] = {}
            for key, score, _ in best:
                seen.setdefault(by_norm[key], score)
            ranked = sorted(seen.items(), key=lambda kv: -kv[1])
            clear = len(ranked) == 1 or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] >= margin)
            if ranked and ranked[0][1] >= min_score and clear:
                matched[raw], method[raw] = ranked[0][0], f"fuzzy:{ranked[0][1]:.0f}"
            else:
                unmatched.append(raw)
    used = set(matched.values())
    inverse: dict[str, list[str]] = {}
    for src, tgt in matched.items():
        inverse.setdefault(tgt, []).append(src)
    return NameMatchReport(
        matched=matched, method=method, unmatched=unmatched,
        targets_without_source=[t for t in target_list if t not in used],
        collisions={t: s for t, s in inverse.items() if len(s) > 1},
    )


# ---- districts -> admin-1 ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DistrictMatch:
    """District rows matched to admin-1 units, with the districts that could not be placed."""

    frame: pd.DataFrame  # input rows with a `unit` column (NaN where unmatched)
    by_admin1: NameMatchReport
    by_district: NameMatchReport | None
    unmatched_districts: list[str]  # "ADM1 / ADM2" labels

    def summary(self) -> str:
        if not self.unmatched_districts:
            return "all districts matched to an admin-1 unit"
        return f"{len(self.unmatched_districts)} district(s) unmatched: {', '.join(self.unmatched_districts)}"


def match_districts(
    frame: pd.DataFrame,
    unit_names: Sequence[str],
    *,
    admin1_col: str = "adm1_name",
    district_col: str = "adm2_name",
    aliases: Mapping[str, str] | None = None,
) -> DistrictMatch:
    """Place districts in admin-1 units by their admin-1 name, falling back to the district's own name
    (for sources whose admin-1 level is finer or coarser than Natural Earth's)."""
    for col in (admin1_col, district_col):
        if col not in frame.columns:
            raise DataError("districts", "required column is missing", column=col)
    pairs = frame[[admin1_col, district_col]].drop_duplicates()
    rep1 = match_area_names(pairs[admin1_col], unit_names, aliases)
    unit = pairs[admin1_col].map(rep1.matched)
    rep2 = None
    left = pairs[unit.isna()]
    if len(left):
        rep2 = match_area_names(left[district_col], unit_names, aliases)
        unit = unit.fillna(pairs[district_col].map(rep2.matched))
    pairs = pairs.assign(unit=unit.to_numpy())
    out = frame.merge(pairs, on=[admin1_col, district_col], how="left")
    bad = pairs[pairs["unit"].isna()]
    labels = sorted(f"{a} / {d}" for a, d in zip(bad[admin1_col], bad[district_col], strict=True))
    return DistrictMatch(frame=out, by_admin1=rep1, by_district=rep2, unmatched_districts=labels)


def districts_to_admin1(
    frame: pd.DataFrame,
    value_cols: Sequence[str],
    by: Sequence[str] = ("year",),
    weight_col: str | None = None,
) -> pd.DataFrame:
    """Mean of district values per unit (weighted by `weight_col` when given), with `n_districts`.

    Rows without a `unit` (unmatched districts) are left out here; `match_districts` reports them.
    """
    data = frame[frame["unit"].notna()]
    keys = ["unit", *by]
    if weight_col is None:
        out = data.groupby(keys, as_index=False)[list(value_cols)].mean()
    else:
        w = data[weight_col].astype(float)
        num = data[list(value_cols)].mul(w, axis=0).assign(**{k: data[k] for k in keys})
        den = data[list(value_cols)].notna().mul(w, axis=0).assign(**{k: data[k] for k in keys})
        out = num.groupby(keys).sum() / den.groupby(keys).sum()
        out = out.reset_index()
    counts = data.groupby(keys).size().rename("n_districts").reset_index()
    return out.merge(counts, on=keys)


# ---- grid cells -> admin-1 ---------------------------------------------------------------------------
def cell_unit_weights(units: gpd.GeoDataFrame, gids: Iterable[int] | None = None) -> pd.DataFrame:
    """Area of each (cell, unit) intersection: columns gid, code, area_km2, cell_share (of the cell's area).

    Without `gids`, every cell touching the units' bounds is considered.
    """
    from tocsin.geo.units import cells_in_bounds

    if gids is None:
        gids = cells_in_bounds(*units.total_bounds)
    cells = cell_polygons(np.fromiter(gids, dtype="int64"))
    cells_ea = cells.to_crs(EQUAL_AREA)
    cells_ea["cell_km2"] = cells_ea.area / 1e6
    units_ea = units[["code", "geometry"]].to_crs(EQUAL_AREA)
    inter = gpd.overlay(cells_ea[["gid", "cell_km2", "geometry"]], units_ea, how="intersection",
                        keep_geom_type=True)
    inter["area_km2"] = inter.area / 1e6
    inter = inter[inter["area_km2"] > 0]
    out = inter.groupby(["gid", "code"], as_index=False).agg(area_km2=("area_km2", "sum"),
                                                               cell_km2=("cell_km2", "first"))
    out["cell_share"] = out["area_km2"] / out["cell_km2"]
    return out.drop(columns="cell_km2")


def grid_to_admin1(
    values: pd.DataFrame,
    weights: pd.DataFrame,
    value_cols: Sequence[str],
    by: Sequence[str] = (),
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Weighted mean of cell values per unit: area-weighted, or population-weighted when `population`
    (indexed by gid, people per cell, assumed uniform within the cell) is given.

    Missing cell values carry no weight; `coverage` is the share of the unit's weight that had data.
    """
    if "gid" not in values.columns:
        raise DataError("grid values", "required column is missing", column="gid")
    w = weights[["gid", "code", "area_km2", "cell_share"]].copy()
    if population is not None:
        pop = w["gid"].map(population).astype(float)
        w["w"] = pop.fillna(0.0) * w["cell_share"]
    else:
        w["w"] = w["area_km2"]
    merged = w.merge(values, on="gid", how="inner")
    keys = ["code", *by]
    parts = []
    for col in value_cols:
        has = merged[col].notna()
        num = (merged[col].where(has, 0.0) * merged["w"]).groupby([merged[k] for k in keys]).sum()
        den = merged["w"].where(has, 0.0).groupby([merged[k] for k in keys]).sum()
        parts.append((num / den.replace(0.0, np.nan)).rename(col))
    total_w = w.groupby("code")["w"].sum()
    out = pd.concat(parts, axis=1).reset_index()
    has_any = merged[list(value_cols)].notna().any(axis=1)
    got = merged["w"].where(has_any, 0.0).groupby([merged[k] for k in keys]).sum()
    got = got.rename("_got").reset_index()
    out = out.merge(got, on=keys)
    out["coverage"] = out["_got"] / out["code"].map(total_w).replace(0.0, np.nan)
    return out.drop(columns="_got")


# ---- point events ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointAssignment:
    frame: pd.DataFrame  # input rows plus `unit` (code or NaN), `unit_method`, `gid`
    outside: int  # events in no unit even with the tolerance

    def summary(self) -> str:
        near = int((self.frame["unit_method"] == "nearest").sum())
        return f"{len(self.frame) - self.outside} placed ({near} by nearest unit within tolerance); " \
               f"{self.outside} outside every unit"


def assign_points(
    frame: pd.DataFrame,
    units: gpd.GeoDataFrame,
    *,
    lat: str = "latitude",
    lon: str = "longitude",
    tolerance_km: float = 10.0,
) -> PointAssignment:
    """Place each point in the admin-1 unit containing it and in its PRIO-GRID cell.

    A point just outside every polygon (coastlines and borders are simplified) goes to the nearest unit
    within `tolerance_km`, marked `nearest`; points farther out stay unassigned and are counted.
    """
    for col in (lat, lon):
        if col not in frame.columns:
            raise DataError("events", "required column is missing", column=col)
    pts = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=gpd.points_from_xy(frame[lon], frame[lat]),
                           crs="EPSG:4326")
    joined = gpd.sjoin(pts, units[["code", "geometry"]], how="left", predicate="within")
    # A point on a shared border can fall in two units: keep the first, deterministically.
    joined = joined[~joined.index.duplicated(keep="first")]
    unit = joined["code"].reindex(pts.index)
    method = pd.Series(np.where(unit.notna(), "within", None), index=pts.index, dtype=object)
    miss = unit.isna()
    if miss.any():
        far = gpd.sjoin_nearest(pts[miss].to_crs(EQUAL_AREA), units[["code", "geometry"]].to_crs(EQUAL_AREA),
                                how="left", max_distance=tolerance_km * 1000.0)
        far = far[~far.index.duplicated(keep="first")]
        got = far["code"].dropna()
        unit.loc[got.index] = got
        method.loc[got.index] = "nearest"
    out = pd.DataFrame(pts.drop(columns="geometry"))
    out["unit"] = unit.to_numpy()
    out["unit_method"] = method.to_numpy()
    out["gid"] = priogrid_gid(out[lat].to_numpy(), out[lon].to_numpy())
    return PointAssignment(frame=out, outside=int(out["unit"].isna().sum()))


def events_by_unit(
    assigned: pd.DataFrame, value: str, by: Sequence[str] = ("year",), key: str = "unit",
) -> pd.DataFrame:
    """Sum of `value` and count of events per unit (or per cell with key='gid') and period."""
    data = assigned[assigned[key].notna()]
    return data.groupby([key, *by], as_index=False).agg(events=(value, "size"), total=(value, "sum"))
