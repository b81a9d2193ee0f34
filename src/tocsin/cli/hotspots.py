"""Command: tocsin hotspots (subnational vulnerability)."""

from __future__ import annotations

from pathlib import Path

import typer

from tocsin.cli.common import app, console, friendly, settings
from tocsin.core.errors import TocsinError


# --- hotspots commands ------------------------------------------------------------------------------------
@app.command("hotspots")
@friendly
def hotspots_cmd(
    country: str = typer.Argument(..., help="Country name or code, e.g. Syria, CAF, Kenya."),
    year: int | None = typer.Option(None, "--year", help="Year to score (default: latest the inputs allow)."),
    json_out: Path | None = typer.Option(None, "--json", help="Write every area and its components here."),
    geojson_out: Path | None = typer.Option(None, "--geojson", help="Write a GeoJSON layer to this file."),
    png_out: Path | None = typer.Option(None, "--png", help="Write a choropleth map (PNG) to this file."),
    weights: str | None = typer.Option(None, "--weights",
                                       help="e.g. hazard=0.4,violence=0.3 (components or pillars)."),
    ged_csv: Path | None = typer.Option(None, "--ged-csv", help="A UCDP GED CSV adding past violence."),
    top: int = typer.Option(0, "--top", help="Show only the N highest areas (0 = all)."),
) -> None:
    """Rank a country's provinces by vulnerability to a climate shock and to violence, with components."""
    import json as _json

    from rich.table import Table as _Table

    from tocsin.core.countries import lookup
    from tocsin.geo.hotspots import hotspots
    from tocsin.geo.vulnerability import COMPONENTS

    c = lookup(country)
    if c.iso3 is None:
        raise TocsinError(f"{c.name} has no ISO3 code, so no admin-1 polygons")
    res = hotspots(c.iso3, settings(), year=year, weights=weights, country=c.name, ged_csv=ged_csv)
    comps = [k for k in COMPONENTS if k not in res.missing]
    tab = _Table(title=f"{res.country} {res.year}: admin-1 vulnerability (0-1 within country-year)")
    for col in ("rank", "area", "code", "total", *comps, "coverage", "missing"):
        tab.add_column(col, justify="right" if col not in ("area", "code", "missing") else "left")
    rows = res.table if top <= 0 else res.table.head(top)
    for r in rows.itertuples(index=False):
        d = r._asdict()
        fmt = lambda v: "-" if v is None or v != v else f"{v:.3f}"  # noqa: E731 - NaN != NaN
        tab.add_row("-" if d["rank"] != d["rank"] else str(int(d["rank"])), d["name"], d["code"],
                    fmt(d["total"]), *[fmt(d[k]) for k in comps], f"{d['coverage']:.2f}", d["missing"] or "")
    console.print(tab)
    w = ", ".join(f"{k}={v:.2f}" for k, v in res.weights.items())
    console.print(f"weights: {w}", highlight=False)
    for k, why in res.missing.items():
        console.print(f"[yellow]missing {k}[/yellow]: {why} (reweighted, not zero-filled)", highlight=False)
    for note in res.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    for pub, lic, cite in res.credits():
        console.print(f"source: {pub} — licence: {lic} — cite: {cite}", highlight=False, markup=False)
    if json_out:
        json_out.write_text(_json.dumps(res.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {json_out}")
    if geojson_out:
        geojson_out.write_text(_json.dumps(res.to_geojson(), ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {geojson_out}")
    if png_out:
        from tocsin.reports.maps import hotspot_map

        hotspot_map(res, png_out)
        console.print(f"wrote {png_out}")


# --- end hotspots commands --------------------------------------------------------------------------------

