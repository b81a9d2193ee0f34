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
    from tocsin.evaluate.pipeline import model_frame
    from tocsin.features.panel import ewp_published

    wh = _warehouse(s)
    return wh, model_frame(wh).frame, ewp_published(wh)


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
    track_record: bool = typer.Option(True, help="Score the 1994-2024 backtest for the report's track record."),
) -> None:
    """Forecast the next one and two years; write CSV, JSON and a self-contained HTML report."""
    from tocsin.evaluate.pipeline import run_forecast_job
    from tocsin.models.base import DEFAULT_MODEL
    from tocsin.reports.html import ReportInputs, write_report
    from tocsin.warehouse.store import Warehouse

    s = settings()
    name = model or DEFAULT_MODEL
    with _progress() as prog:
        task = prog.add_task(f"forecasting with {name} (walk-forward fits)", total=None)
        job = run_forecast_job(s, name, track_record=track_record, progress=lambda n: prog.advance(task, n))
        prog.update(task, total=prog.tasks[task].completed or 1, completed=prog.tasks[task].completed or 1)
    fc, tr = job.forecast, job.track
    wh = Warehouse(s.warehouse_path)
    out_dir = out or s.reports_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"forecast_{fc.base_year + 1}_{name}"
    fc.table.to_csv(out_dir / f"{stem}.csv", index=False)
    payload = {
        "model": name, "base_year": fc.base_year, "spearman_vs_ewp": fc.spearman_vs_ewp,
        "n_compared_with_ewp": fc.n_compared, "stacking_weights": fc.weights,
        "forecasts": json.loads(fc.table.to_json(orient="records")),
        "track_record": tr.to_json()["metrics"] if tr else None,
        "sources": json.loads(wh.provenance()[["source", "address", "sha256", "licence", "citation"]]
                              .to_json(orient="records")),
    }
    (out_dir / f"{stem}.json").write_text(json.dumps(payload, indent=1))
    from tocsin.evaluate.results import ResultsStore

    html = write_report(ReportInputs(fc, tr, wh.provenance(), explanations=job.explanations,
                                     ablation=ResultsStore(s.results_dir).ablation()), out_dir / f"{stem}.html")

    t = Table(title=f"Risk of a new mass-killing onset from {fc.base_year} data ({name})")
    for col in ("rank", "country", "within 2 years", "90% interval", "next year", "EWP rank"):
        t.add_column(col, justify="right")
    for r in fc.table.head(top).itertuples():
        ewp_rank = "" if r.ewp_rank_2yr != r.ewp_rank_2yr else str(int(r.ewp_rank_2yr))
        lo, hi = getattr(r, "prob_2y_lo", None), getattr(r, "prob_2y_hi", None)
        interval = f"{100 * lo:.1f}-{100 * hi:.1f}%" if lo is not None and lo == lo else ""
        t.add_row(str(r.rank_2yr), r.name, f"{100 * r.risk_2yr:.2f}%", interval, f"{100 * r.risk_1yr:.2f}%",
                  ewp_rank)
    console.print(t)
    if fc.spearman_vs_ewp is not None:
        console.print(f"Spearman rank correlation with EWP's published forecasts: {fc.spearman_vs_ewp:.3f} "
                      f"({fc.n_compared} countries)")
    if tr:
        m, e = tr.metrics, tr.ewp_metrics
        console.print(f"Track record {tr.spec.start}-{tr.spec.end}: AUC {m['auc']:.3f} (EWP {e['auc']:.3f}), "
                      f"top-30 recall {m['top30_recall']:.0%} (EWP {e['top30_recall']:.0%}), "
                      f"Brier {m['brier']:.4f} (EWP {e['brier']:.4f}), "
                      f"Brier skill {m['brier_skill']:+.3f} (EWP {e['brier_skill']:+.3f})")
    console.print(f"Wrote {out_dir / (stem + '.csv')}, {out_dir / (stem + '.json')}, {html}")
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
) -> None:
    """Each driver's contribution to a country's risk, by driver family and UN risk factor; what changed."""
    from tocsin.core.countries import lookup
    from tocsin.evaluate.pipeline import explain_country
    from tocsin.models.base import DEFAULT_MODEL

    s = settings()
    name = model or DEFAULT_MODEL
    c = lookup(country)
    with err_console.status(f"fitting {name} as of {year or 'the latest year'}"):
        e = explain_country(s, name, c.gwcode, year)
    console.print(f"[bold]{e.name}[/bold], data of {e.year} (forecast for {e.year + 1}-{e.year + 2}), "
                  f"model {name}. Contributions in log-odds against an average country.")
    t = Table(title="Drivers behind the risk")
    for col in ("driver", "family", "UN factors", "value", "contribution", "change since last year"):
        t.add_column(col, justify="right")
    for r in e.top(top).itertuples():
        t.add_row(r.label, r.family, r.un_factors, f"{r.value:.3g}", f"{r.contribution:+.3f}",
                  "" if r.change != r.change else f"{r.change:+.3f}")
    console.print(t)
    for title, frame, key in (("By driver family", e.by_family, "family"),
                              ("By UN Framework risk factor", e.by_un_factor, "title")):
        t = Table(title=title)
        for col in (key, "contribution", "change"):
            t.add_column(col, justify="right")
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
    """What each driver family adds to the EWP model: walk-forward AUC, top-30 recall, Brier, with 95% CIs."""
    from tocsin.evaluate.ablation import run_ablation, variants
    from tocsin.evaluate.backtest import BacktestSpec
    from tocsin.evaluate.results import ResultsStore

    s = settings()
    _, panel, ewp = _load_panel(s)
    rows = ewp[ewp["risk_prev"].notna()]
    spec = BacktestSpec(start=start, end=end)
    with _progress() as prog:
        task = prog.add_task("ablation backtests", total=len(variants()) * (end - start + 1))
        res = run_ablation(panel, rows, spec, n_jobs=s.n_jobs, seed=s.seed, n_boot=n_boot,
                           progress=lambda n: prog.advance(task, n))
    t = Table(title=f"What each driver family adds ({res.rows} country-years, {res.onsets} onsets, {start}-{end})")
    for col in ("variant", "AUC", "ΔAUC (95% CI)", "top-30 recall", "Δrecall (95% CI)", "Brier",
                "ΔBrier (95% CI)"):
        t.add_column(col, justify="right")
    for r in res.table.itertuples():
        t.add_row(r.variant, f"{r.auc:.3f}", f"{r.d_auc:+.3f} ({r.d_auc_lo:+.3f}, {r.d_auc_hi:+.3f})",
                  f"{r.top30_recall:.0%}",
                  f"{r.d_top30_recall:+.0%} ({r.d_top30_recall_lo:+.0%}, {r.d_top30_recall_hi:+.0%})",
                  f"{r.brier:.5f}", f"{r.d_brier:+.5f} ({r.d_brier_lo:+.5f}, {r.d_brier_hi:+.5f})")
    console.print(t)
    ResultsStore(s.results_dir).save_ablation(res.to_json())
    if json_out:
        json_out.write_text(json.dumps(res.to_json(), indent=1))
        console.print(f"Wrote {json_out}")


@app.command("models")
def models_cmd() -> None:
    """List the registered models."""
    from tocsin.models.base import DEFAULT_MODEL, available

    for info in available():
        mark = " (default)" if info.name == DEFAULT_MODEL else ""
        console.print(f"[bold]{info.name}[/bold]{mark}: {info.description}")


# --- monitor commands ---------------------------------------------------------------------------------------
# Civic monitoring (tocsin.monitor): thin wrappers; the CLI runs as the local operator, who can open the
# database anyway, so only commands that act "as" a user (import, export) check that user's role.

monitor_app = typer.Typer(help="Civic monitoring: incident log, dangerous-speech scoring, alerts.",
                          no_args_is_help=True)
monitor_user_app = typer.Typer(help="People who use the monitoring log.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")
monitor_app.add_typer(monitor_user_app, name="user")


@monitor_app.command("init")
@friendly
def monitor_init() -> None:
    """Create or upgrade the monitoring database (Alembic migrations)."""
    from tocsin.monitor import service

    s = settings()
    engine, _ = service.open_db(s, migrate=True)
    console.print(f"monitor database ready: {engine.url.render_as_string(hide_password=True)}")


@monitor_user_app.command("add")
@friendly
def monitor_user_add(
    username: str,
    role: str = typer.Option(..., help="monitor, analyst or admin"),
    full_name: str | None = typer.Option(None, help="Real name (admins only can read it)."),
    contact: str | None = typer.Option(None, help="Contact details (admins only can read them)."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Add a user; the password is prompted for (or read from stdin) and stored as an argon2 hash."""
    from tocsin.monitor import auth, db, service

    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        user = auth.create_user(session, None, username, password, role, full_name, contact)
        console.print(f"added {user.role} {user.username!r} (id {user.id})")


@monitor_user_app.command("token")
@friendly
def monitor_user_token(username: str, label: str = typer.Option("", help="What the token is for.")) -> None:
    """Issue an API token for a user (printed once; only its hash is stored)."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        typer.echo(auth.create_token(session, auth.get_user(session, username), label))


@monitor_app.command("train")
@friendly
def monitor_train(
    language: list[str] = typer.Option(None, help="Train only these languages (en, am, my, ar)."),
    cap: int | None = typer.Option(None, help="Use at most this many texts per corpus (quick runs)."),
) -> None:
    """Train the dangerous-speech classifier on the labelled corpora (written under $TOCSIN_HOME/models)."""
    from tocsin.monitor import service
    from tocsin.monitor.speech.classifier import model_path

    s = settings()
    model = service.train_and_save(s, language or None, cap, log=lambda m: err_console.print(m))
    console.print(f"model with {len(model.languages)} language(s) and {len(model.lexicon)} lexicon terms "
                  f"written to {model_path(s)}")


@monitor_app.command("evaluate")
@friendly
def monitor_evaluate() -> None:
    """Macro-F1 per language on held-out splits, with each corpus's licence and citation."""
    from rich.table import Table

    from tocsin.monitor.speech import classifier

    s = settings()
    model = classifier.load(classifier.model_path(s))
    table = Table(title="Dangerous-speech classifier, held-out macro-F1")
    for col in ("language", "macro-F1", "F1 hate / offensive / neutral", "n test", "split", "corpus", "licence"):
        table.add_column(col)
    metrics = classifier.evaluate(model, s)
    for m in metrics:
        per = " / ".join(f"{m.per_class.get(c, float('nan')):.2f}" for c in ("hate", "offensive", "neutral"))
        table.add_row(m.language, f"{m.macro_f1:.3f}", per, str(m.n_test), m.split, m.corpus, m.licence)
    console.print(table)
    for m in metrics:
        console.print(f"[dim]{m.language}: {m.citation}[/dim]", highlight=False)


@monitor_app.command("score")
@friendly
def monitor_score(
    file: Path = typer.Argument(..., help="Text file, one text per line ('-' for standard input)."),
    language: str | None = typer.Option(None, help="Language code (default: guessed from the script)."),
    country: str | None = typer.Option(None, help="Country, to apply its lexicon."),
    batch: int = typer.Option(2048, help="Lines scored together."),
) -> None:
    """Score each line; write JSON lines (label, score, reasons) to standard output."""
    import json

    from tocsin.monitor import service
    from tocsin.monitor.errors import MonitorError
    from tocsin.monitor.incidents import resolve_country

    s = settings()
    if str(file) != "-" and not file.is_file():
        raise MonitorError(f"{file}: no such file")
    session = None
    try:  # user-edited lexicons come from the database when it exists
        _, factory = service.open_db(s)
        session = factory()
    except MonitorError:
        pass
    try:
        scorer = service.load_scorer(s, session)
    finally:
        if session is not None:
            session.close()
    iso3 = resolve_country(country)[1] if country else None
    stream = sys.stdin if str(file) == "-" else file.open(encoding="utf-8", errors="replace")
    with stream:
        lines: list[str] = []
        for line in stream:
            lines.append(line.rstrip("\n"))
            if len(lines) >= batch:
                for r in scorer.score_many(lines, language, iso3):
                    sys.stdout.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")
                lines = []
        for r in scorer.score_many(lines, language, iso3):
            sys.stdout.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")


@monitor_app.command("import")
@friendly
def monitor_import(
    file: Path,
    format: str = typer.Option("csv", "--format", help="csv, gdelt or acled"),
    as_user: str = typer.Option(..., "--as", help="Username the imported incidents are filed under."),
) -> None:
    """Import incidents; bad rows are listed with line numbers, good rows kept, all in one transaction."""
    from tocsin.monitor import auth, db, importers, service
    from tocsin.monitor.errors import SpeechModelMissing

    s = settings()
    _, factory = service.open_db(s)
    with db.transaction(factory) as session:
        try:
            scorer = service.load_scorer(s, session)
        except SpeechModelMissing:
            scorer = None
            err_console.print("note: no speech model yet, texts are not scored (run `tocsin monitor train`)")
        report = importers.import_file(session, auth.get_user(session, as_user), format, file, scorer)
    for e in report.errors:
        err_console.print(f"{file}:{e.line}: {e.reason}", highlight=False)
    console.print(f"imported {report.imported} incident(s) from {file} (batch {report.batch_id}); "
                  f"{len(report.errors)} row(s) rejected")


@monitor_app.command("alerts")
@friendly
def monitor_alerts(
    country: str | None = typer.Option(None, help="Only this country."),
    refresh: bool = typer.Option(True, help="Run the detector before listing."),
) -> None:
    """Escalation alerts (CUSUM on weekly weighted counts), with the evidence behind each."""
    from tocsin.monitor import alerts, db, service
    from tocsin.monitor.incidents import resolve_country

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        if refresh:
            alerts.refresh(session, None)
        iso3 = resolve_country(country)[1] if country else None
        rows = alerts.list_alerts(session, None, iso3)
        if not rows:
            console.print("no alerts")
        for a in rows:
            ev = a.evidence
            console.print(f"[bold]{a.country_iso3}[/bold] {a.category} week of {a.week_start}: CUSUM "
                          f"{a.statistic:.1f} > {a.threshold:.1f}; weekly weighted counts "
                          f"{ev.get('weighted_counts')} vs baseline {ev.get('baseline_mean')}"
                          f" ± {ev.get('baseline_sd')}; incidents {ev.get('incident_ids')}", highlight=False)


@monitor_app.command("export")
@friendly
def monitor_export(
    as_user: str = typer.Option(..., "--as", help="Analyst or admin the export is made by (audited)."),
    format: str = typer.Option("csv", "--format", help="csv or jsonl"),
    strip_text: bool = typer.Option(False, help="Leave out quotes and texts."),
    output: Path | None = typer.Option(None, help="File to write (default: standard output)."),
) -> None:
    """Export incidents without any reporter identity."""
    from tocsin.monitor import auth, db, incidents, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        body = incidents.export(session, auth.get_user(session, as_user), format, strip_text)
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8")
        console.print(f"wrote {output}")


@monitor_app.command("serve")
@friendly
def monitor_serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    from tocsin.monitor import service
    from tocsin.web.app import create_app

    s = settings()
    service.open_db(s, migrate=True)
    uvicorn.run(create_app(s), host=host, port=port)


# --- end monitor commands -----------------------------------------------------------------------------------


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
        console.print(f"note: {note}", highlight=False, soft_wrap=True)
    for pub, lic, cite in res.credits():
        console.print(f"source: {pub} — licence: {lic} — cite: {cite}", highlight=False, soft_wrap=True)
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


# --- web commands: serve, brief ----------------------------------------------------------------------------
@app.command("serve")
@friendly
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the offline dashboard and JSON API (OpenAPI at /openapi.json); no asset comes from elsewhere."""
    import uvicorn

    from tocsin.web.app import create_app

    s = settings()
    console.print(f"Tocsin dashboard on http://{host}:{port}/ (results from {s.results_dir})")
    uvicorn.run(create_app(s), host=host, port=port, log_level="warning")


@app.command("brief")
@friendly
def brief_cmd(
    country: str = typer.Argument(..., help="Country name, variant, ISO3 or GW/COW code, e.g. 'Burma/Myanmar'."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the brief as PDF (one or two A4 pages)."),
    html: Path | None = typer.Option(None, "--html", help="Write the brief as a self-contained HTML file."),
) -> None:
    """A five-minute country brief: risk now, trend, rank, drivers, hotspots, alerts, prevention, sources."""
    from tocsin.reports.brief import write_brief
    from tocsin.reports.dossier import DataContext

    s = settings()
    if pdf is None and html is None:
        pdf = s.reports_dir / f"brief_{country.replace('/', '_').replace(' ', '_')}.pdf"
    b = write_brief(DataContext(s), country, pdf=pdf, html=html)
    console.print(b.headline, highlight=False, soft_wrap=True)
    console.print("Wrote " + ", ".join(str(p) for p in (pdf, html) if p is not None))


# --- end web commands --------------------------------------------------------------------------------------
