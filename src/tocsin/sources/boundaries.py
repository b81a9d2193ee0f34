"""Country boundaries: Natural Earth admin-0 polygons (1:50m, 7z-compressed GeoJSON), stored as one row
per admin-0 unit with its codes and its geometry as WKT (the features layer computes neighbours from them)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pandas as pd
from shapely.geometry import shape

from tocsin.core.errors import DataError, SchemaError
from tocsin.sources.base import Schema, Source

NE_REPO = "https://raw.githubusercontent.com/martynafford/natural-earth-geojson/0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e/"
PUBLISHER = "Natural Earth (via martynafford/natural-earth-geojson)"
LICENCE = "Public domain (Natural Earth)"
CITATION = "Natural Earth. Free vector and raster map data @ naturalearthdata.com (Admin 0 - Countries, v5)"

# Breakaway areas Natural Earth draws apart belong, for state-level features, to the state they are part of
# (Gleditsch-Ward lists no such state). Their original code stays in `adm0_a3`.
PART_OF: dict[str, str] = {"SOL": "SOM", "CYN": "CYP"}

_COLUMNS = ["iso3", "adm0_a3", "name", "sovereignt", "type", "continent", "wkt"]


def _features_to_frame(doc: dict, file: str) -> pd.DataFrame:
    feats = doc.get("features")
    if not isinstance(feats, list) or not feats:
        raise DataError(file, "GeoJSON holds no features")
    rows = []
    for i, feat in enumerate(feats):
        props = feat.get("properties") or {}
        for key in ("ISO_A3", "ADM0_A3", "NAME"):
            if key not in props:
                raise SchemaError(file, f"feature {i} lacks property {key}", column=key)
        if feat.get("geometry") is None:
            raise DataError(file, f"feature {i} ({props['NAME']}) has no geometry")
        adm0 = str(props["ADM0_A3"])
        # ISO_A3 is -99 for France, Norway, Kosovo and breakaway areas: ADM0_A3 then names the unit.
        iso3 = str(props["ISO_A3"]) if str(props["ISO_A3"]) != "-99" else adm0
        rows.append({
            "iso3": PART_OF.get(adm0, iso3), "adm0_a3": adm0, "name": str(props["NAME"]),
            "sovereignt": str(props.get("SOVEREIGNT", "")), "type": str(props.get("TYPE", "")),
            "continent": str(props.get("CONTINENT", "")), "wkt": shape(feat["geometry"]).wkt,
        })
    return pd.DataFrame(rows, columns=_COLUMNS)


def geojson_7z_parser(content: bytes, file: str) -> pd.DataFrame:
    """A .7z holding one GeoJSON file -> one row per feature (py7zr extracts only to a folder)."""
    import py7zr

    with tempfile.TemporaryDirectory() as tmp:
        try:
            with py7zr.SevenZipFile(io.BytesIO(content)) as archive:
                names = [n for n in archive.getnames() if n.endswith((".json", ".geojson"))]
                if len(names) != 1:
                    raise DataError(file, f"expected one GeoJSON file in the archive, found {names}")
                archive.extractall(path=tmp)
        except (py7zr.exceptions.Bad7zFile, py7zr.exceptions.ArchiveError, EOFError, OSError) as exc:
            raise DataError(file, f"not a readable 7z archive ({exc})") from exc
        text = (Path(tmp) / names[0]).read_bytes()
    return geojson_parser(text, file)


def geojson_parser(content: bytes, file: str) -> pd.DataFrame:
    try:
        doc = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(file, f"not valid GeoJSON ({exc})") from exc
    return _features_to_frame(doc, file)


_SCHEMA = Schema({c: "str" for c in _COLUMNS}, min_rows=150, not_null=("iso3", "adm0_a3", "name", "wkt"))

SOURCES: list[Source] = [
    Source(
        name="ne_admin0_50m", url=NE_REPO + "50m/cultural/ne_50m_admin_0_countries.7z", publisher=PUBLISHER,
        licence=LICENCE, citation=CITATION, parser=geojson_7z_parser, schema=_SCHEMA,
        description="Admin-0 country polygons, 1:50m (codes, names, WKT geometry): neighbours",
        sha256="7517f5200fe765ef549b9d04734867b70e74eb0bf99038872e2f63d7e878e7fe", family="transnational",
        year_column=None,
    ),
]
