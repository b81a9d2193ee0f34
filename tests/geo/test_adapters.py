"""Readers for CHIRPS GeoTIFF, SPEI NetCDF and UCDP GED CSV, on small files the tests make."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tocsin.core.errors import DataError, SchemaError
from tocsin.geo.adapters import (
    chirps_year_month,
    pixels_to_cells,
    priogrid_mismatches,
    read_chirps,
    read_chirps_month,
    read_ged_csv,
    read_spei,
)
from tocsin.geo.units import priogrid_gid


def _tif(path: Path, data: np.ndarray, west: float, north: float, res: float,
         nodata: float = -9999.0) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1,
                       dtype="float32", crs="EPSG:4326", transform=from_origin(west, north, res, res),
                       nodata=nodata) as dst:
        dst.write(data.astype("float32")[None])
    return path


def test_chirps_pixels_are_averaged_per_prio_grid_cell(tmp_path: Path) -> None:
    # 0.25-degree pixels over 0..1 E, 0..0.5 N: two cells of four pixels each; one ocean pixel.
    data = np.array([[1, 3, 10, 10], [1, 3, 10, -9999]], dtype=float)
    path = _tif(tmp_path / "chirps-v2.0.2008.07.tif", data, west=0.0, north=0.5, res=0.25)
    out = read_chirps_month(path).set_index("gid")
    left, right = int(priogrid_gid(0.25, 0.25)), int(priogrid_gid(0.25, 0.75))
    assert out.loc[left, "precip_mm"] == 2.0 and out.loc[left, "n_pixels"] == 4
    assert out.loc[right, "precip_mm"] == 10.0 and out.loc[right, "n_pixels"] == 3
    assert set(out["year"]) == {2008} and set(out["month"]) == {7}


def test_chirps_window_reads_only_the_requested_bounds(tmp_path: Path) -> None:
    data = np.arange(8, dtype=float).reshape(2, 4)
    path = _tif(tmp_path / "chirps-v2.0.2001.01.tif", data, west=0.0, north=0.5, res=0.25)
    out = read_chirps_month(path, bounds=(0.0, 0.0, 0.5, 0.5))
    assert list(out["gid"]) == [int(priogrid_gid(0.25, 0.25))]
    assert read_chirps([path, path])["gid"].size == 4


def test_chirps_names_without_a_date_and_broken_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="year and month"):
        chirps_year_month(tmp_path / "rain.tif")
    bad = tmp_path / "chirps-v2.0.2001.01.tif"
    bad.write_bytes(b"not a tiff")
    with pytest.raises(DataError, match="GeoTIFF"):
        read_chirps_month(bad)


def test_pixels_to_cells_rejects_mismatched_coordinates() -> None:
    with pytest.raises(DataError):
        pixels_to_cells(np.zeros((2, 2)), np.array([0.1]), np.array([0.1, 0.2]))


def test_spei_netcdf_becomes_one_row_per_cell_month(tmp_path: Path) -> None:
    import xarray as xr

    lat = np.array([0.25, 0.75])
    lon = np.array([10.25, 10.75, 11.25])
    vals = np.arange(12, dtype=float).reshape(2, 2, 3)
    vals[1, 0, 0] = np.nan
    ds = xr.Dataset({"spei": (("time", "lat", "lon"), vals)},
                    coords={"time": pd.date_range("2010-01-01", periods=2, freq="MS"), "lat": lat,
                            "lon": lon})
    path = tmp_path / "spei01.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    out = read_spei(path)
    assert len(out) == 11  # 12 cell-months, one missing
    row = out[(out["gid"] == int(priogrid_gid(0.75, 11.25))) & (out["month"] == 2)]
    assert row["spei"].item() == 11.0
    part = read_spei(path, bounds=(10.0, 0.0, 10.5, 0.5))
    assert set(part["gid"]) == {int(priogrid_gid(0.25, 10.25))}
    with pytest.raises(SchemaError):
        read_spei(path, variable="pdsi")


def test_a_file_that_is_not_netcdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "spei.nc"
    bad.write_text("hello")
    with pytest.raises(DataError, match="NetCDF"):
        read_spei(bad)


def _ged_csv(path: Path, gid_override: int | None = None) -> Path:
    lat, lon = [5.399784, 4.36], [26.486881, 18.55]
    gids = list(priogrid_gid(lat, lon))
    if gid_override is not None:
        gids[1] = gid_override
    pd.DataFrame({"id": [1, 2], "year": [2009, 2013], "type_of_violence": [3, 1], "latitude": lat,
                  "longitude": lon, "priogrid_gid": gids, "best": [21, 4],
                  "country": ["Central African Republic"] * 2}).to_csv(path, index=False)
    return path


def test_ged_csv_is_read_and_its_cells_checked(tmp_path: Path) -> None:
    good = read_ged_csv(_ged_csv(tmp_path / "ged.csv"))
    assert priogrid_mismatches(good).empty
    bad = read_ged_csv(_ged_csv(tmp_path / "ged_bad.csv", gid_override=1))
    mm = priogrid_mismatches(bad)
    assert list(mm["id"]) == [2] and mm["computed_gid"].item() == int(priogrid_gid(4.36, 18.55))


def test_ged_csv_without_coordinates_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    pd.DataFrame({"id": [1], "year": [2000]}).to_csv(path, index=False)
    with pytest.raises(SchemaError, match=r"type_of_violence|latitude"):
        read_ged_csv(path)
