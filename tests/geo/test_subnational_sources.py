"""Subnational source parsers and the on-demand admin-1 fetch (checksum, cache), on small made-up bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tocsin.core.errors import ChecksumError, DataError
from tocsin.sources import subnational as sn
from tocsin.sources.catalog import all_sources
from tocsin.sources.download import mirror_path


def _feature(lat: float, lon: float, **props: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": 1, "year": 2010, "type_of_violence": 3, "priogrid_gid": 137213, "best": 5,
                           "country_id": 482, "where_prec": 1, **props}}


def test_ged_geojson_rows_take_coordinates_from_the_geometry() -> None:
    doc = {"type": "FeatureCollection", "features": [_feature(5.4, 26.49, adm_1="Haut-Mbomou province")]}
    frame = sn.parse_ged_geojson(json.dumps(doc).encode(), "ged.geojson")
    assert frame.loc[0, "latitude"] == 5.4 and frame.loc[0, "longitude"] == 26.49
    assert frame.loc[0, "priogrid_gid"] == 137213


def test_ged_geojson_with_a_non_point_feature_is_rejected() -> None:
    feat = _feature(0, 0)
    feat["geometry"] = {"type": "Polygon", "coordinates": []}
    with pytest.raises(DataError, match="not a point"):
        sn.parse_ged_geojson(json.dumps({"features": [feat]}).encode(), "ged.geojson")
    with pytest.raises(DataError, match="FeatureCollection"):
        sn.parse_ged_geojson(b"[1, 2]", "ged.geojson")


def test_every_subnational_source_is_registered_and_pinned() -> None:
    names = {s.name for s in all_sources()}
    for src in sn.SOURCES:
        assert src.name in names
        assert src.sha256 and len(src.sha256) == 64
    assert {sn.hc_table(v, c) for c in sn.HC_GAUL for v in ("pre", "pdsi")} <= names


def test_admin1_hashes_cover_the_countries_hotspots_use() -> None:
    for iso3 in ("SYR", "CAF", "KEN", "ETH", "SOM", "SOL", "SDN", "NGA"):
        assert sn.admin1_available(iso3)
    assert not sn.admin1_available("XXX")
    with pytest.raises(DataError, match="no Natural Earth admin-1 file"):
        sn.admin1("XXX", mirror=None)


def test_a_tampered_admin1_file_fails_its_checksum_and_is_not_cached(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    path = mirror_path(sn.admin1_url("SYR"), mirror)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError):
        sn.admin1("SYR", mirror, cache)
    assert not any(cache.glob("*")) if cache.exists() else True
