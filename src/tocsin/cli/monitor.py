"""Commands: tocsin monitor ... (civic monitoring)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from tocsin.cli.common import app, console, err_console, friendly, settings

# --- monitor commands ---------------------------------------------------------------------------------------
# Civic monitoring (tocsin.monitor): thin wrappers; the CLI runs as the local operator, who can open the
# database anyway (user and token management are audited as "local operator"). Commands that act "as" a user
# (import, export) need that user's or an admin's API token: database access is not a reporter's consent.

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
def monitor_user_token(
    username: str,
    label: str = typer.Option("", help="What the token is for."),
    days: int | None = typer.Option(None, help="Days the token lives (default: TOCSIN_TOKEN_TTL_DAYS, 30)."),
) -> None:
    """Issue an API token for a user (printed once; only its hash is stored; it expires)."""
    from tocsin.monitor import auth, db, service

    s = settings()
    _, factory = service.open_db(s)
    with db.transaction(factory) as session:
        token = auth.create_token(session, auth.get_user(session, username), label, days or s.token_ttl_days)
    typer.echo(token)  # printed only once the token is committed


@monitor_user_app.command("tokens")
@friendly
def monitor_user_tokens(username: str | None = typer.Argument(None, help="Only this user's tokens.")) -> None:
    """List tokens (id, user, state, expiry); never a token itself."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        rows = auth.list_tokens(session, None, username)
    table = Table(title="API tokens")
    for col in ("id", "user", "label", "state", "expires", "revoked"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["username"], r["label"], r["state"], str(r["expires_at"] or ""),
                      str(r["revoked_at"] or ""))
    console.print(table)


@monitor_user_app.command("revoke")
@friendly
def monitor_user_revoke(token_id: int = typer.Argument(..., help="Token id (from `tocsin monitor user tokens`).")
                        ) -> None:
    """Revoke a token now (audited)."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        auth.revoke_token_id(session, None, token_id)
    console.print(f"token {token_id} revoked")


@monitor_user_app.command("deactivate")
@friendly
def monitor_user_deactivate(username: str) -> None:
    """Deactivate a user: every token of theirs stops working at once (audited)."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        auth.set_active(session, None, username, False)
    console.print(f"user {username!r} deactivated; all their tokens are revoked")


@monitor_user_app.command("activate")
@friendly
def monitor_user_activate(username: str) -> None:
    """Reactivate a user (they need a new token; audited)."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        auth.set_active(session, None, username, True)
    console.print(f"user {username!r} reactivated")


def _read_token(token_stdin: bool) -> str:
    if token_stdin:
        return sys.stdin.readline().strip()
    return str(typer.prompt("API token of that user or of an admin", hide_input=True)).strip()


def _acting_user(session, as_user: str, token: str, command: str):  # type: ignore[no-untyped-def]
    """The user `--as` names, if `token` is theirs or an admin's: database access alone is not their consent."""
    from tocsin.monitor import audit, auth

    holder = auth.user_for_token(session, token)
    if holder.username == as_user:
        return holder
    auth.require(holder, "manage_users")
    target = auth.get_user(session, as_user)
    audit.record(session, holder, "user.act_as", "user", target.id, command=command)
    return target


@monitor_app.command("train")
@friendly
def monitor_train(
    language: list[str] = typer.Option(
        None, help="Train only these models (en, am, my, ar, en-herdphobia, en-hatexplain)."
    ),
    cap: int | None = typer.Option(None, help="Use at most this many texts per corpus (quick runs)."),
) -> None:
    """Train the speech classifiers: variants chosen by CV on each training split; corrections included.

    The new model is written aside and swapped in with one rename, so scoring never waits or breaks.
    """
    from tocsin.monitor import service
    from tocsin.monitor.speech.classifier import model_path

    s = settings()
    model = service.train_and_save(s, language or None, cap, log=lambda m: err_console.print(m, highlight=False))
    console.print(f"model with {len(model.languages)} language model(s), {sum(model.corrections.values())} "
                  f"correction(s) and {len(model.lexicon)} lexicon terms written to {model_path(s)}")


def _span(lo: float | None, hi: float | None) -> str:
    """An interval as "0.687-0.731"; a dash for a model saved before intervals were measured."""
    if lo is None or hi is None or lo != lo or hi != hi:
        return "–"
    return f"{lo:.3f}-{hi:.3f}"


@monitor_app.command("evaluate")
@friendly
def monitor_evaluate(
    rationales: bool = typer.Option(True, help="Also measure reasons against HateXplain's rationales."),
) -> None:
    """Macro-F1 on every held-out split beside the train-only CV score; reasons against annotators'."""
    from tocsin.monitor.speech import classifier
    from tocsin.prevention.render import numbered

    s = settings()
    model = classifier.load(classifier.model_path(s))
    # Short columns that fit 80; the CV's choice and the per-class F1 go below, one numbered line per row.
    table = Table(title="Speech classifiers: held-out macro-F1 (scored once) beside train-only CV")
    for col in ("#", "model", "held-out split", "macro-F1", "95% CI", "CV", "n"):
        table.add_column(col, no_wrap=col != "held-out split", justify="left" if col in ("model", "held-out split")
                         else "right")
    metrics = classifier.evaluate(model, s)
    below = []
    for i, m in enumerate(metrics, 1):
        table.add_row(str(i), m.key or m.language, m.split.removesuffix(" split"), f"{m.macro_f1:.3f}",
                      _span(*m.ci95), f"{m.cv_macro_f1:.3f}", str(m.n_test))
        per = ", ".join(f"{c} {m.per_class[c]:.2f}" for c in ("hate", "offensive", "neutral") if c in m.per_class)
        below.append((f"{i}.", Text.assemble((m.key or m.language, "bold"),
                                             f": chosen by CV: {m.variant}; F1 by class: {per}")))
    console.print(table)
    console.print(numbered(below))
    for key in dict.fromkeys(m.key or m.language for m in metrics):
        m = next(m for m in metrics if (m.key or m.language) == key)
        console.print(f"[dim]{key}: {m.corpus}; licence: {m.licence}; {m.citation}[/dim]", highlight=False)
    if rationales and "en" in model.languages:
        from tocsin.monitor.speech import rationale

        posts = rationale.load_posts(s)
        rows = [rationale.agreement(model, model.lexicon, posts, key)
                for key in ("en", "en-hatexplain") if key in model.languages]
        rows.append(rationale.lexicon_baseline(model.lexicon, posts))
        rt = Table(title="Reasons vs HateXplain annotators' rationales (test split, hate/offensive posts)")
        for col in ("highlighting", "token F1", "AUPRC", "posts"):
            rt.add_column(col)
        for a in rows:
            rt.add_row(a.method, f"{a.token_f1:.3f}", f"{a.auprc:.3f}", str(a.n_posts))
        console.print(rt)
        console.print("[dim]HateXplain: Mathew et al. (2021), CC BY 4.0; split as redistributed by SOLD.[/dim]",
                      highlight=False)


@monitor_app.command("model")
@friendly
def monitor_model(as_json: bool = typer.Option(False, "--json", help="Print the model card as JSON.")) -> None:
    """The model card: per-language F1 on each split, CV choice, training data and size, date, corrections."""
    from tocsin.monitor.speech import card, classifier
    from tocsin.prevention.render import numbered

    s = settings()
    path = classifier.model_path(s)
    data = card.read(path) if path.is_file() else None
    if data is None:
        data = card.card(classifier.load(path))
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    console.print(f"speech model trained {data['trained_at']} in {data['training_seconds']} s (seed {data['seed']}"
                  f"{', cap ' + str(data['cap']) if data['cap'] else ''}); {data['lexicon_terms']} lexicon terms; "
                  f"language identification: {data['language_identification']}", highlight=False)
    table = Table(title="Model card")
    for col in ("#", "model", "where", "training texts", "corrections", "CV"):
        table.add_column(col, no_wrap=col != "where", justify="left" if col in ("model", "where") else "right")
    below = []
    for i, m in enumerate(data["models"], 1):
        held = "; ".join(f"{h['macro_f1']:.3f} (95% CI {_span(*h.get('ci95') or (None, None))}) "
                         f"{h['split'].removesuffix(' split')} (n={h['n']})" for h in m["held_out"])
        countries = m["countries"] if isinstance(m["countries"], str) else ", ".join(m["countries"])
        cv = "–" if m["cv_macro_f1"] is None else f"{m['cv_macro_f1']:.3f}"
        table.add_row(str(i), m["key"], countries, str(m["n_train"]), str(m["corrections_used"]), cv)
        below.append((f"{i}.", Text.assemble((m["key"], "bold"),
                                             f": chosen by CV: {m['chosen']}; held-out macro-F1: {held or '–'}")))
    console.print(table)
    console.print(numbered(below))
    for m in data["models"]:
        console.print(f"[dim]{m['key']}: {m['corpus']}; licence: {m['licence']}; {m['citation']}[/dim]",
                      highlight=False)


@monitor_app.command("score")
@friendly
def monitor_score(
    file: Path = typer.Argument(..., help="Text file, one text per line ('-' for standard input)."),
    language: str | None = typer.Option(None, help="Language code (default: identified from the text)."),
    country: str | None = typer.Option(None, help="Country, to apply its lexicon and specialist models."),
    batch: int = typer.Option(2048, help="Lines scored together."),
) -> None:
    """Score each line; JSON lines (label, score, reasons, highlighted spans); no model for a language = no score."""

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
    unscored: dict[str, int] = {}

    def emit(lines: list[str]) -> None:
        for r in scorer.score_many(lines, language, iso3):
            sys.stdout.write(json.dumps(r.as_json(), ensure_ascii=False) + "\n")
            if r.score is None:  # no model for its language: say so on stderr too, once per language
                msg = r.reasons[0]["message"]
                unscored[msg] = unscored.get(msg, 0) + 1

    with stream:
        lines: list[str] = []
        for line in stream:
            lines.append(line.rstrip("\n"))
            if len(lines) >= batch:
                emit(lines)
                lines = []
        emit(lines)
    for msg, n in unscored.items():
        err_console.print(f"{n} line(s): {msg}", highlight=False)


@monitor_app.command("import")
@friendly
def monitor_import(
    file: Path,
    format: str = typer.Option("csv", "--format", help="csv, gdelt or acled"),
    as_user: str = typer.Option(..., "--as", help="Username the imported incidents are filed under."),
    token_stdin: bool = typer.Option(False, help="Read that user's (or an admin's) API token from stdin."),
) -> None:
    """Import incidents; bad rows are listed with line numbers, good rows kept, all in one transaction.

    The whole file commits or nothing does; a file already imported is refused, so a rerun adds nothing twice.
    """
    from tocsin.monitor import db, importers, service
    from tocsin.monitor.errors import SpeechModelMissing

    s = settings()
    token = _read_token(token_stdin)
    _, factory = service.open_db(s)
    with db.transaction(factory) as session:
        actor = _acting_user(session, as_user, token, "import")
        try:
            scorer = service.load_scorer(s, session)
        except SpeechModelMissing:
            scorer = None
            err_console.print("note: no speech model yet, texts are not scored (run `tocsin monitor train`)")
        report = importers.import_file(session, actor, format, file, scorer)
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
    token_stdin: bool = typer.Option(False, help="Read that user's (or an admin's) API token from stdin."),
) -> None:
    """Export every incident, streamed, without any reporter identity; spreadsheet formulas neutralised."""
    import os

    from tocsin.monitor import db, incidents, service

    token = _read_token(token_stdin)
    _, factory = service.open_db(settings())
    with db.transaction(factory) as session:
        q, fields = incidents.start_export(session, _acting_user(session, as_user, token, "export"), format,
                                           strip_text)
    # The audit row is committed; now stream every row (a second session, read-only).
    with factory() as session:
        if output is None:
            for chunk in incidents.stream_rows(session, q, fields, format, strip_text):
                sys.stdout.write(chunk)
            return
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # exports are sensitive
        with open(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in incidents.stream_rows(session, q, fields, format, strip_text):
                fh.write(chunk)
    console.print(f"wrote {output}")


@monitor_app.command("serve")
@friendly
def monitor_serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    max_concurrency: int = typer.Option(16, help="Requests served at once; others wait (see --queue-seconds)."),
    queue_seconds: float = typer.Option(10.0, help="How long a request waits for a slot before a 503."),
) -> None:
    """Serve the monitoring API alone (OpenAPI spec at /openapi.json); no access log, so no client address."""
    import uvicorn

    from tocsin.monitor import service
    from tocsin.web.app import create_monitor_app

    s = settings()
    service.open_db(s, migrate=True)
    app = create_monitor_app(s, max_concurrency=max_concurrency, queue_s=queue_seconds)
    # access_log off: uvicorn's access log prints each client's IP and path; SIGTERM drains for at most 5 s.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", timeout_graceful_shutdown=5)


# --- end monitor commands -----------------------------------------------------------------------------------

