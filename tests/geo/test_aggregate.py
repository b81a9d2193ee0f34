"""Aggregation to admin-1: name matching that reports failures, grid weights, point placement."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tocsin.geo.aggregate import (
    assign_points,
    cell_unit_weights,
    districts_to_admin1,
    events_by_unit,
    grid_to_admin1,
    match_area_names,
    match_districts,
    normalise_name,
)
from tocsin.geo.units import priogrid_gid


def _units() -> gpd.GeoDataFrame:
    # West: 0..1 x 0..1 degrees; East: 1..2 x 0..1 degrees.
    return gpd.GeoDataFrame({"code": ["W", "E"], "name": ["West", "East"]},
                            geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")


def test_normalise_name_drops_accents_articles_and_generic_words() -> None:
    assert normalise_name("Ouham-Pendé province") == "ouham pende"
    assert normalise_name("Ar-Raqqa") == "raqqa"
    assert normalise_name("Northern Darfur") == normalise_name("North Darfur")
    assert normalise_name("Homs (Hims)", keep_parenthetical=False) == "homs"


def test_names_match_exactly_normalised_by_alias_or_fuzzily_and_report_the_rest() -> None:
    targets = ["Homs (Hims)", "Rif Dimashq", "Tartus", "Dar`a", "Blue Nile", "White Nile"]
    rep = match_area_names(["Homs", "Rural Damascus", "Tartous", "Dar'a", "Nile", "Atlantis"], targets,
                           aliases={"Rural Damascus": "Rif Dimashq"})
    assert rep.matched == {"Homs": "Homs (Hims)", "Rural Damascus": "Rif Dimashq", "Tartous": "Tartus",
                           "Dar'a": "Dar`a"}
    assert rep.method["Rural Damascus"] == "alias" and rep.method["Tartous"].startswith("fuzzy")
    # "Nile" is as close to Blue Nile as to White Nile: ambiguous, so reported, never guessed.
    assert set(rep.unmatched) == {"Nile", "Atlantis"}
    assert set(rep.targets_without_source) == {"Blue Nile", "White Nile"}
    assert "2 unmatched: Nile, Atlantis" in rep.summary()


def test_two_sources_on_one_target_are_reported_as_a_collision() -> None:
    rep = match_area_names(["Tartous", "Tartus"], ["Tartus"])
    assert rep.collisions == {"Tartus": ["Tartous", "Tartus"]}


def test_districts_fall_back_to_their_own_name_and_unmatched_ones_are_listed() -> None:
    frame = pd.DataFrame({
        "adm1_name": ["West", "West", "Old Province", "Old Province"],
        "adm2_name": ["w1", "w2", "East", "Nowhere"],
        "year": 2000, "value": [1.0, 3.0, 10.0, 99.0],
    })
    dm = match_districts(frame, ["West", "East"])
    assert dm.unmatched_districts == ["Old Province / Nowhere"]
    assert dm.summary() == "1 district(s) unmatched: Old Province / Nowhere"
    agg = districts_to_admin1(dm.frame, ["value"]).set_index("unit")
    assert agg.loc["West", "value"] == 2.0 and agg.loc["West", "n_districts"] == 2
    assert agg.loc["East", "value"] == 10.0


def test_area_weights_split_cells_between_units() -> None:
    w = cell_unit_weights(_units())
    # Each unit is 1x1 degree = four half-degree cells fully inside it.
    assert w.groupby("code").size().to_dict() == {"E": 4, "W": 4}
    assert np.allclose(w["cell_share"], 1.0)


def test_area_and_population_weighting_give_different_means() -> None:
    units = gpd.GeoDataFrame({"code": ["U"]}, geometry=[box(0, 0, 1, 0.5)], crs="EPSG:4326")
    w = cell_unit_weights(units)
    g1, g2 = int(priogrid_gid(0.25, 0.25)), int(priogrid_gid(0.25, 0.75))
    values = pd.DataFrame({"gid": [g1, g2], "rain": [10.0, 20.0]})
    area = grid_to_admin1(values, w, ["rain"])
    assert area["rain"].iloc[0] == pytest.approx(15.0, rel=1e-3)
    pop = grid_to_admin1(values, w, ["rain"], population=pd.Series({g1: 900.0, g2: 100.0}))
    assert pop["rain"].iloc[0] == pytest.approx(11.0)


def test_missing_cell_values_lower_coverage_instead_of_counting_as_zero() -> None:
    units = gpd.GeoDataFrame({"code": ["U"]}, geometry=[box(0, 0, 1, 0.5)], crs="EPSG:4326")
    w = cell_unit_weights(units)
    values = pd.DataFrame({"gid": [int(priogrid_gid(0.25, 0.25)), int(priogrid_gid(0.25, 0.75))],
                           "rain": [10.0, np.nan]})
    out = grid_to_admin1(values, w, ["rain"])
    assert out["rain"].iloc[0] == 10.0 and out["coverage"].iloc[0] == pytest.approx(0.5, rel=1e-3)


def test_points_are_placed_within_near_or_reported_outside() -> None:
    ev = pd.DataFrame({"latitude": [0.5, 0.5, 0.5, 30.0], "longitude": [0.5, 1.5, 2.05, 30.0],
                       "year": 2020, "best": [1, 2, 3, 4]})
    placed = assign_points(ev, _units(), tolerance_km=10)
    assert list(placed.frame["unit"].iloc[:3]) == ["W", "E", "E"]
    assert list(placed.frame["unit_method"].iloc[:3]) == ["within", "within", "nearest"]
    assert placed.outside == 1
    assert list(placed.frame["gid"]) == list(priogrid_gid(ev["latitude"], ev["longitude"]))
    per_unit = events_by_unit(placed.frame, "best").set_index("unit")
    assert per_unit.loc["E", "total"] == 5 and per_unit.loc["E", "events"] == 2
    per_cell = events_by_unit(placed.frame, "best", key="gid")
    assert per_cell["total"].sum() == 10
