"""The five-minute country brief: one or two A4 pages, HTML and PDF (WeasyPrint), from saved results only.

Risk now, trend, rank (with its interval when the results carry one), top drivers and what changed, the
hotspot map, recent alerts, prevention options, the track record in one line, and sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment

from tocsin import __version__
from tocsin.core.errors import TocsinError
from tocsin.reports import dossier, svgmap
from tocsin.reports.charts import to_data_uri
from tocsin.reports.dossier import DataContext, Section
from tocsin.reports.templating import report_environment, write_pdf

TREND_YEARS = 15
# Brief captions list each publisher once; the full table of sources is on the web page and in `data status`.
MAX_SOURCES = 8
# The figures in a brief come from EWP's panel and forecasts (model inputs, onsets, published forecasts);
# the hotspot section adds its own sources.
BRIEF_SOURCES = ("ewp_panel", "ewp_foos", "ewp_forecasts")


@dataclass
class Brief:
    name: str
    iso3: str | None
    gwcode: int
    region: str | None
    model: str | None
    current: dict[str, Any] | None
    headline: str
    trend_chart: str | None  # PNG data URI
    trend_rows: list[dict[str, Any]]
    drivers: Section
    hotspots: Section
    hotspot_svg: str
    hotspot_rows: list[dict[str, Any]]
    alerts: Section
    incidents_line: str
    prevention: Section
    track_line: str | None
    sources: list[dict[str, str]]
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%d %B %Y"))
    version: str = __version__
    run: dict[str, Any] | None = None  # the run the brief reads: id, date, data vintages (stated on it)


def _pct(v: float | None, d: int = 1) -> str:
    return "–" if v is None or v != v else f"{100 * v:.{d}f}%"


def headline(name: str, cur: dict[str, Any] | None) -> str:
    """The brief's first sentence: level, rank and direction, in words."""
    if cur is None:
        return f"{name} has no forecast in the saved results (no data for the latest year)."
    y = cur["year"]
    text = (f"{name} has an estimated {_pct(cur['risk'])} chance of a new state-led mass killing beginning in "
            f"{y} or {y + 1}, ranking #{cur['rank']} of {cur['of']} countries")
    prev = cur.get("previous_risk")
    if prev is not None:
        ratio = cur["risk"] / prev if prev > 0 else float("inf")
        move = ("up sharply" if ratio >= 1.5 else "up" if ratio > 1.1 else "down sharply" if ratio <= 0.67
                else "down" if ratio < 0.9 else "about level")
        text += f"; {move} from {_pct(prev)} (#{cur['previous_rank']}) a year earlier"
    if cur.get("ewp_rank") is not None:
        text += f". The Early Warning Project's published forecast ranks it #{int(cur['ewp_rank'])}"
    return text + "."


def trend_chart(hist: pd.DataFrame, name: str) -> str | None:
    import matplotlib.pyplot as plt

    h = hist.tail(TREND_YEARS)
    if not len(h):
        return None
    fig, ax = plt.subplots(figsize=(6.6, 2.1))
    past, fc = h[h["kind"] == "backtest"], h[h["kind"] == "forecast"]
    ax.plot(past["year"], past["risk"] * 100, color="#9b1c1c", marker="o", ms=3, lw=1.6, label="Model")
    if h["ewp_risk"].notna().any():
        ax.plot(h["year"], h["ewp_risk"] * 100, color="#666", ls=":", lw=1.4, label="EWP published")
    if len(fc):
        ax.plot(fc["year"], fc["risk"] * 100, color="#9b1c1c", marker="*", ms=11, ls="none", label="Latest forecast")
    on = h[h["onset"] == 1]
    if len(on):
        ax.plot(on["year"], on["risk"] * 100, ls="none", marker="D", mfc="none", mec="#d00", ms=7, mew=1.6,
                label="Onset")
    ax.set_ylabel("risk within 2 yrs (%)", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax.set_title(f"{name}: risk over time (backtest, then forecast)", fontsize=9)
    ax.xaxis.get_major_locator().set_params(integer=True)
    return to_data_uri(fig)


def _incidents_line(sec: Section) -> str:
    if not sec.available:
        return sec.note
    if not sec.data:
        return "No incidents logged for this country."
    frame = pd.DataFrame(sec.data)
    last = frame["week_start"].max()
    recent = frame[frame["week_start"] >= (pd.Timestamp(last) - pd.Timedelta(weeks=12)).date().isoformat()]
    return (f"{int(frame['incidents'].sum())} incidents logged ({int(frame['verified'].sum())} verified); "
            f"{int(recent['incidents'].sum())} in the 12 weeks to the week of {last}.")


def build_brief(ctx: DataContext, country: str | int, token: str | None = None) -> Brief:
    """Everything the brief shows, for a country given by name, variant or code.

    Alerts and incident counts appear only for the holder of a monitoring `token` whose role may see them.
    """
    c = dossier.resolve(country)
    if ctx.forecast_year is None:
        raise TocsinError("no saved forecast: run `tocsin forecast` first")
    name = dossier.display(ctx, c.gwcode)[1]
    cur = dossier.current(ctx, c.gwcode)
    hist = dossier.history(ctx, c.gwcode)
    hot = dossier.hotspots(ctx, c.iso3)
    hot_svg, hot_rows = "", []
    if hot.available:
        res = hot.data
        table = res.table
        hot_rows = [{"rank": r["rank"], "name": r["name"], "total": r["total"]}
                    for r in table.head(5).to_dict("records")]
        labels = {str(r["code"]): str(r["name"]) for r in table.head(3).to_dict("records")}
        hot_svg = svgmap.area_svg(res.units, {str(k): v for k, v in zip(table["code"], table["total"], strict=True)},
                                  {str(k): str(n) for k, n in zip(table["code"], table["name"], strict=True)},
                                  width=300, labels=labels)
    alerts = dossier.alerts(ctx, c.iso3, limit=5, token=token)
    credits = dossier.credits(ctx, only=BRIEF_SOURCES)
    for s in hot.sources:
        if s not in credits:
            credits.append(s)
    trend_rows = dossier.records(hist.tail(6))
    return Brief(
        name=name, iso3=c.iso3, gwcode=c.gwcode, region=ctx.regions().get(c.gwcode), model=ctx.model,
        current=cur, headline=headline(name, cur), trend_chart=trend_chart(hist, name), trend_rows=trend_rows,
        drivers=dossier.drivers(ctx, c.gwcode, top=5), hotspots=hot, hotspot_svg=hot_svg, hotspot_rows=hot_rows,
        alerts=alerts, incidents_line=_incidents_line(dossier.incidents(ctx, c.iso3, token=token)),
        prevention=dossier.prevention(ctx, c.gwcode), track_line=dossier.track_record_line(ctx), run=ctx.run_info(),
        sources=credits[:MAX_SOURCES] + ([{"publisher": f"and {len(credits) - MAX_SOURCES} more sources",
                                           "licence": "", "citation": "see `tocsin data status`"}]
                                         if len(credits) > MAX_SOURCES else []),
    )


def _env() -> Environment:
    return report_environment({"pct": _pct, "num": lambda v, d=0: "–" if v is None or v != v else f"{float(v):.{d}f}"})


def render_html(brief: Brief) -> str:
    return _env().get_template("brief.html.j2").render(b=brief)


def render_pdf(brief: Brief) -> bytes:
    # Through the safe fetcher: a URL that reached the brief in some text is refused, never fetched.
    return write_pdf(render_html(brief))


def write_brief(ctx: DataContext, country: str | int, pdf: Path | None = None,
                html: Path | None = None) -> Brief:
    b = build_brief(ctx, country)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(b), encoding="utf-8")
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pdf.write_bytes(render_pdf(b))
    return b
