"""Readers for global gridded products a user downloads on a connected machine, summarised to PRIO-GRID.

- CHIRPS v2 monthly GeoTIFF (0.05 degree, `chirps-v2.0.YYYY.MM.tif`), read with rasterio;
- SPEIbase NetCDF (0.5 degree, variable `spei`), read with xarray (h5netcdf, or scipy for NetCDF3);
- UCDP GED CSV (the global event file), with its `priogrid_gid` checked against the coordinates.

Each returns a tidy frame keyed by PRIO-GRID `gid` (and year/month), ready for `grid_to_admin1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tocsin.core.errors import DataError, SchemaError
from tocsin.geo.units import NCELLS, priogrid_gid
from tocsin.sources.base import read_csv_strict

_CHIRPS_NAME = re.compile(r"(\d{4})\.(\d{2})\.tif{1,2}(\.gz)?$", re.IGNORECASE)


def pixels_to_cells(values: np.ndarray, lat: np.ndarray, lon: np.ndarray, nodata: float | None = None,
                    ) -> pd.DataFrame:
    """Mean of pixel values per PRIO-GRID cell (by pixel centre): columns gid, value, n_pixels.

    `values` is 2-D (rows x cols); `lat` and `lon` give each row's and column's centre.
    """
    if values.shape != (lat.size, lon.size):
        raise DataError("raster", f"values {values.shape} do not fit {lat.size} rows x {lon.size} columns")
    v = values.astype("float64", copy=False)
    ok = np.isfinite(v)
    if nodata is not None and np.isfinite(nodata):
        ok &= v != nodata
    rr, cc = np.nonzero(ok)
    gids = priogrid_gid(lat[rr], lon[cc])
    sums = np.bincount(gids, weights=v[rr, cc], minlength=NCELLS + 1)
    counts = np.bincount(gids, minlength=NCELLS + 1)
    present = np.flatnonzero(counts)
    return pd.DataFrame({"gid": present.astype("int64"), "value": sums[present] / counts[present],
                         "n_pixels": counts[present].astype("int64")})


def chirps_year_month(path: Path) -> tuple[int, int]:
    m = _CHIRPS_NAME.search(path.name)
    if not m:
        raise DataError(path.name, "cannot read year and month from the name "
                        "(expected chirps-v2.0.YYYY.MM.tif)")
    return int(m.group(1)), int(m.group(2))


def read_chirps_month(path: Path, bounds: tuple[float, float, float, float] | None = None,
                      year: int | None = None, month: int | None = None) -> pd.DataFrame:
    """One CHIRPS monthly GeoTIFF -> gid, year, month, precip_mm (mean of pixels), n_pixels.

    `bounds` (minx, miny, maxx, maxy) reads only that window, so a country needs a few MB of a global file.
    """
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.windows import from_bounds

    if year is None or month is None:
        year, month = chirps_year_month(path)
    try:
        with rasterio.open(path) as src:
            if src.crs is not None and src.crs.to_epsg() not in (4326, None):
                raise DataError(path.name, f"expected a longitude/latitude raster, found {src.crs}")
            window = None
            if bounds is not None:
                window = from_bounds(*bounds, transform=src.transform).round_offsets().round_lengths()
            data = src.read(1, window=window, masked=False)
            transform = src.window_transform(window) if window is not None else src.transform
            nodata = src.nodata
    except RasterioIOError as exc:
        raise DataError(path.name, f"not a readable GeoTIFF ({exc})") from exc
    rows = np.arange(data.shape[0])
    cols = np.arange(data.shape[1])
    lon = transform.c + (cols + 0.5) * transform.a
    lat = transform.f + (rows + 0.5) * transform.e
    inside = (np.abs(lat) <= 90)[:, None] & (np.abs(lon) <= 180)[None, :]
    data = np.where(inside, data.astype("float64"), np.nan)
    cells = pixels_to_cells(data, np.clip(lat, -90, 90), np.clip(lon, -180, 180), nodata)
    # CHIRPS marks ocean with -9999; negative rainfall is never valid.
    cells = cells[cells["value"] >= 0]
    return cells.rename(columns={"value": "precip_mm"}).assign(year=year, month=month)[
        ["gid", "year", "month", "precip_mm", "n_pixels"]]


def read_chirps(paths: Iterable[Path], bounds: tuple[float, float, float, float] | None = None,
                ) -> pd.DataFrame:
    frames = [read_chirps_month(Path(p), bounds) for p in paths]
    if not frames:
        raise DataError("chirps", "no files given")
    return pd.concat(frames, ignore_index=True)


def _open_netcdf(path: Path):  # type: ignore[no-untyped-def]
    import xarray as xr

    errors = []
    for engine in ("h5netcdf", "scipy", "netcdf4"):
        try:
            return xr.open_dataset(path, engine=engine)
        except (ValueError, OSError, ImportError, TypeError) as exc:
            errors.append(f"{engine}: {type(exc).__name__}")
    raise DataError(path.name, "not a readable NetCDF file (" + "; ".join(errors) + ")")


def read_spei(path: Path, variable: str = "spei", bounds: tuple[float, float, float, float] | None = None,
              years: tuple[int, int] | None = None) -> pd.DataFrame:
    """SPEIbase NetCDF -> gid, year, month, <variable>: one row per cell-month with a value."""
    ds = _open_netcdf(Path(path))
    try:
        if variable not in ds.data_vars:
            raise SchemaError(Path(path).name, f"no variable {variable!r} (has {sorted(ds.data_vars)})",
                              column=variable)
        da = ds[variable]
        lat_name = next((d for d in da.dims if d.lower() in ("lat", "latitude", "y")), None)
        lon_name = next((d for d in da.dims if d.lower() in ("lon", "longitude", "x")), None)
        time_name = next((d for d in da.dims if d.lower() in ("time", "t")), None)
        if not (lat_name and lon_name and time_name):
            raise SchemaError(Path(path).name, f"expected time/lat/lon dimensions, found {da.dims}")
        if bounds is not None:
            minx, miny, maxx, maxy = bounds
            lat_vals = da[lat_name].values
            lat_slice = slice(miny, maxy) if lat_vals[0] < lat_vals[-1] else slice(maxy, miny)
            da = da.sel({lat_name: lat_slice, lon_name: slice(minx, maxx)})
        times = pd.to_datetime(da[time_name].values)
        if years is not None:
            keep = (times.year >= years[0]) & (times.year <= years[1])
            da = da.isel({time_name: np.flatnonzero(keep)})
            times = times[keep]
        lat = np.asarray(da[lat_name].values, dtype="float64")
        lon = np.asarray(da[lon_name].values, dtype="float64")
        arr = np.asarray(da.transpose(time_name, lat_name, lon_name).values, dtype="float64")
    finally:
        ds.close()
    frames = []
    for i, t in enumerate(times):
        cells = pixels_to_cells(arr[i], lat, lon)
        frames.append(cells.assign(year=int(t.year), month=int(t.month)).rename(columns={"value": variable}))
    if not frames:
        raise DataError(Path(path).name, "no time steps in the requested years")
    return pd.concat(frames, ignore_index=True)[["gid", "year", "month", variable]]


GED_REQUIRED = {"id": "int", "year": "int", "type_of_violence": "int", "latitude": "number",
                "longitude": "number", "priogrid_gid": "int", "best": "number", "country": "str"}


def read_ged_csv(path: Path) -> pd.DataFrame:
    """UCDP GED CSV (any version from 5.0): checks the columns Tocsin uses and their kinds."""
    from tocsin.sources.base import Schema

    frame = read_csv_strict(Path(path).read_bytes(), Path(path).name)
    Schema(GED_REQUIRED, min_rows=1, not_null=("year", "latitude", "longitude")).check(frame, Path(path).name)
    return frame


def priogrid_mismatches(events: pd.DataFrame) -> pd.DataFrame:
    """Events whose `priogrid_gid` differs from the cell computed from latitude/longitude (empty if none)."""
    computed = priogrid_gid(events["latitude"].to_numpy(), events["longitude"].to_numpy())
    bad = computed != events["priogrid_gid"].to_numpy()
    return events.loc[bad].assign(computed_gid=computed[bad])
