"""Subnational units: admin-1 polygons (Natural Earth) and PRIO-GRID 0.5-degree cells (computed, no file).

PRIO-GRID (Tollefsen, Strand & Buhaug 2012) numbers cells row by row from the south-west corner:
row 0 starts at -90 latitude, column 0 at -180 longitude, and gid = row * 720 + col + 1 (1 ... 259,200).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.sources.subnational import admin1

CELL = 0.5
NCOLS = 720
NROWS = 360
NCELLS = NCOLS * NROWS  # 259,200
EQUAL_AREA = "EPSG:6933"  # World Cylindrical Equal Area: areas and area weights are computed in it


def priogrid_gid(lat: npt.ArrayLike, lon: npt.ArrayLike) -> np.ndarray:
    """PRIO-GRID cell id of each point. A point on a cell edge belongs to the cell north/east of it,
    except at +90 latitude and +180 longitude, which belong to the last row/column."""
    lat_a = np.asarray(lat, dtype="float64")
    lon_a = np.asarray(lon, dtype="float64")
    bad = ~np.isfinite(lat_a) | ~np.isfinite(lon_a) | (np.abs(lat_a) > 90) | (np.abs(lon_a) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError("coordinates", f"{int(bad.sum())} point(s) outside the globe, first "
                        f"lat={lat_a.flat[i]}, lon={lon_a.flat[i]}")
    row = np.minimum(np.floor((lat_a + 90.0) / CELL), NROWS - 1).astype("int64")
    col = np.minimum(np.floor((lon_a + 180.0) / CELL), NCOLS - 1).astype("int64")
    return row * NCOLS + col + 1


def gid_rowcol(gid: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    g = np.asarray(gid, dtype="int64")
    if ((g < 1) | (g > NCELLS)).any():
        raise DataError("priogrid", f"cell id outside 1..{NCELLS}")
    return (g - 1) // NCOLS, (g - 1) % NCOLS


def cell_centroid(gid: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(latitude, longitude) of each cell's centre."""
    row, col = gid_rowcol(gid)
    return -90.0 + (row + 0.5) * CELL, -180.0 + (col + 0.5) * CELL


def cell_polygons(gids: npt.ArrayLike) -> gpd.GeoDataFrame:
    """Square polygons of the given cells (EPSG:4326), with gid, row, col and centroid columns."""
    g = np.unique(np.asarray(gids, dtype="int64"))
    row, col = gid_rowcol(g)
    xmin = -180.0 + col * CELL
    ymin = -90.0 + row * CELL
    geoms = shapely.box(xmin, ymin, xmin + CELL, ymin + CELL)
    return gpd.GeoDataFrame(
        {"gid": g, "row": row, "col": col, "ycoord": ymin + CELL / 2, "xcoord": xmin + CELL / 2},
        geometry=geoms, crs="EPSG:4326",
    )


def cells_in_bounds(minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
    """Ids of every cell that touches the bounding box."""
    r0, r1 = (int(np.floor((v + 90.0) / CELL)) for v in (miny, maxy))
    c0, c1 = (int(np.floor((v + 180.0) / CELL)) for v in (minx, maxx))
    r0, c0 = max(r0, 0), max(c0, 0)
    r1, c1 = min(r1, NROWS - 1), min(c1, NCOLS - 1)
    rows, cols = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
    return (rows * NCOLS + cols + 1).ravel()


def all_cells() -> pd.DataFrame:
    """The whole grid as a frame (gid, row, col, ycoord, xcoord): 259,200 rows, no geometry."""
    gid = np.arange(1, NCELLS + 1, dtype="int64")
    row, col = gid_rowcol(gid)
    return pd.DataFrame({"gid": gid, "row": row, "col": col,
                         "ycoord": -90.0 + (row + 0.5) * CELL, "xcoord": -180.0 + (col + 0.5) * CELL})


def load_admin1(iso3: str, settings: Settings) -> gpd.GeoDataFrame:
    """A country's admin-1 units, fetched through the mirror/network and cached under $TOCSIN_HOME/cache."""
    cache: Path = settings.home / "cache" / "admin1"
    units = admin1(iso3, settings.data_mirror, cache)
    units["area_km2"] = units.to_crs(EQUAL_AREA).area / 1e6
    return units
