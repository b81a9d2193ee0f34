"""The hotspot choropleth: a PNG with every unit, on a made-up result."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from tocsin.geo.hotspots import HotspotResult, SourceUse
from tocsin.geo.vulnerability import resolve_weights
from tocsin.reports.maps import hotspot_map


def test_map_is_a_png_and_units_without_data_are_drawn(tmp_path: Path) -> None:
    units = gpd.GeoDataFrame({"code": ["A", "B", "C"], "name": ["Alpha", "Beta", "Gamma"]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
    table = pd.DataFrame({"code": ["A", "B", "C"], "name": ["Alpha", "Beta", "Gamma"],
                          "rank": [1.0, 2.0, np.nan], "total": [0.9, 0.1, np.nan]})
    res = HotspotResult(iso3="XXX", country="Testland", year=2000, table=table, units=units,
                        weights=resolve_weights(None), missing={"exposure": "none"}, notes=[],
                        sources=[SourceUse("t", "Test publisher", "CC0", "Test 2000")])
    path = hotspot_map(res, tmp_path / "map.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
