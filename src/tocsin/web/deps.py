"""Shared pieces of the dashboard's routers: the data context on app.state, country lookup, pages, downloads."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Generic, Literal, TypeVar

import pandas as pd
from fastapi import Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from tocsin.core.countries import Country
from tocsin.core.errors import CountryNotFoundError, TocsinError, WarehouseError
from tocsin.core.records import frame_records
from tocsin.reports import dossier
from tocsin.reports.dossier import DataContext

RunParam = Annotated[str | None, Query(
    description="Show this run (id or unique prefix) instead of the latest forecast run",
    pattern=r"^[0-9TZ-]{4,}[0-9a-f-]*$", max_length=40)]


def get_ctx(request: Request, run: RunParam = None) -> DataContext:
    """The data context of the latest run, or of the run named by `?run=` (one per run, kept per app)."""
    state = request.app.state
    lock = state.tocsin_ctx_lock
    with lock:
        cache: dict[str | None, DataContext] = state.tocsin_ctx
        ctx = cache.get(run)
        if ctx is None:
            if len(cache) > 16:  # named runs are few; forget the oldest contexts
                for key in [k for k in cache if k is not None][:8]:
                    cache.pop(key)
            ctx = cache[run] = DataContext(state.settings, run_id=run)
    return ctx


CtxDep = Annotated[DataContext, Depends(get_ctx)]


class NotFoundOut(BaseModel):
    detail: str
    query: str | None = None
    suggestions: list[str] = Field(default_factory=list)


class UnavailableOut(BaseModel):
    detail: str


class NoResults(TocsinError):
    """Nothing saved yet for a view (HTTP 503)."""


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFoundOut, "description": "Unknown country (with close matches) or year"},
    503: {"model": UnavailableOut, "description": "No saved results yet (run `tocsin forecast`)"},
}


class TocsinRoute(APIRoute):
    """Turns Tocsin's errors into flat JSON: 404 with close matches for an unknown country, 503 when nothing
    is saved yet, 404 for other lookups that found nothing (a year outside the track record)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except CountryNotFoundError as exc:
                return JSONResponse(
                    {"detail": str(exc), "query": exc.query, "suggestions": exc.suggestions}, status_code=404
                )
            except (NoResults, WarehouseError) as exc:
                return JSONResponse({"detail": str(exc)}, status_code=503)
            except TocsinError as exc:
                return JSONResponse({"detail": str(exc)}, status_code=404)

        return run


def resolve_country(
    country: Annotated[str, Path(description="Name, variant, ISO3/ISO2, or GW/COW code", min_length=1, max_length=100)],
) -> Country:
    return dossier.resolve(country)


CountryDep = Annotated[Country, Depends(resolve_country)]


def require_forecast(ctx: CtxDep) -> DataContext:
    if ctx.forecast_year is None:
        raise NoResults("no saved forecast: run `tocsin forecast` first")
    return ctx


ForecastCtx = Annotated[DataContext, Depends(require_forecast)]


# ---- pagination and downloads ---------------------------------------------------------------------------
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of rows: `total` rows match the filters; `items` holds rows offset..offset+limit."""

    total: int
    limit: int
    offset: int
    items: list[T]


Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page (JSON only)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip (JSON only)")]
TableFormat = Literal["json", "csv", "parquet"]
GeoFormat = Literal["json", "csv", "parquet", "geojson"]

DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            "application/geo+json": {"schema": {"type": "object"}},
        },
        "description": "JSON page, or every matching row as CSV / Parquet / GeoJSON (`format`)",
    },
}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame_records(frame)


def page(frame: pd.DataFrame, limit: int, offset: int) -> dict[str, Any]:
    return {
        "total": len(frame),
        "limit": limit,
        "offset": offset,
        "items": records(frame.iloc[offset : offset + limit]),
    }


def download(frame: pd.DataFrame, fmt: str, stem: str) -> Response:
    """The whole frame as CSV or Parquet, named `stem`."""
    if fmt == "csv":
        body: bytes = frame.to_csv(index=False).encode()
        media = "text/csv; charset=utf-8"
    else:
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        body, media = buf.getvalue(), "application/vnd.apache.parquet"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"', "X-Total-Count": str(len(frame))},
    )


def geojson_response(doc: dict[str, Any], stem: str) -> Response:
    return Response(
        json.dumps(doc, ensure_ascii=False, default=str),
        media_type="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{stem}.geojson"'},
    )


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text).strip("_").lower() or "country"
