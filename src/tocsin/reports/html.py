"""The forecast report: one self-contained HTML file (no network), for analysts and decision-makers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from tocsin import __version__
from tocsin.evaluate.forecast import Forecast
from tocsin.evaluate.track_record import TrackRecord
from tocsin.reports.charts import recall_by_year, to_data_uri, top_n_bar


def environment() -> Environment:
    env = Environment(loader=PackageLoader("tocsin.reports", "templates"), autoescape=select_autoescape())
    env.filters["pct"] = lambda v, d=1: "–" if v is None or pd.isna(v) else f"{100 * float(v):.{d}f}%"
    env.filters["num"] = lambda v, d=3: "–" if v is None or pd.isna(v) else f"{float(v):.{d}f}"
    return env


@dataclass
class ReportInputs:
    forecast: Forecast
    track: TrackRecord | None
    provenance: pd.DataFrame
    sections: list[dict[str, Any]] = field(default_factory=list)  # extra sections from later issues


def render_forecast_report(inputs: ReportInputs) -> str:
    fc = inputs.forecast
    table = fc.table
    top = table.head(30)
    charts = {
        "top30": to_data_uri(top_n_bar(table, "risk_2yr", 30,
                                       f"Top 30: onset in {fc.base_year + 1} or {fc.base_year + 2}")),
    }
    track = inputs.track
    if track is not None:
        charts["recall"] = to_data_uri(recall_by_year(track.per_year))
    sources = inputs.provenance.sort_values("source").to_dict("records")
    citations = (
        inputs.provenance.drop_duplicates("citation")[["publisher", "licence", "citation"]].to_dict("records")
    )
    return environment().get_template("forecast.html.j2").render(
        fc=fc, table=table.to_dict("records"), top=top.to_dict("records"), charts=charts, track=track,
        per_year=track.per_year.to_dict("records") if track is not None else [],
        sources=sources, citations=citations, sections=inputs.sections, version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(inputs: ReportInputs, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_forecast_report(inputs), encoding="utf-8")
    return path
