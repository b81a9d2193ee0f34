"""Commands: data pull/status, backtest, forecast, explain, drivers, models."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from tocsin.cli.common import app, console, err_console, friendly, progress_bar, settings
from tocsin.cli.common import warehouse as _warehouse
from tocsin.core.errors import TocsinError
from tocsin.core.settings import Settings

data_app = typer.Typer(help="Pull public sources into the warehouse; show their status.", no_args_is_help=True)
app.add_typer(data_app, name="data")

# --- foundation commands: data, backtest, forecast ---------------------------------------------------------



_progress = progress_bar


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
def data_status(
    coverage: bool = typer.Option(False, help="Coverage by source and year: share of country-years with values."),
    coverage_csv: Path = typer.Option(None, help="Write the full coverage-by-year table here."),
    unmatched: bool = typer.Option(False, help="List each source's country names that match no state."),
) -> None:
    """Each source's vintage, coverage and licence."""
    s = settings()
    wh = _warehouse(s)
    prov = wh.provenance().sort_values("source")
    # Fixed-width columns never wrap; the licence is cut to its name here (in full with each citation below),
    # so the table stays readable in 80 columns.
    t = Table(title=f"Warehouse {s.warehouse_path}", expand=True)
    t.add_column("source", overflow="fold", ratio=3)
    for col in ("years", "rows", "retrieved", "sha256"):
        t.add_column(col, no_wrap=True)
    t.add_column("licence", overflow="ellipsis", no_wrap=True, ratio=2)
    for r in prov.itertuples():
        years = "" if pd.isna(r.year_min) else f"{int(r.year_min)}-{int(r.year_max)}"
        short = str(r.licence).split("(")[0].split(";")[0].strip().rstrip(":,")
        t.add_row(r.source, years, str(r.rows), str(r.retrieved_at)[:10], r.sha256[:8], short)
    console.print(t)
    for c in prov.drop_duplicates("citation").itertuples():
        console.print(f"[bold]{c.publisher}[/bold]: {c.citation} [dim]({c.licence})[/dim]")
    if coverage or coverage_csv:
        from tocsin.evaluate.pipeline import source_coverage

        with err_console.status("building the features to measure coverage"):
            cov = source_coverage(wh)
        shown = cov[cov["year"] % 10 == 0]
        t = Table(title="Coverage: share of the panel's country-years with a value from each source")
        t.add_column("source")
        for y in shown["year"]:
            t.add_column(str(int(y)), justify="right")
        for col in [c for c in cov.columns if c not in ("year", "n_keys")]:
            t.add_row(col, *[f"{v:.0%}" for v in shown[col]])
        console.print(t)
        if coverage_csv:
            cov.to_csv(coverage_csv, index=False)
            console.print(f"Wrote {coverage_csv}")
    if unmatched:
        from tocsin.sources.matching import ENTITY_COLUMNS, GADM_NAMES_TABLE, unmatched_report

        names = [n for n in [*ENTITY_COLUMNS, GADM_NAMES_TABLE] if wh.has(n)]
        rep = unmatched_report({n: wh.read(n) for n in names})
        for src, g in rep.groupby("source"):
            states = g[~g["non_state"]]
            if len(states):
                console.print(f"[bold]{src}[/bold]: [red]{len(states)} state(s) unmatched: "
                              f"{', '.join(states['entity'])}[/red]")
            else:
                console.print(f"[bold]{src}[/bold]: {len(g)} unmatched, all of them non-state entities")
            console.print("  " + ", ".join(f"{e} ({n})" if n else str(e) for e, n in zip(g["entity"], g["name"],
                                                                                          strict=True)),
                          highlight=False, soft_wrap=True)


def _metrics_table(title: str, ours: dict, ewp: dict, diffs: dict) -> Table:  # type: ignore[type-arg]
    t = Table(title=title)
    for col in ("metric", "model", "EWP published", "difference (95% CI)"):
        t.add_column(col, justify="right")
    keys = ["auc", "average_precision", "top10_recall", "top20_recall", "top30_recall", "brier",
            "brier_base_rate", "brier_skill"]
    for k in keys:
        d = diffs.get(k)
        ci = f"{d['difference']:+.4f} ({d['ci_low']:+.4f}, {d['ci_high']:+.4f})" if d else ""
        theirs = f"{ewp[k]:.4f}" if ewp.get(k) is not None else "none published"
        t.add_row(k, f"{ours[k]:.4f}", theirs, ci)
    return t


PANEL_HELP = "Predictors from EWP's prepared file (ewp) or rebuilt from their inputs (rebuilt)."


def _load_panel(s: Settings, model: str | None = None, panel: str = "ewp"):  # type: ignore[no-untyped-def]
    from tocsin.evaluate.pipeline import fit_cache, model_frame
    from tocsin.features.panel import ewp_published

    wh = _warehouse(s)
    return wh, model_frame(wh, model, fit_cache(s), panel=panel).frame, ewp_published(wh)


@app.command()
@friendly
def backtest(
    start: int = typer.Option(1994, help="First forecast year."),
    end: int = typer.Option(2024, help="Last forecast year."),
    model: str = typer.Option(None, help="Model name (default: the project's default model)."),
    json_out: Path = typer.Option(None, "--json", help="Write metrics and every prediction to this file."),
    per_year: bool = typer.Option(False, "--per-year", help="Print the per-year table too."),
    panel: str = typer.Option("ewp", help=PANEL_HELP),
) -> None:
    """Walk-forward backtest, scored beside EWP's published forecasts on the same rows."""
    from tocsin.evaluate.backtest import BacktestSpec
    from tocsin.evaluate.pipeline import fit_cache
    from tocsin.evaluate.runs import RunStore, settings_record, sources_record
    from tocsin.evaluate.track_record import run_track_record
    from tocsin.models.registry import DEFAULT_MODEL

    s = settings()
    name = model or DEFAULT_MODEL
    wh, frame, ewp = _load_panel(s, name, panel)
    spec = BacktestSpec(start=start, end=end)
    cache = fit_cache(s)
    with RunStore(s.runs_dir).create("backtest", model=name, seed=s.seed, settings=settings_record(s),
                                     sources=sources_record(wh.provenance()),
                                     spec={"start": start, "end": end, "outcome": spec.outcome},
                                     panel={"kind": panel,
                                            "input_vintages": frame.attrs.get("panel_vintages")}) as run:
        run.timing("features")
        with _progress() as prog:
            task = prog.add_task(f"backtest {name} {start}-{end}", total=None)
            tr = run_track_record(frame, ewp, name, spec, n_jobs=s.n_jobs, seed=s.seed,
                                  progress=lambda n: prog.advance(task, n), cache=cache)
        run.timing("backtest")
        run.store.save_track_record(tr)
        payload = tr.to_json()
        run.record.update({"metrics": payload["metrics"], "ewp_published_metrics": payload["ewp_published_metrics"],
                           "difference_vs_ewp": tr.differences, "cache": {"hits": cache.hits, "misses": cache.misses}})
    err_console.print(f"[dim]run {run.id}[/dim]")
    console.print(_metrics_table(
        f"{name}: {int(tr.metrics['rows'])} country-years, {int(tr.metrics['onsets'])} onsets, "
        f"{start}-{end}", tr.metrics, tr.ewp_metrics, tr.differences))
    if len(tr.unscored):
        console.print(f"[yellow]{len(tr.unscored)} EWP rows had no forecast (missing inputs)[/yellow]")
    if not tr.ewp_metrics:
        console.print("EWP published no forecasts for these years: scored on every country-year with a known "
                      "outcome, with nothing to compare against.")
    if "method" in tr.predictions.columns:
        fallback = sorted(tr.predictions.loc[tr.predictions["method"] != "stacked", "year"].unique())
        if fallback:
            console.print(f"Equal-weight fallback (too little stacking history) in {len(fallback)} year(s): "
                          f"{fallback[0]}-{fallback[-1]}.")
    if per_year:
        t = Table(title="per year")
        for col in ("year", "rows", "onsets", "auc", "auc_ewp", "top30", "top30_ewp"):
            t.add_column(col, justify="right")
        for r in tr.per_year.itertuples():
            auc_e, top_e = getattr(r, "auc_ewp", float("nan")), getattr(r, "top30_recall_ewp", float("nan"))
            t.add_row(str(r.year), str(int(r.rows)), str(int(r.onsets)), f"{r.auc:.3f}", f"{auc_e:.3f}",
                      f"{r.top30_recall:.2f}", f"{top_e:.2f}")
        console.print(t)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(tr.to_json(), indent=1))
        console.print(f"Wrote {json_out}")


def _stage(msg: str) -> None:
    """One line per stage on stderr, so a log (not a terminal) also says what a long command is doing."""
    from datetime import datetime

    err_console.print(f"[dim]{datetime.now():%H:%M:%S}[/dim] {msg}", highlight=False)


@app.command()
@friendly
def forecast(
    model: str = typer.Option(None, help="Model name (default: the project's default model)."),
    out: Path = typer.Option(None, help="Also copy CSV, JSON and the report here (default: $TOCSIN_HOME/reports)."),
    top: int = typer.Option(30, help="Rows to print."),
    track_record: bool = typer.Option(True, help="Score the 1994-2024 backtest for the report's track record."),
    panel: str = typer.Option("ewp", help=PANEL_HELP),
    data_through: int = typer.Option(None, "--data-through",
                                     help="Use data up to this year only (e.g. to see what the last year changed)."),
) -> None:
    """Forecast the next one and two years as a new run; write CSV, JSON and a self-contained HTML report."""
    from tocsin.models.names import DEFAULT_MODEL
    from tocsin.reports.produce import export_forecast, make_forecast_run

    s = settings()
    name = model or DEFAULT_MODEL
    with _progress() as prog:
        task = prog.add_task(f"{name}: walk-forward fits", total=None)
        run = make_forecast_run(s, name, track_record=track_record, stage=_stage, panel=panel,
                                data_through=data_through, progress=lambda n: prog.advance(task, n))
        prog.update(task, total=prog.tasks[task].completed or 1, completed=prog.tasks[task].completed or 1)
    rec = run.record
    table = run.store.forecast()
    written = export_forecast(run, out or s.reports_dir)

    t = Table(title=f"Risk of a new mass-killing onset from {rec['base_year']} data ({name})")
    for col in ("rank", "country", "2 years", "90% interval", "next year", "EWP rank"):
        t.add_column(col, justify="left" if col == "country" else "right")
    for r in table.head(top).itertuples():
        ewp_rank = "" if r.ewp_rank_2yr != r.ewp_rank_2yr else str(int(r.ewp_rank_2yr))
        lo, hi = getattr(r, "prob_2y_lo", None), getattr(r, "prob_2y_hi", None)
        interval = f"{100 * lo:.1f}-{100 * hi:.1f}%" if lo is not None and lo == lo else ""
        t.add_row(str(r.rank_2yr), r.name, f"{100 * r.risk_2yr:.2f}%", interval, f"{100 * r.risk_1yr:.2f}%",
                  ewp_rank)
    console.print(t)
    if rec.get("spearman_vs_ewp") is not None:
        console.print(f"Spearman rank correlation with EWP's published forecasts: {rec['spearman_vs_ewp']:.3f} "
                      f"({rec.get('n_compared_with_ewp')} countries)")
    m, e = rec.get("metrics") or {}, rec.get("ewp_published_metrics") or {}
    if m:
        console.print(f"Track record {rec.get('track_spec', '1994-2024')}: AUC {m['auc']:.3f} (EWP {e['auc']:.3f}), "
                      f"top-30 recall {m['top30_recall']:.0%} (EWP {e['top30_recall']:.0%}), "
                      f"Brier {m['brier']:.4f} (EWP {e['brier']:.4f}), "
                      f"Brier skill {m['brier_skill']:+.3f} (EWP {e['brier_skill']:+.3f})")
    cache = rec.get("cache", {})
    how = (f"reused the artifacts of run {rec['reused_from']} (same data, code and options)"
           if rec.get("reused_from") else f"cached fits used {cache.get('hits', 0)}, made {cache.get('misses', 0)}")
    console.print(f"Run {run.id} ({rec.get('timings', {}).get('total', 0):.1f} s; {how}). "
                  f"Cite as: {run.citation()}", soft_wrap=True)
    console.print("Wrote " + ", ".join(str(p) for p in written), soft_wrap=True)
    console.print("[dim]Data: Early Warning Project (USHMM, Dartmouth) and the sources listed in the report, "
                  "each with its citation and licence.[/dim]")


@app.command()
@friendly
def explain(
    country: str = typer.Argument(..., help="Name, ISO3, or Gleditsch-Ward/COW code."),
    year: int = typer.Option(None, help="Year of the data (the forecast is for the next two years)."),
    model: str = typer.Option(None, help="Model name (default: the project's default model)."),
    top: int = typer.Option(10, help="Drivers to list."),
    json_out: Path = typer.Option(None, "--json", help="Write the full explanation here."),
    run: str = typer.Option(None, "--run", help="Read this run (id or prefix) instead of the latest."),
) -> None:
    """Each driver's contribution to a country's risk, by driver family and UN risk factor; what changed.

    Reads the run (latest, or --run); a --year or --model the run does not cover fits those models now (cached)."""
    from tocsin.core.countries import lookup
    from tocsin.evaluate.explain import explanation_from_frame
    from tocsin.evaluate.pipeline import explain_country
    from tocsin.evaluate.runs import RunStore
    from tocsin.models.registry import DEFAULT_MODEL

    s = settings()
    c = lookup(country)
    chosen = RunStore(s.runs_dir).resolve(run) if run or (year is None and model is None) else None
    latest = RunStore(s.runs_dir).latest() if chosen is None else chosen
    name = model or (str(latest.record.get("model")) if latest else DEFAULT_MODEL)
    e = None
    if latest is not None and latest.record.get("model") == name and year in (None, latest.record.get("base_year")):
        e = explanation_from_frame(latest.store.explanations(), c.gwcode, name)
        if e is not None:
            err_console.print(f"[dim]from run {latest.id}[/dim]")
    if e is None:
        y = year if year is not None else int(latest.record["base_year"]) if latest else None
        if y is None:
            raise TocsinError("no forecast run yet and no --year: run `tocsin forecast` first")
        with err_console.status(f"no run covers {name} for {y}: fitting {name} as of {y} (cached fits reused)"):
            e = explain_country(s, name, c.gwcode, y)
    console.print(f"[bold]{e.name}[/bold], data of {e.year} (forecast for {e.year + 1}-{e.year + 2}), "
                  f"model {name}. Contributions in log-odds against an average country.")
    # Short numeric columns that never wrap; the names share what is left, so at 80 columns a driver's label
    # wraps by words over two or three lines instead of one word a line.
    t = Table(title="Drivers behind the risk", expand=True,
              caption="UN: the UN Framework's risk factors; contrib.: log-odds; change: since last year")
    t.add_column("driver", ratio=1)
    t.add_column("family", max_width=len("ethno-nationalism") + 2)  # + cell padding: the longest word whole
    for col in ("UN", "value", "contrib.", "change"):
        t.add_column(col, justify="right", no_wrap=True)
    for r in e.top(top).itertuples():
        t.add_row(r.label, r.family, r.un_factors, f"{r.value:.3g}", f"{r.contribution:+.3f}",
                  "" if r.change != r.change else f"{r.change:+.3f}")
    console.print(t)
    for title, frame, key in (("By driver family", e.by_family, "family"),
                              ("By UN Framework risk factor", e.by_un_factor, "title")):
        t = Table(title=title)
        for col in (key, "contribution", "change"):
            t.add_column(col, justify="left" if col == key else "right")
        for r in frame.itertuples():
            ch = r.change
            t.add_row(str(getattr(r, key)), f"{r.contribution:+.3f}", "" if ch != ch else f"{ch:+.3f}")
        console.print(t)
    moved = e.changed(5)
    if len(moved):
        console.print("What changed since last year: " + "; ".join(
            f"{r.label} {r.change:+.3f}" for r in moved.itertuples()))
    if json_out:
        json_out.write_text(json.dumps({
            "country": e.name, "ccode": e.ccode, "year": e.year, "model": name,
            "drivers": json.loads(e.drivers.to_json(orient="records")),
            "by_family": json.loads(e.by_family.to_json(orient="records")),
            "by_un_factor": json.loads(e.by_un_factor.to_json(orient="records")),
        }, indent=1))
        console.print(f"Wrote {json_out}")


@app.command()
@friendly
def drivers(
    start: int = typer.Option(1994, help="First forecast year."),
    end: int = typer.Option(2024, help="Last forecast year."),
    json_out: Path = typer.Option(None, "--json", help="Write each variant's families and metrics here."),
    n_boot: int = typer.Option(1000, help="Bootstrap replicates for the intervals."),
) -> None:
    """What each driver family adds to the EWP model: walk-forward AUC, top-30 recall, Brier, with 95% CIs
    (country-clustered bootstrap); repression and conflict evidence with and without its latent scores."""
    from tocsin.evaluate.ablation import run_ablation, variants
    from tocsin.evaluate.backtest import BacktestSpec
    from tocsin.evaluate.runs import RunStore, settings_record, sources_record

    s = settings()
    wh, panel, ewp = _load_panel(s)
    rows = ewp[ewp["risk_prev"].notna()]
    spec = BacktestSpec(start=start, end=end)
    with RunStore(s.runs_dir).create("drivers", model="ewp+", seed=s.seed, settings=settings_record(s),
                                     sources=sources_record(wh.provenance()),
                                     spec={"start": start, "end": end, "n_boot": n_boot}) as run:
        with _progress() as prog:
            task = prog.add_task("ablation backtests", total=len(variants()) * (end - start + 1))
            res = run_ablation(panel, rows, spec, n_jobs=s.n_jobs, seed=s.seed, n_boot=n_boot,
                               progress=lambda n: prog.advance(task, n))
        run.timing("ablation")
        run.store.save_ablation(res.to_json())
    err_console.print(f"[dim]run {run.id}[/dim]")
    from tocsin.reports import terminal

    for item in terminal.ablation(res.table, rows=res.rows, onsets=res.onsets, clusters=res.clusters, start=start,
                                  end=end):
        console.print(item)
    if json_out:
        json_out.write_text(json.dumps(res.to_json(), indent=1))
        console.print(f"Wrote {json_out}")


@app.command("models")
def models_cmd() -> None:
    """List the models a command can use (--model NAME)."""
    from tocsin.models.registry import DEFAULT_MODEL, model_names

    for name, description in model_names().items():
        mark = " (default)" if name == DEFAULT_MODEL else ""
        console.print(f"[bold]{name}[/bold]{mark}: {description}")
