"""Commands: tocsin monitor ... (civic monitoring)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from tocsin.cli.common import app, console, err_console, friendly, settings

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
    """Serve the monitoring API (OpenAPI spec at /openapi.json)."""
    import uvicorn

    from tocsin.monitor import service
    from tocsin.web.app import create_app

    s = settings()
    service.open_db(s, migrate=True)
    uvicorn.run(create_app(s), host=host, port=port)


# --- end monitor commands -----------------------------------------------------------------------------------

