"""Country API: lookup, summary, history, drivers and explanations, hotspots, incidents, alerts, prevention,
sources, and a comparison of several countries. Each list is paged (limit/offset, total) or downloadable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Header, HTTPException, Query, Request
from pydantic import BaseModel

from tocsin.core import countries as cc
from tocsin.core.countries import Country
from tocsin.reports import dossier
from tocsin.reports.dossier import DataContext, Section
from tocsin.web.deps import (
    DOWNLOADS,
    ERRORS,
    CountryDep,
    CtxDep,
    ForecastCtx,
    GeoFormat,
    Limit,
    Offset,
    Page,
    TableFormat,
    TocsinRoute,
    download,
    geojson_response,
    page,
    records,
    slug,
)

router = APIRouter(prefix="/api", tags=["countries"], route_class=TocsinRoute, responses=ERRORS)


class CountryOut(BaseModel):
    gwcode: int
    iso3: str | None
    name: str
    display_name: str
    region: str | None


class Current(BaseModel):
    year: int
    risk: float
    rank: int
    of: int
    risk_1yr: float | None
    ewp_risk: float | None
    ewp_rank: float | None
    rank_interval: list[int] | None
    rank_interval_note: str
    previous_risk: float | None
    previous_rank: int | None


class SummaryOut(BaseModel):
    country: CountryOut
    model: str | None
    current: Current | None
    track_record_line: str | None


class HistoryRow(BaseModel):
    year: int
    risk: float | None
    rank: float | None
    onset: float | None
    ewp_risk: float | None
    ewp_rank: float | None
    kind: str


class SectionOut(BaseModel):
    available: bool
    note: str
    data: Any = None
    sources: list[dict[str, Any]] = []


class SectionPage(BaseModel):
    available: bool
    note: str
    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]
    sources: list[dict[str, Any]] = []


class SourceOut(BaseModel):
    source: str
    publisher: str
    licence: str
    citation: str
    address: str | None
    sha256: str | None
    retrieved_at: str | None
    years: str | None
    description: str | None


class CompareItem(BaseModel):
    summary: SummaryOut
    history: list[HistoryRow]


class CompareOut(BaseModel):
    countries: list[CompareItem]


def country_out(ctx: DataContext, c: Country) -> dict[str, Any]:
    return {
        "gwcode": c.gwcode,
        "iso3": c.iso3,
        "name": c.name,
        "display_name": dossier.display(ctx, c.gwcode)[1],
        "region": ctx.regions().get(c.gwcode),
    }


def summary(ctx: DataContext, c: Country) -> dict[str, Any]:
    return {
        "country": country_out(ctx, c),
        "model": ctx.model,
        "current": dossier.current(ctx, c.gwcode),
        "track_record_line": dossier.track_record_line(ctx),
    }


def _section_page(sec: Section, limit: int, offset: int, frame: pd.DataFrame | None = None) -> dict[str, Any]:
    rows = frame if frame is not None else pd.DataFrame(sec.data or [])
    return {"available": sec.available, "note": sec.note, **page(rows, limit, offset), "sources": sec.sources}


@router.get("/countries", response_model=Page[CountryOut])
def list_countries(
    ctx: CtxDep, q: Annotated[str | None, Query(max_length=100)] = None, limit: Limit = 200, offset: Offset = 0
) -> dict[str, Any]:
    """Countries in the latest forecast (else every state existing today), optionally filtered by name."""
    names = ctx.names()
    codes = sorted(names) if names else [c.gwcode for c in cc.countries_in(2024)]
    rows = []
    for code in codes:
        c = cc.by_gwcode(code)
        if c is None:
            continue
        row = country_out(ctx, c)
        if q and q.casefold() not in f"{row['name']} {row['display_name']} {row['iso3']}".casefold():
            continue
        rows.append(row)
    rows.sort(key=lambda r: r["display_name"])
    return page(pd.DataFrame(rows, columns=list(CountryOut.model_fields)), limit, offset)


@router.get("/lookup", response_model=CountryOut)
def lookup(ctx: CtxDep, q: Annotated[str, Query(min_length=1, max_length=100)]) -> dict[str, Any]:
    """Resolve a name, a common variant, ISO3/ISO2 or a GW/COW code; 404 lists close matches."""
    return country_out(ctx, dossier.resolve(q))


@router.get("/countries/{country}", response_model=SummaryOut)
def country_summary(ctx: CtxDep, c: CountryDep) -> dict[str, Any]:
    """Latest risk, rank among all countries, change since last year, and the track record in one line."""
    return summary(ctx, c)


@router.get("/countries/{country}/history", response_model=list[HistoryRow], responses=DOWNLOADS)
def country_history(ctx: CtxDep, c: CountryDep, format: TableFormat = "json") -> Any:
    """Risk and rank every year: the backtest (with onsets and EWP's published figures), then the forecast."""
    frame = dossier.history(ctx, c.gwcode)
    if format != "json":
        return download(frame, format, f"history_{slug(c.name)}")
    return records(frame)


@router.get("/countries/{country}/drivers", response_model=SectionOut)
def country_drivers(ctx: CtxDep, c: CountryDep) -> dict[str, Any]:
    """The top drivers of the latest risk and what changed most since the year before."""
    return dossier.drivers(ctx, c.gwcode).__dict__


@router.get("/countries/{country}/explanations", response_model=SectionPage, responses=DOWNLOADS)
def country_explanations(
    ctx: CtxDep,
    c: CountryDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
    format: TableFormat = "json",
) -> Any:
    """Every saved per-feature contribution for the country (all years, or one), largest first."""
    ex = ctx.explanations()
    if ex is None:
        frame = pd.DataFrame(
            columns=[
                "ccode",
                "year",
                "feature",
                "label",
                "family",
                "un_factors",
                "value",
                "contribution",
                "contribution_change",
            ]
        )
        sec = Section(False, "No explanations saved yet (the forecast run writes them when the model supports it).")
    else:
        frame = ex[ex["ccode"].astype(int) == c.gwcode]
        if year is not None:
            frame = frame[frame["year"].astype(int) == year]
        frame = (
            frame.assign(_abs=frame["contribution"].abs())
            .sort_values(["year", "_abs"], ascending=[False, False])
            .drop(columns="_abs")
        )
        sec = Section(
            True, "Per-feature contributions to the risk score (log-odds), with the change since the previous year."
        )
    if format != "json":
        return download(frame, format, f"explanations_{slug(c.name)}")
    return _section_page(sec, limit, offset, frame)


@router.get("/countries/{country}/hotspots", response_model=SectionPage, responses=DOWNLOADS)
def country_hotspots(
    ctx: CtxDep,
    c: CountryDep,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
    format: GeoFormat = "json",
) -> Any:
    """Subnational hotspots: admin-1 areas ranked by vulnerability, with components (GeoJSON for maps)."""
    sec = dossier.hotspots(ctx, c.iso3, year)
    if not sec.available:
        if format == "geojson":
            return geojson_response(
                {"type": "FeatureCollection", "features": [], "tocsin": {"available": False, "note": sec.note}},
                f"hotspots_{c.iso3}",
            )
        frame = pd.DataFrame()
    else:
        if format == "geojson":
            return geojson_response(sec.data.to_geojson(), f"hotspots_{c.iso3}_{sec.data.year}")
        frame = hotspot_frame(sec.data)
    if format != "json":
        return download(frame, format, f"hotspots_{c.iso3}")
    return _section_page(sec, limit, offset, frame)


def hotspot_frame(res: Any) -> pd.DataFrame:
    drop = [col for col in res.table.columns if col.startswith("raw_")]
    return res.table.drop(columns=drop).assign(year=res.year)


def monitor_token(request: Request, authorization: str | None, required: bool = True) -> str | None:
    """The monitoring API token sent with a dashboard request (None when there is none and none is required).

    Monitoring data follows the monitor's roles: no token is a 401 here, never a quiet "trusted" read.
    """
    from tocsin.web.routes.monitor import bearer

    token = bearer(authorization)
    if token is None and required:
        raise HTTPException(401, "monitoring data needs an analyst's or admin's API token "
                                 "('Authorization: Bearer <token>')", headers={"WWW-Authenticate": "Bearer"})
    return token


def monitor_section(request: Request, load: Callable[[], Section]) -> Section:
    """Run a dossier read that checks a token; a bad token is 401, a role without the right 403."""
    from tocsin.monitor.errors import AuthError, PermissionDenied

    limiter, client = request.app.state.limiter, request.client.host if request.client else "unknown"
    limiter.before_bearer(client)
    try:
        return load()
    except AuthError as exc:
        limiter.bearer_failed(client)
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
    except PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from exc


MONITOR_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid monitoring API token"},
    403: {"description": "The token's role may not see this"},
    429: {"description": "Too many failed authentications from this client"},
}
Authorization = Annotated[str | None, Header(max_length=300)]


@router.get("/countries/{country}/incidents", response_model=SectionPage, responses=DOWNLOADS | MONITOR_ERRORS)
def country_incidents(
    request: Request, ctx: CtxDep, c: CountryDep, authorization: Authorization = None, limit: Limit = 200,
    offset: Offset = 0, format: TableFormat = "json"
) -> Any:
    """Logged incidents per week and category (counts only), for analysts and admins (monitoring API token)."""
    token = monitor_token(request, authorization)
    sec = monitor_section(request, lambda: dossier.incidents(ctx, c.iso3, token=token))
    frame = pd.DataFrame(sec.data or [], columns=["week_start", "category", "incidents", "verified"])
    if format != "json":
        return download(frame, format, f"incidents_{slug(c.name)}")
    return _section_page(sec, limit, offset, frame)


@router.get("/countries/{country}/alerts", response_model=SectionPage, responses=DOWNLOADS | MONITOR_ERRORS)
def country_alerts(
    request: Request, ctx: CtxDep, c: CountryDep, authorization: Authorization = None, limit: Limit = 200,
    offset: Offset = 0, format: TableFormat = "json"
) -> Any:
    """Escalation alerts from the monitoring log, newest first, with their evidence: analysts and admins only."""
    token = monitor_token(request, authorization)
    sec = monitor_section(request, lambda: dossier.alerts(ctx, c.iso3, limit=5000, token=token))
    frame = pd.DataFrame(
        sec.data or [], columns=["id", "country_iso3", "category", "week_start", "statistic", "threshold", "evidence"]
    )
    if format != "json":
        return download(frame.assign(evidence=frame["evidence"].astype(str)), format, f"alerts_{slug(c.name)}")
    return _section_page(sec, limit, offset, frame)


@router.get("/countries/{country}/prevention", response_model=SectionOut)
def country_prevention(ctx: CtxDep, c: CountryDep) -> dict[str, Any]:
    """Prevention options for the country, when the prevention module provides them."""
    return dossier.prevention(ctx, c.gwcode).__dict__


@router.get("/countries/{country}/sources", response_model=list[SourceOut])
def country_sources(ctx: CtxDep, c: CountryDep) -> list[dict[str, Any]]:
    """Every source behind the country's figures: vintage, sha256, licence, citation."""
    extra = dossier.hotspots(ctx, c.iso3).sources if c.iso3 else []
    return dossier.sources(ctx, extra)


@router.get("/sources", response_model=list[SourceOut])
def all_sources(ctx: CtxDep) -> list[dict[str, Any]]:
    """Every source in the warehouse, with its vintage, licence and citation."""
    return dossier.sources(ctx)


@router.get("/compare", response_model=CompareOut)
def compare(
    ctx: ForecastCtx,
    countries: Annotated[
        str, Query(min_length=1, max_length=400, description="Comma-separated names or codes, e.g. SDN,ETH,Burma")
    ],
) -> Any:
    """Risk and rank over time for several countries (up to 12)."""
    items = []
    for q in [p.strip() for p in countries.split(",") if p.strip()][:12]:
        c = dossier.resolve(q)
        items.append({"summary": summary(ctx, c), "history": records(dossier.history(ctx, c.gwcode))})
    return {"countries": items}
