"""Maps drawn as inline SVG from boundary polygons: no tiles, no scripts, so pages and briefs work offline.

World maps use an equirectangular projection of the Natural Earth admin-0 polygons (simplified for size);
country maps fit the admin-1 units of one country into the frame.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

# Colour bins for a 2-year onset risk (ColorBrewer YlOrRd, 7 classes); base rates are ~1-2% a year.
RISK_BINS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.04, 0.08, 0.16)
RISK_COLOURS: tuple[str, ...] = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")
SCORE_BINS: tuple[float, ...] = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)  # 0-1 vulnerability scores
NO_DATA = "#d9d9d9"


def colour(value: float | None, bins: tuple[float, ...] = RISK_BINS) -> str:
    if value is None or value != value:  # NaN
        return NO_DATA
    return RISK_COLOURS[int(np.searchsorted(bins, value, side="right"))]


def legend(bins: tuple[float, ...] = RISK_BINS, percent: bool = True) -> list[tuple[str, str]]:
    """(colour, label) for each class, for a legend beside the map."""
    fmt = (lambda v: f"{100 * v:g}%") if percent else (lambda v: f"{v:g}")
    labels = [f"< {fmt(bins[0])}"]
    labels += [f"{fmt(a)}-{fmt(b)}" for a, b in itertools.pairwise(bins)]
    labels.append(f"≥ {fmt(bins[-1])}")
    return list(zip(RISK_COLOURS, labels, strict=True))


@dataclass(frozen=True)
class Shape:
    key: str
    name: str
    path: str  # SVG path data, already projected


def _ring(coords: np.ndarray, project: object) -> str:
    xy = project(coords)  # type: ignore[operator]
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    return f"M{pts}Z"


def _path(geom: BaseGeometry, project: object) -> str:
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        parts.append(_ring(np.asarray(poly.exterior.coords), project))
        parts.extend(_ring(np.asarray(r.coords), project) for r in poly.interiors)
    return "".join(parts)


WORLD_W, WORLD_H = 960.0, 470.0  # longitudes -180..180, latitudes 85..-60 (Antarctica cropped)
_LAT_TOP, _LAT_BOTTOM = 85.0, -60.0


def _world_project(coords: np.ndarray) -> np.ndarray:
    x = (coords[:, 0] + 180.0) * WORLD_W / 360.0
    y = (_LAT_TOP - np.clip(coords[:, 1], _LAT_BOTTOM, _LAT_TOP)) * WORLD_H / (_LAT_TOP - _LAT_BOTTOM)
    return np.column_stack([x, y])


def world_shapes(boundaries: pd.DataFrame, tolerance: float = 0.15) -> list[Shape]:
    """One projected shape per admin-0 unit (iso3, name, wkt columns); Antarctica left out."""
    out = []
    for r in boundaries.itertuples(index=False):
        if r.iso3 == "ATA":
            continue
        geom = shapely.from_wkt(r.wkt).simplify(tolerance, preserve_topology=True)
        path = _path(geom, _world_project)
        if path:
            out.append(Shape(str(r.iso3), str(r.name), path))
    return out


def world_svg(shapes: Iterable[Shape], values: Mapping[str, float | None], titles: Mapping[str, str],
              hrefs: Mapping[str, str], highlight: Iterable[str] = (), css_class: str = "worldmap") -> str:
    """A choropleth: each shape filled by `values[key]`, linked to `hrefs[key]`, with a hover title."""
    marked = set(highlight)
    body = []
    for s in shapes:
        v = values.get(s.key)
        fill = colour(v)
        title = html.escape(titles.get(s.key, s.name))
        cls = "c hl" if s.key in marked else "c"
        el = (f'<path class="{cls}" d="{s.path}" fill="{fill}" data-iso3="{html.escape(s.key)}" '
              f'fill-rule="evenodd"><title>{title}</title></path>')
        href = hrefs.get(s.key)
        body.append(f'<a href="{html.escape(href)}" aria-label="{title}">{el}</a>' if href else el)
    return (f'<svg class="{css_class}" viewBox="0 0 {WORLD_W:.0f} {WORLD_H:.0f}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" aria-label="World map of risk">'
            f'<rect width="100%" height="100%" fill="#eef3f8"/>{"".join(body)}</svg>')


def area_svg(units: pd.DataFrame, values: Mapping[str, float | None], titles: Mapping[str, str],
             width: float = 480.0, bins: tuple[float, ...] = SCORE_BINS, labels: Mapping[str, str] | None = None,
             tolerance: float = 0.01) -> str:
    """Admin-1 units (code, geometry columns; lon/lat) fitted into `width`, filled by value on `bins`."""
    geoms = [g.simplify(tolerance, preserve_topology=True) for g in units["geometry"]]
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(geoms, dtype=object))
    # Shrink longitudes by cos(latitude) so countries far from the equator keep their shape.
    kx = float(np.cos(np.radians((miny + maxy) / 2)))
    span_x, span_y = max((maxx - minx) * kx, 1e-6), max(maxy - miny, 1e-6)
    scale = width / span_x
    height = span_y * scale

    def project(c: np.ndarray) -> np.ndarray:
        return np.column_stack([(c[:, 0] - minx) * kx * scale, (maxy - c[:, 1]) * scale])

    body = []
    for code, geom in zip(units["code"], geoms, strict=True):
        key = str(code)
        fill = colour(values.get(key), bins)
        title = html.escape(titles.get(key, key))
        body.append(f'<path d="{_path(geom, project)}" fill="{fill}" stroke="#555" stroke-width="0.6" '
                    f'fill-rule="evenodd" data-code="{html.escape(key)}"><title>{title}</title></path>')
    for code, geom in zip(units["code"], geoms, strict=True):
        text = (labels or {}).get(str(code))
        if text:
            pt = geom.representative_point()
            x, y = project(np.array([[pt.x, pt.y]]))[0]
            body.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{max(9.0, width / 45):.0f}" '
                        f'text-anchor="middle" class="lbl">{html.escape(text)}</text>')
    return (f'<svg class="areamap" viewBox="-4 -4 {width + 8:.0f} {height + 8:.0f}" '
            f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Subnational map">{"".join(body)}</svg>')
