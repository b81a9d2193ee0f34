"""HTML pages: world map with ranked table, country page, compare view, track record, briefs; local assets.

Everything a page needs is served from this app: CSS and JS from the package, Plotly's JS from the installed
`plotly` package, maps as inline SVG. No page fetches anything from elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from tocsin.core.errors import CountryNotFoundError, TocsinError
from tocsin.reports import dossier, svgmap
from tocsin.reports.dossier import REGIONS, DataContext
from tocsin.reports.templating import folder_environment
from tocsin.web.deps import CtxDep, records, slug
from tocsin.web.routes.countries import hotspot_frame, summary
from tocsin.web.routes.risk import track_year

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"


def _env(request: Request) -> Environment:
    state = request.app.state
    env = getattr(state, "tocsin_templates", None)
    if env is None:
        env = state.tocsin_templates = folder_environment(HERE / "templates", {"pct": pct, "num": num})
    return env


def pct(v: Any, digits: int = 1) -> str:
    return "–" if v is None or v != v else f"{100 * float(v):.{digits}f}%"


def num(v: Any, digits: int = 0) -> str:
    return "–" if v is None or v != v else f"{float(v):,.{digits}f}"


def _run_info(request: Request) -> dict[str, Any] | None:
    """The run the page shows (every page states it), from the context the route's dependency opened."""
    contexts = getattr(request.app.state, "tocsin_ctx", {})
    ctx = contexts.get(request.query_params.get("run"))
    try:
        return ctx.run_info() if ctx is not None else None
    except TocsinError:
        return None


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("run_info", _run_info(request))
    return HTMLResponse(_env(request).get_template(name).render(request=request, **ctx), status_code=status)


def country_href(iso3: str | None, ccode: int) -> str:
    return f"/country/{iso3 or ccode}"


def world_shapes(ctx: DataContext) -> list[svgmap.Shape]:
    return ctx.cached(
        "world_shapes",
        [ctx.warehouse.path],
        lambda: svgmap.world_shapes(b) if (b := ctx.boundaries()) is not None else [],
    )


# ---- pages ------------------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def world(
    request: Request,
    ctx: CtxDep,
    year: Annotated[int | None, Query()] = None,
    region: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    if ctx.forecast_year is None:
        return render(request, "empty.html.j2", title="No forecast yet", status=503)
    region = region if region in REGIONS else None
    try:
        table = dossier.risk_table(ctx, year, region)
    except TocsinError as exc:
        return render(request, "notfound.html.j2", status=404, title="Not found", message=str(exc), suggestions=[])
    year = int(table["year"].iloc[0]) if len(table) else (year or ctx.forecast_year)
    full = table if region is None else dossier.risk_table(ctx, year)
    values = {r.iso3: r.risk for r in full.itertuples() if r.iso3}
    titles = {r.iso3: f"{r.name}: {pct(r.risk)} (rank {r.rank})" for r in full.itertuples() if r.iso3}
    hrefs = {r.iso3: country_href(r.iso3, r.ccode) for r in full.itertuples() if r.iso3}
    shapes = world_shapes(ctx)
    if region is not None:  # other regions stay grey so the filter shows on the map too
        keep = set(table["iso3"].dropna())
        values = {k: v for k, v in values.items() if k in keep}
    svg = svgmap.world_svg(shapes, values, titles, hrefs) if shapes else ""
    rows = records(table)
    for r in rows:
        r["href"] = country_href(r["iso3"], r["ccode"])
    return render(
        request,
        "world.html.j2",
        title=f"Risk of mass killing, {year}",
        svg=svg,
        rows=rows,
        year=year,
        region=region,
        regions=REGIONS,
        years=dossier.years(ctx),
        forecast_year=ctx.forecast_year,
        legend=svgmap.legend(),
        credits=dossier.credits(ctx),
        model=ctx.model,
        track_line=dossier.track_record_line(ctx),
    )


@router.get("/country/{country}", response_class=HTMLResponse)
def country_page(request: Request, ctx: CtxDep, country: str) -> HTMLResponse:
    try:
        c = dossier.resolve(country)
    except CountryNotFoundError as exc:
        return render(
            request,
            "notfound.html.j2",
            status=404,
            title="Unknown country",
            message=str(exc),
            suggestions=exc.suggestions,
        )
    summ = summary(ctx, c)
    hist = dossier.history(ctx, c.gwcode)
    hot = dossier.hotspots(ctx, c.iso3)
    hot_svg, hot_rows = "", []
    if hot.available:
        res = hot.data
        frame = hotspot_frame(res)
        titles = {str(r.code): f"{r.name}: {num(r.total, 2)}" for r in frame.itertuples()}
        top_labels = {str(r.code): str(r.name) for r in frame.head(5).itertuples()}
        hot_svg = svgmap.area_svg(
            res.units, {str(r.code): r.total for r in frame.itertuples()}, titles, labels=top_labels
        )
        hot_rows = records(frame.head(10))
    incidents, alerts = _monitoring_sections(request, ctx, c.iso3)
    return render(
        request,
        "country.html.j2",
        title=summ["country"]["display_name"],
        c=c,
        s=summ,
        history_json=json.dumps(records(hist)),
        history=records(hist),
        drivers=dossier.drivers(ctx, c.gwcode),
        hot=hot,
        hot_svg=hot_svg,
        hot_rows=hot_rows,
        score_legend=svgmap.legend(svgmap.SCORE_BINS, percent=False),
        incidents=incidents,
        incidents_json=json.dumps(incidents.data or []),
        alerts=alerts,
        prevention=dossier.prevention(ctx, c.gwcode),
        sources=_split_sources(dossier.sources(ctx, hot.sources)),
        key=c.iso3 or str(c.gwcode),
        slug=slug(c.name),
        month=_this_month(request, c.gwcode),
    )


def _this_month(request: Request, ccode: int) -> dict[str, Any] | None:
    """The country's "this month" view from the latest watch run (None without one)."""
    from tocsin.reports.watch import country_month, latest_watch

    w = latest_watch(request.app.state.settings)
    return country_month(w, ccode) if w is not None else None


def _monitoring_sections(request: Request, ctx: DataContext, iso3: str | None) -> tuple[Any, Any]:
    """Incident counts and alerts for a request carrying an analyst's or admin's token; a note for anyone else
    (a browser sends no token, so the public page shows no monitoring data)."""
    from tocsin.monitor.errors import MonitorError
    from tocsin.reports.dossier import Section
    from tocsin.web.routes.monitor import bearer

    token = bearer(request.headers.get("authorization"))
    out = []
    for load in (lambda: dossier.incidents(ctx, iso3, token=token), lambda: dossier.alerts(ctx, iso3, 20, token)):
        try:
            out.append(load())
        except MonitorError:
            out.append(Section(False, dossier.MONITOR_SIGN_IN))
    return out[0], out[1]


def _split_sources(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Sources behind this page's figures first (EWP, boundaries, hotspot inputs); the rest folded away."""
    used = {"ewp_panel", "ewp_foos", "ewp_forecasts", dossier.BOUNDARIES_TABLE}
    first = [r for r in rows if r["source"] in used or r["address"] is None]
    return {"used": first, "other": [r for r in rows if r not in first]}


@router.get("/go")
def go(q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """The search box: straight to the country page (which lists close matches when nothing fits)."""
    from urllib.parse import quote

    return RedirectResponse(f"/country/{quote(q.strip() or '-', safe='')}", status_code=303)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, ctx: CtxDep, countries: Annotated[str, Query(max_length=400)] = "") -> HTMLResponse:
    items, errors = [], []
    for q in [p.strip() for p in countries.split(",") if p.strip()][:12]:
        try:
            c = dossier.resolve(q)
        except CountryNotFoundError as exc:
            errors.append(str(exc))
            continue
        items.append(
            {
                "summary": summary(ctx, c),
                "history": records(dossier.history(ctx, c.gwcode)),
                "href": country_href(c.iso3, c.gwcode),
            }
        )
    return render(
        request,
        "compare.html.j2",
        title="Compare countries",
        items=items,
        errors=errors,
        query=countries,
        items_json=json.dumps(items),
    )


@router.get("/track-record", response_class=HTMLResponse)
def track_page(request: Request, ctx: CtxDep, year: Annotated[int | None, Query()] = None,
               k: Annotated[int, Query(ge=1, le=200)] = 30) -> HTMLResponse:
    tr = ctx.track_record()
    if tr is None:
        return render(request, "empty.html.j2", title="No track record yet", status=503)
    per_year = tr["per_year"]
    ys = [int(r["year"]) for r in per_year]
    year = year if year in ys else (ys[-1] if ys else None)
    detail = track_year(ctx, year, k) if year is not None else None
    if detail:
        for key in ("top", "onset_rows", "misses"):
            for r in detail[key]:
                r["href"] = country_href(r["iso3"], r["ccode"])
    return render(
        request,
        "track.html.j2",
        title="Track record",
        tr=tr,
        per_year=per_year,
        year=year,
        detail=detail,
        line=dossier.track_record_line(ctx),
        per_year_json=json.dumps(per_year),
        watch=_watch_summary(request),
    )


def _watch_summary(request: Request) -> dict[str, Any] | None:
    from tocsin.reports.watch import evaluation_summary, latest_watch

    w = latest_watch(request.app.state.settings)
    return evaluation_summary(w) if w is not None else None


@router.get("/brief/{country}", response_class=HTMLResponse)
def brief_page(request: Request, ctx: CtxDep, country: str, pdf: bool = False) -> Response:
    from tocsin.monitor.errors import AuthError, PermissionDenied
    from tocsin.reports import brief
    from tocsin.web.routes.monitor import bearer

    try:  # alerts and incident counts only for a token whose role may see them
        b = brief.build_brief(ctx, country, token=bearer(request.headers.get("authorization")))
    except CountryNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AuthError as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc
    except PermissionDenied:  # a role that may not see alerts gets the public brief, like anyone else
        b = brief.build_brief(ctx, country)
    if pdf:
        return Response(
            brief.render_pdf(b),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="brief_{slug(b.name)}.pdf"'},
        )
    return HTMLResponse(brief.render_html(b))


# ---- local assets -------------------------------------------------------------------------------------------
def plotly_js() -> Path | None:
    """plotly.min.js from the installed `plotly` package: charts without a CDN and without a vendored copy."""
    try:
        import plotly
    except ImportError:
        return None
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}


@router.get("/static/vendor/plotly.min.js")
def plotly_asset() -> Response:
    path = plotly_js()
    if path is None:
        return Response("/* plotly is not installed: charts are unavailable */", media_type="text/javascript")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@router.get("/static/{name}")
def static_asset(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC.resolve() or not path.is_file() or path.suffix not in _TYPES:
        raise HTTPException(404, f"no asset {name}")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"})
