"""The forecast report: one self-contained HTML file (no network), for analysts and decision-makers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment

from tocsin import __version__
from tocsin.evaluate.explain import Explanation
from tocsin.evaluate.forecast import Forecast
from tocsin.evaluate.track_record import TrackRecord
from tocsin.reports.charts import recall_by_year, reliability, to_data_uri, top_n_bar
from tocsin.reports.templating import report_environment


def environment() -> Environment:
    """The shared autoescaping environment (tocsin.reports.templating) with this report's number format."""
    return report_environment({"num": lambda v, d=3: "–" if v is None or pd.isna(v) else f"{float(v):.{d}f}"},
                              trim=False)


@dataclass
class ReportInputs:
    forecast: Forecast
    track: TrackRecord | None
    provenance: pd.DataFrame
    sections: list[dict[str, Any]] = field(default_factory=list)  # extra sections from later issues
    explanations: list[Explanation] = field(default_factory=list)
    ablation: dict[str, Any] | None = None  # `tocsin drivers` result, when it has been run
    run_id: str | None = None  # the run this report belongs to (stated on the report)


def render_forecast_report(inputs: ReportInputs) -> str:
    fc = inputs.forecast
    table = fc.table
    top = table.head(30)
    charts = {
        "top30": to_data_uri(top_n_bar(table, "risk_2yr", 30,
                                       f"Top 30: onset in {fc.base_year + 1} or {fc.base_year + 2}")),
    }
    track = inputs.track
    years: list[dict[str, Any]] = []
    if track is not None:
        charts["recall"] = to_data_uri(recall_by_year(track.per_year))
        sc = track.scored
        charts["reliability"] = to_data_uri(reliability(sc["onset"].to_numpy(), sc["prob"].to_numpy(),
                                                        sc["ewp_prob"].to_numpy()))
        years = track_record_years(sc)
    sources = inputs.provenance.sort_values("source").to_dict("records")
    citations = (
        inputs.provenance.drop_duplicates("citation")[["publisher", "licence", "citation"]].to_dict("records")
    )
    return environment().get_template("forecast.html.j2").render(
        fc=fc, table=table.to_dict("records"), top=top.to_dict("records"), charts=charts, track=track,
        per_year=track.per_year.to_dict("records") if track is not None else [], years=years,
        ablation=inputs.ablation, run_id=inputs.run_id,
        sources=sources, citations=citations, sections=inputs.sections, version=__version__,
        explanations=[{"e": e, "top": e.top(6).to_dict("records"), "changed": e.changed(3).to_dict("records"),
                       "families": e.by_family.to_dict("records")} for e in inputs.explanations],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def track_record_years(scored: pd.DataFrame, k: int = 30) -> list[dict[str, Any]]:
    """Per year: onsets with where each ranked the year before (both systems), misses, false alarms."""
    out = []
    onset_next = scored.assign(year=scored["year"] - 1)[["ccode", "year", "onset"]].rename(
        columns={"onset": "onset_next"})
    sc = scored.merge(onset_next, on=["ccode", "year"], how="left")
    for year, g in sc.groupby("year"):
        onsets = g[g["onset"] == 1].sort_values("rank")
        top10 = g.nsmallest(10, "rank")
        alarms = top10[(top10["onset"] != 1) & (top10["onset_next"].fillna(0) != 1)]
        out.append({
            "year": int(year),
            "onsets": [{"name": r.ewp_name, "rank": int(r.rank), "ewp_rank": int(r.ewp_rank),
                        "caught": int(r.rank) <= k, "ewp_caught": int(r.ewp_rank) <= k}
                       for r in onsets.itertuples()],
            "top": g.nsmallest(k, "rank")["ewp_name"].tolist(),
            "ewp_top": g.nsmallest(k, "ewp_rank")["ewp_name"].tolist(),
            "false_alarms": alarms["ewp_name"].tolist(),
        })
    return out


def write_report(inputs: ReportInputs, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_forecast_report(inputs), encoding="utf-8")
    return path
