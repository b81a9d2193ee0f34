"""Command: data rebuild (the EWP panel from its raw inputs), with --check against EWP's prepared file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from tocsin.cli.common import console, err_console, friendly, settings
from tocsin.cli.common import warehouse as _warehouse
from tocsin.cli.data_and_models import data_app


@data_app.command("rebuild")
@friendly
def data_rebuild(
    check: bool = typer.Option(False, "--check", help="Compare every cell with EWP's prepared file."),
    inputs: Path = typer.Option(None, "--inputs", help="Folder of newer input releases that replace pulled ones."),
    through: int = typer.Option(None, "--through", help="Last year to build (default: V-Dem's last year)."),
    json_out: Path = typer.Option(None, "--json", help="Write the summary (and the check) to this file."),
    since: int = typer.Option(1990, help="First year compared by --check."),
    show: int = typer.Option(20, help="Disagreements to list."),
) -> None:
    """Rebuild EWP's country-year predictors from their inputs; name each input's vintage."""
    from tocsin.features.rebuild.panel import check_rebuild, rebuild
    from tocsin.sources.ewp import EWP_PREDICTORS

    s = settings()
    wh = _warehouse(s)
    with err_console.status("rebuilding the panel from its inputs"):
        rb = rebuild(wh, inputs, through)
    prep = rb.prepared
    last = prep[prep["year"] == rb.through]
    console.print(f"Rebuilt {len(prep)} country-years {int(prep['year'].min())}-{rb.through} "
                  f"({prep['ccode'].nunique()} states); {len(last)} states in {rb.through}.")
    gaps = {p: int(last[p].isna().sum()) for p in EWP_PREDICTORS if last[p].isna().any()}
    if gaps:
        console.print(f"[yellow]Missing in {rb.through}:[/yellow] "
                      + ", ".join(f"{p} ({n} states)" for p, n in gaps.items()))
    t = Table(title="Inputs and their vintages")
    for col in ("input", "table", "from", "years", "sha256"):
        t.add_column(col)
    for table, v in rb.vintages.items():
        years = v.get("years")
        t.add_row(str(v["input"]), table, f"{v['origin']}: {Path(str(v['file'])).name}",
                  f"{years[0]}-{years[1]}" if isinstance(years, list) else "", str(v["sha256"])[:12])
    console.print(t)
    payload: dict[str, object] = {"through": rb.through, "rows": len(prep), "missing_last_year": gaps,
                                  "vintages": rb.vintages}
    if check:
        end = min(rb.through, int(wh.read("ewp_panel")["year"].max()))
        chk = check_rebuild(wh, rb, (since, end))
        ag = chk.agreement
        t = Table(title=f"Agreement with EWP's prepared file, {since}-{end}, by predictor")
        for col in ("predictor", "cells", "non-missing", "equal", "share equal (non-missing)"):
            t.add_column(col, justify="right")
        for r in ag.by_predictor.itertuples():
            share = "" if pd.isna(r.share_nonmissing) else f"{r.share_nonmissing:.2%}"
            t.add_row(r.predictor, str(r.cells), str(r.nonmissing), str(r.equal_nonmissing), share)
        console.print(t)
        t = Table(title="by year")
        for col in ("year", "cells", "equal", "share"):
            t.add_column(col, justify="right")
        for r in ag.by_year.itertuples():
            t.add_row(str(r.year), str(r.cells), str(r.equal), f"{r.share:.2%}")
        console.print(t)
        console.print(f"[bold]Equal non-missing cells: {ag.equal_nonmissing}/{ag.nonmissing} "
                      f"({ag.share_nonmissing:.3%})[/bold]; country-years only in EWP's file: "
                      f"{len(ag.rows_ewp_only)}, only in the rebuild: {len(ag.rows_rebuilt_only)}; "
                      f"outcomes equal: {chk.outcomes.equal}/{chk.outcomes.cells}")
        for cause, n in ag.causes.items():
            console.print(f"  {n} cells: {cause}")
        if len(ag.disagreements):
            console.print(ag.disagreements.head(show).to_string(index=False))
        tpl = chk.template
        eq = {k: f"{v['equal']}/{v['cells']}" for k, v in tpl["variables"].items()}  # type: ignore[attr-defined]
        console.print(f"Template vs EWP's base data (1945-{rb.through}): {tpl['rows_both']} country-years in both, "
                      f"{tpl['rows_ours_only']} only rebuilt, {tpl['rows_ewp_only']} only EWP's; equal: {eq}")
        payload["agreement"] = ag.to_json()
        payload["template"] = tpl
        payload["outcomes"] = chk.outcomes.to_json()
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(payload, indent=1, default=str))
        console.print(f"Wrote {json_out}")
    console.print("[dim]Inputs: Early Warning Project (USHMM, Dartmouth) and the publishers it draws on (V-Dem, "
                  "World Bank, Maddison Project, HIEF, EPR, UCDP, Powell & Thyne, UN WPP); see "
                  "`tocsin data status` for each citation and licence.[/dim]")
