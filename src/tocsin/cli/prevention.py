"""Commands: prevent, triggers, warnings, accountability, playbook."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from tocsin.cli.common import app, console, err_console, friendly, settings
from tocsin.cli.common import warehouse as _warehouse
from tocsin.core.errors import TocsinError

# --- prevention commands: prevent, triggers, warnings, accountability, playbook -----------------------------
triggers_app = typer.Typer(help="Trigger calendar: elections, referendums, anniversaries.", no_args_is_help=True)
warnings_app = typer.Typer(help="Warning-response tracker: warnings, responses, lags, what followed.",
                           no_args_is_help=True)
playbook_app = typer.Typer(help="The prevention playbook (TOML): check your own copy.", no_args_is_help=True)
app.add_typer(triggers_app, name="triggers")
app.add_typer(warnings_app, name="warnings")
app.add_typer(playbook_app, name="playbook")


def _show(items: list[Any], payload: dict[str, Any] | None = None, json_out: Path | None = None) -> None:
    for item in items:
        console.print(item, highlight=False)  # notes and citations wrap by words at the terminal's width
    if json_out and payload is not None:
        json_out.write_text(json.dumps(payload, indent=1, default=str))
        console.print(f"Wrote {json_out}")


@app.command("prevent")
@friendly
def prevent_cmd(
    country: str = typer.Argument(..., help="Country name, ISO3 or GW code, e.g. 'Burma/Myanmar'."),
    year: int = typer.Option(None, "--year", help="Data year (default: the panel's latest)."),
    json_out: Path = typer.Option(None, "--json", help="Also write the options and evidence as JSON."),
    no_hotspots: bool = typer.Option(False, "--no-hotspots", help="Skip the subnational hotspot inputs."),
    run: str = typer.Option(None, "--run", help="Read this run (id or prefix) instead of the latest."),
) -> None:
    """Rank the playbook's prevention tools for a country from its drivers, triggers, hotspots and flags.

    The evidence comes from the run (latest, or --run) and the trigger calendar as it is now; a --year the run
    does not cover gathers the evidence from the warehouse now."""
    from tocsin.core import countries
    from tocsin.evaluate.runs import RunStore
    from tocsin.prevention import render
    from tocsin.prevention.rank import evidence_from_snapshot, prevention_report
    from tocsin.reports.produce import explanations, load_evidence

    s = settings()
    chosen = RunStore(s.runs_dir).resolve(run) if run else RunStore(s.runs_dir).latest()
    snap = load_evidence(chosen) if chosen else None
    if snap is not None and year in (None, snap.year):
        ccode = countries.lookup(country, year=snap.year).gwcode
        ev = evidence_from_snapshot(snap, ccode, s, explanations=explanations(chosen))
        if no_hotspots:
            ev.hotspots, ev.hotspot_year = None, None
        res = prevention_report(ccode, snap.year, s, evidence=ev)
        res.notes.insert(0, f"evidence from run {chosen.id}")
    else:
        if run:
            raise TocsinError(f"run {chosen.id if chosen else run} holds no prevention evidence for {year}")
        year = year or int(_warehouse(s).query("SELECT max(year) AS y FROM ewp_panel")["y"].iloc[0])
        res = prevention_report(countries.lookup(country, year=year).gwcode, year, s, hotspots=not no_hotspots)
    _show(render.prevention(res), res.to_dict(), json_out)


@triggers_app.command("add")
@friendly
def triggers_add(
    country: str = typer.Argument(..., help="Country name, ISO3 or GW code."),
    kind: str = typer.Argument(..., help="election, referendum, anniversary, court_ruling or other."),
    when: str = typer.Argument(..., help="Date, YYYY-MM-DD."),
    title: str = typer.Argument(..., help="What happens, e.g. 'Presidential election'."),
    source: str = typer.Option(None, help="Where the date comes from (URL or reference)."),
    note: str = typer.Option(None, help="Anything else worth knowing."),
) -> None:
    """Add one dated trigger to the calendar."""
    from tocsin.prevention.service import session
    from tocsin.prevention.triggers import add_trigger, parse_date

    with session(settings(), write=True) as sess:
        row, new = add_trigger(sess, country, kind, parse_date(when), title, source, note)
        console.print(f"{'Added' if new else 'Already there:'} #{row.id} {row.country_name} {row.event_date}")


@triggers_app.command("import")
@friendly
def triggers_import(path: Path = typer.Argument(..., help="CSV: country, kind, date, title[, source, note].")) -> None:
    """Import triggers from a CSV (nothing is imported if any row is bad)."""
    from tocsin.prevention.service import session
    from tocsin.prevention.triggers import import_triggers_csv

    with session(settings(), write=True) as sess:
        r = import_triggers_csv(sess, path)
    console.print(f"Imported {r.added} trigger(s); {r.already_present} already present.")


@triggers_app.command("list")
@friendly
def triggers_list(country: str = typer.Option(None, help="Only this country."),
                  since: str = typer.Option(None, help="Only from this date (YYYY-MM-DD).")) -> None:
    """List the calendar (user entries; `tocsin prevent` adds panel coups and monitoring alerts)."""
    from tocsin.core import countries
    from tocsin.prevention import render
    from tocsin.prevention.service import session
    from tocsin.prevention.triggers import list_triggers, parse_date

    with session(settings()) as sess:
        rows = list_triggers(sess, countries.lookup(country).gwcode if country else None,
                             parse_date(since) if since else None)
    console.print(render.calendar(rows))


@warnings_app.command("add")
@friendly
def warnings_add(
    country: str = typer.Argument(..., help="Country name, ISO3 or GW code."),
    when: str = typer.Option(..., "--date", help="Date of the warning, YYYY-MM-DD."),
    issuer: str = typer.Option(..., help="Who issued it."),
    risk_level: str = typer.Option(..., "--risk-level", help="Risk level as the issuer put it."),
    action: str = typer.Option(..., "--action", help="The recommended action."),
    evidence: str = typer.Option(None, help="The evidence cited."),
) -> None:
    """Record a warning."""
    from tocsin.prevention.service import session
    from tocsin.prevention.tracker import add_warning
    from tocsin.prevention.triggers import parse_date

    with session(settings(), write=True) as sess:
        w, new = add_warning(sess, parse_date(when), issuer, country, risk_level, action, evidence)
        console.print(f"{'Recorded' if new else 'Already recorded:'} warning #{w.id} ({w.country_name}, {w.warned_on})")


@warnings_app.command("respond")
@friendly
def warnings_respond(
    warning_id: int = typer.Argument(..., help="The warning's number (see `tocsin warnings report`)."),
    when: str = typer.Option(..., "--date", help="Date of the response, YYYY-MM-DD."),
    actor: str = typer.Option(..., help="Who responded."),
    action: str = typer.Option(..., help="What they did."),
    link: str = typer.Option(None, help="Where it is documented."),
) -> None:
    """Record a response to a warning."""
    from tocsin.prevention.service import session
    from tocsin.prevention.tracker import add_response
    from tocsin.prevention.triggers import parse_date

    with session(settings(), write=True) as sess:
        r, new = add_response(sess, warning_id, parse_date(when), actor, action, link)
        console.print(f"{'Recorded' if new else 'Already recorded:'} response #{r.id} to warning #{warning_id}")


@warnings_app.command("import")
@friendly
def warnings_import(path: Path = typer.Argument(..., help="CSV: date, issuer, country, risk_level, recommended_action"
                                                "[, evidence, response_date, response_actor, response_action, "
                                                "response_link].")) -> None:
    """Import a warning log (one row per warning, or per response with the warning's fields repeated)."""
    from tocsin.prevention.service import session
    from tocsin.prevention.tracker import import_log_csv

    with session(settings(), write=True) as sess:
        r = import_log_csv(sess, path)
    console.print(f"Imported {r.warnings_added} warning(s), {r.responses_added} response(s); "
                  f"{r.already_present} row(s) already present.")


@warnings_app.command("report")
@friendly
def warnings_report(country: str = typer.Option(None, help="Only this country."),
                    json_out: Path = typer.Option(None, "--json", help="Also write the report as JSON.")) -> None:
    """Lag from warning to first response, warnings with no response, and what followed (onset or not)."""
    from tocsin.core import countries
    from tocsin.prevention import render
    from tocsin.prevention.service import panel_onsets, session
    from tocsin.prevention.tracker import report

    s = settings()
    with session(s) as sess:
        rep = report(sess, panel_onsets(s), countries.lookup(country).gwcode if country else None)
    _show(render.tracker(rep), rep.to_dict(), json_out)


@app.command("accountability")
@friendly
def accountability_cmd(
    supplier: str = typer.Option(None, "--supplier", help="Only arms from this supplier, e.g. 'United States'."),
    year_from: int = typer.Option(None, "--year-from", help="First year (default: ten years to the data's end)."),
    year_to: int = typer.Option(None, "--year-to", help="Last year (default: the data's last)."),
    top: int = typer.Option(30, "--top", help="Countries at highest risk: the top N each year."),
    json_out: Path = typer.Option(None, "--json", help="Also write the whole audit as JSON."),
) -> None:
    """Security-partner audit: arms and US aid to governments killing civilians or at highest risk; OFAC
    sanctions coverage of the perpetrators of ongoing mass killings."""
    from tocsin.evaluate.runs import RunStore
    from tocsin.prevention import render
    from tocsin.prevention.accountability import AccountabilityTables, audit

    s = settings()
    latest = RunStore(s.runs_dir).latest()
    fc = latest.store.forecast() if latest else None
    tables = AccountabilityTables.from_warehouse(_warehouse(s), fc)
    res = audit(tables, supplier=supplier, year_from=year_from, year_to=year_to, top_n=top)
    _show(render.audit(res), res.to_dict(), json_out)


@playbook_app.command("validate")
@friendly
def playbook_validate(path: Path = typer.Argument(None, help="A playbook TOML (default: the one in use).")) -> None:
    """Check a playbook against the schema; every problem is listed with its line."""
    from tocsin.prevention.playbook import PlaybookError
    from tocsin.prevention.service import check_playbook

    try:
        chosen, book, warnings = check_playbook(path, settings())
    except PlaybookError as exc:
        for i in exc.issues:
            err_console.print(f"[red]{exc.file}:{i.line}:[/red] {i.where}: {i.message}", highlight=False)
        sys.exit(1)
    _show([f"[yellow]warning:[/yellow] {w}" for w in warnings])
    console.print(f"{chosen}: valid (playbook {book.version}, {len(book.tool)} tools, {len(book.signal)} signals)")


# --- end prevention commands -------------------------------------------------------------------------------
