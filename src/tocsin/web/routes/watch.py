"""The monthly watch on the dashboard: the "this month" page and its JSON. Both read a watch run; nothing is
fitted or built here (a run is made by `tocsin watch build`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from tocsin.core.errors import TocsinError
from tocsin.reports.watch import Watch, latest_watch, watch_report
from tocsin.web.deps import NotFoundOut, UnavailableOut

router = APIRouter()
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFoundOut, "description": "A month outside the watch run, or no such watch run"},
    503: {"model": UnavailableOut, "description": "No watch run yet (run `tocsin watch build`)"},
}
MonthParam = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")]
WatchRunParam = Annotated[str | None, Query(max_length=40, pattern=r"^[0-9A-Za-z-]+$")]


def _watch(request: Request, run: str | None) -> Watch | None:
    w = latest_watch(request.app.state.settings, run)
    if w is None and run:
        raise HTTPException(404, f"no watch run {run!r}")
    return w


def _report(w: Watch, month: str | None, top: int) -> dict[str, Any]:
    try:
        return watch_report(w, w.month(month), top)
    except TocsinError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/api/watch", tags=["watch"], responses=RESPONSES)
def watch_api(request: Request, month: MonthParam = None, watch_run: WatchRunParam = None,
              top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    """The month's risers (largest rise in 12-month risk), the evidence behind each, and every country's
    monthly and yearly rank. 503 when no watch run exists yet."""
    w = _watch(request, watch_run)
    if w is None:
        raise HTTPException(503, "no watch run yet: run `tocsin watch build`")
    return _report(w, month, top)


@router.get("/watch", response_class=HTMLResponse, include_in_schema=False)
def watch_page(request: Request, month: MonthParam = None, watch_run: WatchRunParam = None) -> HTMLResponse:
    from tocsin.features.monthly import month_label
    from tocsin.web.routes.pages import country_href, render

    w = _watch(request, watch_run)
    if w is None:
        return render(request, "empty.html.j2", title="No monthly watch yet", status=503)
    rep = _report(w, month, 10)
    first, last = w.months()
    for r in [*rep["risers"], *rep["ranking"]]:
        r["href"] = country_href(r.get("iso3"), r["ccode"])
    months = [month_label(m) for m in range(last, first, -1)]
    return render(request, "watch.html.j2", title=f"This month: {rep['month']}", rep=rep, months=months,
                  watch_id=w.run.id, ranking=rep["ranking"][:30])
