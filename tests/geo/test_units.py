"""PRIO-GRID cell arithmetic and cell geometry."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.core.errors import DataError
from tocsin.geo.units import (
    NCELLS,
    all_cells,
    cell_centroid,
    cell_polygons,
    cells_in_bounds,
    gid_rowcol,
    priogrid_gid,
)


def test_gid_counts_rows_from_south_pole_and_columns_from_dateline() -> None:
    assert priogrid_gid(-89.75, -179.75) == 1
    assert priogrid_gid(-89.75, -179.25) == 2
    assert priogrid_gid(-89.25, -179.75) == 721
    assert priogrid_gid(89.9, 179.9) == NCELLS


def test_gid_of_a_published_ged_event_matches_prio_grid() -> None:
    # UCDP GED event 33542 (Obo, CAR): lat 5.399784, lon 26.486881, priogrid_gid 137213.
    assert int(priogrid_gid(5.399784, 26.486881)) == 137213


def test_points_on_the_north_pole_and_antimeridian_fall_in_the_last_row_and_column() -> None:
    assert priogrid_gid(90.0, 180.0) == NCELLS
    row, _col = gid_rowcol(priogrid_gid(90.0, 0.0))
    assert row == 359


def test_points_off_the_globe_are_rejected_with_a_clear_error() -> None:
    with pytest.raises(DataError, match="outside the globe"):
        priogrid_gid([10.0, 95.0], [0.0, 0.0])
    with pytest.raises(DataError):
        gid_rowcol([0])


def test_centroids_round_trip_to_the_same_cells() -> None:
    gids = np.array([1, 720, 721, 137213, NCELLS])
    lat, lon = cell_centroid(gids)
    assert (priogrid_gid(lat, lon) == gids).all()


def test_cell_polygons_are_half_degree_squares_containing_their_centroid() -> None:
    cells = cell_polygons([137213, 1])
    assert list(cells["gid"]) == [1, 137213]
    for geom, x, y in zip(cells.geometry, cells["xcoord"], cells["ycoord"], strict=True):
        minx, miny, maxx, maxy = geom.bounds
        assert maxx - minx == pytest.approx(0.5) and maxy - miny == pytest.approx(0.5)
        assert minx < x < maxx and miny < y < maxy


def test_cells_in_bounds_cover_the_box() -> None:
    gids = cells_in_bounds(0.1, 0.1, 1.4, 0.9)
    assert len(gids) == 3 * 2
    assert int(priogrid_gid(0.5, 1.2)) in set(gids)


def test_all_cells_is_the_whole_grid() -> None:
    grid = all_cells()
    assert len(grid) == NCELLS == 259_200
    assert grid["gid"].is_unique
