"""Commands: runs list | show | diff | gc (runs are made by `forecast`, `backtest` and `drivers`)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from tocsin.cli.common import app, console, friendly, settings

runs_app = typer.Typer(help="Recorded runs: list, show, compare, clean up.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


def _store():  # type: ignore[no-untyped-def]
    from tocsin.evaluate.runs import RunStore

    return RunStore(settings().runs_dir)


@runs_app.command("list")
@friendly
def runs_list(
    kind: str = typer.Option(None, help="Only runs of this kind: forecast, backtest, drivers or watch."),
) -> None:
    """Every run, newest first, with its kind, model, data year and headline metrics."""
    from tocsin.evaluate.runs import RUN_KINDS

    store = _store()
    latest = {store.latest_id(k) for k in RUN_KINDS}
    t = Table(title=f"Runs under {store.root}")
    for col in ("id", "kind", "model", "data", "AUC", "top-30", "secs"):
        t.add_column(col, justify="right" if col in ("AUC", "top-30", "secs") else "left")
    for run in reversed(store.list()):
        if kind and run.kind != kind:
            continue
        rec = run.record
        m = rec.get("metrics") or {}
        auc = f"{m['auc']:.3f}" if m.get("auc") is not None else ""
        top = f"{m['top30_recall']:.0%}" if m.get("top30_recall") is not None else ""
        mark = " *" if run.id in latest else ""
        t.add_row(run.id + mark, run.kind, str(rec.get("model") or ""), str(rec.get("base_year") or ""), auc, top,
                  f"{(rec.get('timings') or {}).get('total', 0):.0f}")
    console.print(t)
    console.print("[dim]* the latest run of its kind (what the dashboard, briefs and `prevent` read)[/dim]")


@runs_app.command("show")
@friendly
def runs_show(
    run_id: str = typer.Argument(None, help="Run id or a unique prefix (default: the latest forecast run)."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole run record as JSON."),
) -> None:
    """A run's record: code version, seed, model and parameters, every source's sha256, timings, metrics."""
    run = _store().resolve(run_id)
    rec = run.record
    if json_out:
        console.print_json(json.dumps(rec, default=str))
        return
    code = rec.get("code", {})
    console.print(f"[bold]Run {run.id}[/bold] ({run.kind}), created {rec.get('created_at')}")
    console.print(f"Cite as: {run.citation()}", soft_wrap=True)
    console.print(f"Code: tocsin {code.get('version')}, commit {code.get('commit') or 'unknown (not a checkout)'}")
    console.print(f"Model: {rec.get('model')}; seed {rec.get('seed')}; data year {rec.get('base_year')}")
    for member, params in (rec.get("params") or {}).items():
        shown = ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("features",))
        console.print(f"  {member}: {shown}", soft_wrap=True, highlight=False)
    if rec.get("stacking_weights"):
        console.print("Stacking weights: " + ", ".join(f"{k} {v:.2f}" for k, v in rec["stacking_weights"].items()))
    m, e = rec.get("metrics") or {}, rec.get("ewp_published_metrics") or {}
    if m:
        t = Table(title="Track record (walk-forward, same rows as EWP's published forecasts)")
        for col in ("metric", "this run", "EWP published"):
            t.add_column(col, justify="right")
        for k in ("rows", "onsets", "auc", "top30_recall", "brier", "brier_skill"):
            if m.get(k) is not None:
                t.add_row(k, f"{m[k]:.4g}", "" if e.get(k) is None else f"{e[k]:.4g}")
        console.print(t)
    t = Table(title="Sources (sha256 of the file each figure came from)")
    for col in ("source", "sha256", "retrieved", "licence"):
        t.add_column(col, overflow="fold")
    for s in rec.get("sources", []):
        t.add_row(s.get("source", ""), str(s.get("sha256", "")), str(s.get("retrieved_at", ""))[:10],
                  str(s.get("licence", "")))
    console.print(t)
    timings = rec.get("timings") or {}
    console.print("Timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    console.print(f"Artifacts: {len(rec.get('artifacts') or {})} files under {run.path}")


@runs_app.command("diff")
@friendly
def runs_diff(
    a: str = typer.Argument(..., help="The earlier run (id or prefix)."),
    b: str = typer.Argument(None, help="The later run (default: the latest forecast run)."),
    top: int = typer.Option(10, help="Countries to list."),
    json_out: Path = typer.Option(None, "--json", help="Write every country's move and drivers here."),
) -> None:
    """The countries whose rank moved most between two forecast runs, with the driver changes behind each."""
    from tocsin.evaluate.rundiff import diff_runs

    store = _store()
    ra, rb = store.get(a), store.resolve(b)
    d = diff_runs(ra, rb)
    console.print(f"[bold]{ra.id}[/bold] (data {ra.record.get('base_year')}) -> [bold]{rb.id}[/bold] "
                  f"(data {rb.record.get('base_year')}); Spearman of the two rankings {d.spearman:.3f}, "
                  f"top-30 overlap {d.top30_overlap}/30")
    t = Table(title="Biggest rank moves (2-year risk)")
    for col in ("country", "rank", "risk", "drivers behind the move (log-odds)"):
        t.add_column(col, justify="right" if col != "drivers behind the move (log-odds)" else "left",
                     overflow="fold")
    for r in d.moves.head(top).itertuples():
        t.add_row(r.name, f"{r.rank_a:.0f} -> {r.rank_b:.0f}", f"{100 * r.risk_a:.2f}% -> {100 * r.risk_b:.2f}%",
                  r.drivers)
    console.print(t)
    if len(d.entered) or len(d.left):
        console.print("Entered the top 30: " + (", ".join(d.entered) or "none") + ". Left it: "
                      + (", ".join(d.left) or "none") + ".", soft_wrap=True)
    if json_out:
        json_out.write_text(json.dumps(d.to_json(), indent=1))
        console.print(f"Wrote {json_out}")


@runs_app.command("gc")
@friendly
def runs_gc(keep: int = typer.Option(..., "--keep", help="Runs of each kind to keep (latest always kept).")) -> None:
    """Delete all but the newest runs of each kind; the latest run of each kind is never deleted."""
    removed = _store().gc(keep)
    console.print(f"Removed {len(removed)} run(s)" + (": " + ", ".join(removed) if removed else "."))
