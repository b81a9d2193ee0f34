"""Risk API: the ranked table by year and region (JSON page, CSV, Parquet, GeoJSON), years, track record."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pandas as pd
import shapely
from fastapi import APIRouter, Query
from pydantic import BaseModel

from tocsin.reports import dossier
from tocsin.reports.dossier import REGIONS, DataContext
from tocsin.web.deps import (
    DOWNLOADS,
    ERRORS,
    CtxDep,
    ForecastCtx,
    GeoFormat,
    Limit,
    NoResults,
    Offset,
    Page,
    TocsinRoute,
    download,
    geojson_response,
    page,
    records,
)

router = APIRouter(prefix="/api", tags=["risk"], route_class=TocsinRoute, responses=ERRORS)

Region = Literal[
    "Sub-Saharan Africa",
    "Americas",
    "East Asia and Pacific",
    "South and Central Asia",
    "Middle East and North Africa",
    "Europe",
]
assert set(Region.__args__) == set(REGIONS)  # type: ignore[attr-defined]  # kept in step with the dossier
Year = Annotated[int | None, Query(ge=1900, le=2100, description="Forecast year (default: the latest)")]


class RiskRow(BaseModel):
    ccode: int
    iso3: str | None
    name: str
    region: str | None
    year: int
    risk: float
    rank: int
    risk_1yr: float | None = None
    onset: float | None = None
    ewp_risk: float | None = None
    ewp_rank: float | None = None
    kind: str


class Credit(BaseModel):
    publisher: str
    licence: str
    citation: str


class YearsOut(BaseModel):
    model: str | None
    base_year: int | None
    forecast_year: int | None
    years: list[int]
    regions: list[str]
    credits: list[Credit]


class TrackRecordOut(BaseModel):
    model: str
    spec: dict[str, Any]
    metrics: dict[str, Any]
    ewp_published_metrics: dict[str, Any]
    difference_vs_ewp: dict[str, Any]
    per_year: list[dict[str, Any]]


class TrackYearOut(BaseModel):
    year: int
    k: int
    ranked: int
    onsets: int
    caught: int
    top: list[RiskRow]
    onset_rows: list[RiskRow]
    misses: list[RiskRow]


@router.get("/risk/years", response_model=YearsOut)
def risk_years(ctx: CtxDep) -> dict[str, Any]:
    """Which years the ranked table covers (backtest years and the latest forecast), regions, and credits."""
    meta = ctx.forecast_meta()
    return {
        "model": ctx.model,
        "base_year": meta["base_year"] if meta else None,
        "forecast_year": ctx.forecast_year,
        "years": dossier.years(ctx),
        "regions": list(REGIONS),
        "credits": dossier.credits(ctx),
    }


@router.get("/risk", response_model=Page[RiskRow], responses=DOWNLOADS)
def risk(
    ctx: ForecastCtx,
    year: Year = None,
    region: Region | None = None,
    limit: Limit = 200,
    offset: Offset = 0,
    format: GeoFormat = "json",
) -> Any:
    """Countries ranked by the risk of a new state-led mass-killing onset within two years.

    Past years are the walk-forward backtest (with the onset that followed); the latest year is the forecast,
    beside EWP's published one. `format=geojson` joins the rows to Natural Earth country polygons.
    """
    table = dossier.risk_table(ctx, year, region)
    stem = f"risk_{int(table['year'].iloc[0]) if len(table) else year}"
    if format == "geojson":
        return geojson_response(risk_geojson(ctx, table), stem)
    if format != "json":
        return download(table, format, stem)
    return page(table, limit, offset)


def risk_geojson(ctx: DataContext, table: pd.DataFrame) -> dict[str, Any]:
    bounds = ctx.boundaries()
    if bounds is None:
        raise NoResults("no country boundaries in the warehouse: run `tocsin data pull`")
    rows = {r["iso3"]: r for r in records(table) if r["iso3"]}
    feats = []
    for b in bounds.itertuples(index=False):
        props = rows.get(b.iso3)
        if props is None:
            continue
        geom = shapely.from_wkt(b.wkt).simplify(0.05, preserve_topology=True)
        feats.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))})
    return {
        "type": "FeatureCollection",
        "features": feats,
        "tocsin": {
            "credits": dossier.credits(ctx),
            "unmapped": sorted(set(rows) - {f["properties"]["iso3"] for f in feats}),
        },
    }


@router.get("/track-record", response_model=TrackRecordOut)
def track_record(ctx: ForecastCtx) -> dict[str, Any]:
    """The model's 1994-on backtest scored beside EWP's published forecasts on the same rows."""
    tr = ctx.track_record()
    if tr is None:
        raise NoResults("no saved track record: run `tocsin forecast` (with --track-record)")
    return {k: tr[k] for k in TrackRecordOut.model_fields}


@router.get("/track-record/{year}", response_model=TrackYearOut)
def track_record_year(ctx: ForecastCtx, year: int, k: Annotated[int, Query(ge=1, le=200)] = 30) -> dict[str, Any]:
    """One past year: the top k, the onsets that followed, and the onsets outside the top k (misses)."""
    return track_year(ctx, year, k)


def track_year(ctx: DataContext, year: int, k: int = 30) -> dict[str, Any]:
    if year == ctx.forecast_year:
        raise NoResults(f"{year} is the forecast year: its onsets are not known yet")
    table = dossier.risk_table(ctx, year)
    onsets = table[table["onset"] == 1]
    top = table[table["rank"] <= k]
    misses = onsets[onsets["rank"] > k]
    return {
        "year": year,
        "k": k,
        "ranked": len(table),
        "onsets": len(onsets),
        "caught": len(onsets) - len(misses),
        "top": records(top),
        "onset_rows": records(onsets),
        "misses": records(misses),
    }

