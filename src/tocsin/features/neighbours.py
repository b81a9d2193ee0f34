"""Neighbours from Natural Earth admin-0 polygons, and exposure to what happens next door.

Two states are neighbours when their polygons are within NEIGHBOUR_MAX_KM of each other: a shared land border
(distance 0 at 1:50m; a few km of generalisation error included) or a narrow sea. 100 km is fixed a priori
(between contiguity and the 150-400 mile water contiguity of the COW data), never tuned on outcomes.
Borders are today's: dissolved states (e.g. Yugoslavia before 1992) have no polygon and so no neighbours.
"""

from __future__ import annotations

import math

import pandas as pd
import shapely
from shapely import STRtree
from shapely.ops import nearest_points

NEIGHBOUR_MAX_KM = 100.0
_EARTH_KM = 6371.0088


def _haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def adjacency(boundaries: pd.DataFrame, max_km: float = NEIGHBOUR_MAX_KM) -> pd.DataFrame:
    """(iso3_a, iso3_b, distance_km, contiguous) for every pair of units within `max_km`, both directions.

    `boundaries` has columns iso3 and wkt (table ne_admin0_50m); units sharing an iso3 (a state and the
    breakaway area drawn apart) are merged first. Distance is the great-circle distance between the nearest
    points of the two polygons (nearest in degrees: exact for touching units, close enough at 100 km).
    """
    geoms = shapely.from_wkt(boundaries["wkt"].to_numpy())
    merged = pd.Series(list(geoms), index=boundaries["iso3"].to_numpy()).groupby(level=0).agg(
        lambda g: shapely.union_all(list(g)))
    codes = merged.index.to_list()
    polys = list(merged.to_numpy())
    tree = STRtree(polys)
    margin = max_km / 111.0 * 3  # degrees; generous at high latitudes, then the exact distance filters
    rows = []
    for i, poly in enumerate(polys):
        for j in tree.query(shapely.buffer(shapely.envelope(poly), margin)):
            if j <= i:
                continue
            other = polys[j]
            if poly.intersects(other):
                dist = 0.0
            else:
                a, b = nearest_points(poly, other)
                dist = _haversine_km(a.x, a.y, b.x, b.y)
            if dist <= max_km:
                rows.append((codes[i], codes[j], dist))
    pairs = pd.DataFrame(rows, columns=["iso3_a", "iso3_b", "distance_km"])
    swapped = pairs.rename(columns={"iso3_a": "iso3_b", "iso3_b": "iso3_a"})
    both = pd.concat([pairs, swapped], ignore_index=True)
    both["contiguous"] = both["distance_km"] <= 5.0  # land border at 1:50m generalisation
    return both.sort_values(["iso3_a", "iso3_b"]).reset_index(drop=True)


def neighbour_exposure(
    pairs: pd.DataFrame, values: pd.DataFrame, spec: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """Aggregate neighbours' values in the same year.

    `pairs`: (ccode, nb_ccode); `values`: (ccode, year, columns...) of every state with data that year;
    `spec`: output -> (column, how) with how in {"any", "share", "sum", "count"}. A neighbour without a row
    that year (not yet independent, or no data) is left out of the denominator; a state whose neighbours all
    lack data gets NaN; a state with no neighbour at all gets 0 (no exposure).
    """
    vals = values.rename(columns={"ccode": "nb_ccode"})
    joined = pairs.merge(vals, on="nb_ccode", how="inner")
    out = {}
    for name, (col, how) in spec.items():
        if how in ("any", "share"):
            flag = (joined[col] > 0).astype(float).where(joined[col].notna())
            g = flag.groupby([joined["ccode"], joined["year"]])
            out[name] = g.max() if how == "any" else g.mean()
        elif how == "sum":
            out[name] = joined.groupby(["ccode", "year"])[col].sum(min_count=1)
        elif how == "count":
            out[name] = joined.groupby(["ccode", "year"])[col].count().astype(float)
        else:
            raise ValueError(f"unknown aggregation {how!r}")
    return pd.DataFrame(out).reset_index()
