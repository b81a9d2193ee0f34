"""Command-line interface: a thin Typer layer over the library. Nothing imports this module."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from rich.console import Console

from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings

app = typer.Typer(help="Tocsin: early warning of mass atrocities.", no_args_is_help=True)
data_app = typer.Typer(help="Pull public sources into the warehouse; show their status.", no_args_is_help=True)
app.add_typer(data_app, name="data")

console = Console()
err_console = Console(stderr=True)


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a TocsinError into one red line and exit code 1, instead of a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TocsinError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(1)

    return wrapper


def settings() -> Settings:
    return Settings()


# --- foundation commands: data, backtest, forecast ---------------------------------------------------------
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=False)


def _warehouse(s: Settings):  # type: ignore[no-untyped-def]
    from tocsin.warehouse.store import Warehouse

    return Warehouse(s.warehouse_path)


@data_app.command("pull")
@friendly
def data_pull(
    source: list[str] = typer.Option(None, "--source", "-s", help="Pull only these sources (others are kept)."),
) -> None:
    """Download, verify and load every source into the warehouse (atomic: a failure changes nothing)."""
    from tocsin.sources.catalog import enabled_sources, get_source

    s = settings()
    chosen = [get_source(n) for n in source] if source else enabled_sources(s)
    wh = _warehouse(s)
    with _progress() as prog:
        task = prog.add_task("pulling sources", total=len(chosen))

        def tick(name: str) -> None:
            prog.update(task, description=f"pulling {name}")
            prog.advance(task) if prog.tasks[task].completed < len(chosen) else None

        result = wh.pull(chosen, mirror=s.data_mirror, progress=tick, keep_existing=bool(source))
        prog.update(task, completed=len(chosen), description="pulled")
    where = f"mirror {s.data_mirror}" if s.data_mirror else "the network"
    console.print(f"Loaded {len(result.loaded)} sources from {where} into {result.path}")


@data_app.command("status")
@friendly
def data_status() -> None:
    """Each source's vintage, coverage and licence."""
    s = settings()
    prov = _warehouse(s).provenance().sort_values("source")
    t = Table(title=f"Warehouse {s.warehouse_path}")
    for col in ("source", "years", "rows", "retrieved (UTC)", "sha256", "licence"):
        t.add_column(col)
    for r in prov.itertuples():
        years = "" if r.year_min is None or r.year_min != r.year_min else f"{int(r.year_min)}-{int(r.year_max)}"
        t.add_row(r.source, years, str(r.rows), str(r.retrieved_at)[:19], r.sha256[:12], r.licence)
    console.print(t)
    for c in prov.drop_duplicates("citation").itertuples():
        console.print(f"[bold]{c.publisher}[/bold]: {c.citation} [dim]({c.licence})[/dim]")


def _metrics_table(title: str, ours: dict, ewp: dict, diffs: dict) -> Table:  # type: ignore[type-arg]
    t = Table(title=title)
    for col in ("metric", "model", "EWP published", "difference (95% CI)"):
        t.add_column(col, justify="right")
    keys = ["auc", "average_precision", "top10_recall", "top20_recall", "top30_recall", "brier",
            "brier_base_rate", "brier_skill"]
    for k in keys:
        d = diffs.get(k)
        ci = f"{d['difference']:+.4f} ({d['ci_low']:+.4f}, {d['ci_high']:+.4f})" if d else ""
        t.add_row(k, f"{ours[k]:.4f}", f"{ewp[k]:.4f}", ci)
    return t


def _load_panel(s: Settings):  # type: ignore[no-untyped-def]
    from tocsin.features.panel import ewp_published, load_panel

    wh = _warehouse(s)
    return wh, load_panel(wh), ewp_published(wh)


@app.command()
@friendly
def backtest(
    start: int = typer.Option(1994, help="First forecast year."),
    end: int = typer.Option(2024, help="Last forecast year."),
    model: str = typer.Option(None, help="Model name (default: the project's default model)."),
    json_out: Path = typer.Option(None, "--json", help="Write metrics and every prediction to this file."),
    per_year: bool = typer.Option(False, "--per-year", help="Print the per-year table too."),
) -> None:
    """Walk-forward backtest, scored beside EWP's published forecasts on the same rows."""
    from tocsin.evaluate.backtest import BacktestSpec
    from tocsin.evaluate.track_record import run_track_record
    from tocsin.models.base import DEFAULT_MODEL

    s = settings()
    name = model or DEFAULT_MODEL
    _, panel, ewp = _load_panel(s)
    spec = BacktestSpec(start=start, end=end)
    with _progress() as prog:
        task = prog.add_task(f"backtest {name} {start}-{end}", total=end - start + 1)
        tr = run_track_record(panel, ewp, name, spec, n_jobs=s.n_jobs, seed=s.seed,
                              progress=lambda n: prog.advance(task, n))
    console.print(_metrics_table(
        f"{name}: {int(tr.metrics['rows'])} country-years, {int(tr.metrics['onsets'])} onsets, "
        f"{start}-{end}", tr.metrics, tr.ewp_metrics, tr.differences))
    if len(tr.unscored):
        console.print(f"[yellow]{len(tr.unscored)} EWP rows had no forecast (missing inputs)[/yellow]")
    if per_year:
        t = Table(title="per year")
        for col in ("year", "rows", "onsets", "auc", "auc_ewp", "top30", "top30_ewp"):
            t.add_column(col, justify="right")
        for r in tr.per_year.itertuples():
            t.add_row(str(r.year), str(int(r.rows)), str(int(r.onsets)), f"{r.auc:.3f}", f"{r.auc_ewp:.3f}",
                      f"{r.top30_recall:.2f}", f"{r.top30_recall_ewp:.2f}")
        console.print(t)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(tr.to_json(), indent=1))
        console.print(f"Wrote {json_out}")


@app.command()
@friendly
def forecast(
    model: str = typer.Option(None, help="Model name (default: the project's default model)."),
    out: Path = typer.Option(None, help="Output folder (default: $TOCSIN_HOME/reports)."),
    top: int = typer.Option(30, help="Rows to print."),
    track_record: bool = typer.Option(True, help="Run the 1994-2024 backtest for the report's track record."),
) -> None:
    """Forecast the next one and two years; write CSV, JSON and a self-contained HTML report."""
    from tocsin.evaluate.backtest import BacktestSpec
    from tocsin.evaluate.forecast import make_forecast
    from tocsin.evaluate.track_record import run_track_record
    from tocsin.features.panel import ewp_published_forecast
    from tocsin.models.base import DEFAULT_MODEL
    from tocsin.reports.html import ReportInputs, write_report

    s = settings()
    name = model or DEFAULT_MODEL
    wh, panel, ewp = _load_panel(s)
    with err_console.status(f"fitting {name} on all known rows"):
        fc = make_forecast(panel, name, ewp_published=ewp_published_forecast(wh, panel))
    tr = None
    if track_record:
        last = int(ewp["year"].max())
        spec = BacktestSpec(start=1994, end=last)
        with _progress() as prog:
            task = prog.add_task(f"track record {name} 1994-{last}", total=last - 1994 + 1)
            tr = run_track_record(panel, ewp, name, spec, n_jobs=s.n_jobs, seed=s.seed,
                                  progress=lambda n: prog.advance(task, n))
    out_dir = out or s.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"forecast_{fc.base_year + 1}_{name}"
    fc.table.to_csv(out_dir / f"{stem}.csv", index=False)
    payload = {
        "model": name, "base_year": fc.base_year, "spearman_vs_ewp": fc.spearman_vs_ewp,
        "n_compared_with_ewp": fc.n_compared,
        "forecasts": json.loads(fc.table.to_json(orient="records")),
        "track_record": tr.to_json()["metrics"] if tr else None,
        "sources": json.loads(wh.provenance()[["source", "address", "sha256", "licence", "citation"]]
                              .to_json(orient="records")),
    }
    (out_dir / f"{stem}.json").write_text(json.dumps(payload, indent=1))
    html = write_report(ReportInputs(fc, tr, wh.provenance()), out_dir / f"{stem}.html")

    t = Table(title=f"Risk of a new mass-killing onset from {fc.base_year} data ({name})")
    for col in ("rank", "country", "within 2 years", "next year", "EWP rank"):
        t.add_column(col, justify="right")
    for r in fc.table.head(top).itertuples():
        ewp_rank = "" if r.ewp_rank_2yr != r.ewp_rank_2yr else str(int(r.ewp_rank_2yr))
        t.add_row(str(r.rank_2yr), r.name, f"{100 * r.risk_2yr:.2f}%", f"{100 * r.risk_1yr:.2f}%", ewp_rank)
    console.print(t)
    if fc.spearman_vs_ewp is not None:
        console.print(f"Spearman rank correlation with EWP's published forecasts: {fc.spearman_vs_ewp:.3f} "
                      f"({fc.n_compared} countries)")
    if tr:
        m, e = tr.metrics, tr.ewp_metrics
        console.print(f"Track record {tr.spec.start}-{tr.spec.end}: AUC {m['auc']:.3f} (EWP {e['auc']:.3f}), "
                      f"top-30 recall {m['top30_recall']:.0%} (EWP {e['top30_recall']:.0%}), "
                      f"Brier {m['brier']:.4f} (EWP {e['brier']:.4f})")
    console.print(f"Wrote {out_dir / (stem + '.csv')}, {out_dir / (stem + '.json')}, {html}")
    console.print("[dim]Data: Early Warning Project (USHMM, Dartmouth); see the report for every source's "
                  "citation and licence.[/dim]")


@app.command("models")
def models_cmd() -> None:
    """List the registered models."""
    from tocsin.models.base import DEFAULT_MODEL, available

    for info in available():
        mark = " (default)" if info.name == DEFAULT_MODEL else ""
        console.print(f"[bold]{info.name}[/bold]{mark}: {info.description}")
