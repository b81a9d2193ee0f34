"""`tocsin watch`: the monthly watch. `watch build` makes a watch run; `watch [--month]` reads it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tocsin.cli.common import app, console, err_console, friendly, progress_bar, settings

watch_app = typer.Typer(help="Monthly watch: every country's risk updated each month from dated events.",
                        invoke_without_command=True)
app.add_typer(watch_app, name="watch")


def _pct(p: float | None) -> str:
    return "" if p is None or p != p else f"{100 * p:.2f}%"


def _evidence_line(ev: dict[str, Any]) -> str:
    """What the sources said, in a line: only the signals that are there."""
    parts = []
    if ev.get("ucdp_civilian_deaths_3m") is not None:
        parts.append(f"UCDP civilian deaths {ev['ucdp_civilian_deaths_3m']:.0f} in the 3 months to "
                     f"{ev['ucdp_data_through']} (12 months before: {ev['ucdp_civilian_deaths_prior12'] or 0:.0f})")
    if ev.get("ucdp_one_sided_events_3m"):
        parts.append(f"one-sided events {ev['ucdp_one_sided_events_3m']:.0f}")
    if ev.get("views_sb_deaths_3m") is not None:
        parts.append(f"VIEWS state-based deaths {ev['views_sb_deaths_3m']:.0f}")
    if ev.get("gdelt_conflict_events_3m") is not None:
        parts.append(f"GDELT conflict events {ev['gdelt_conflict_events_3m']:.0f} / 3 months "
                     f"(12 months before: {ev['gdelt_conflict_events_prior12'] or 0:.0f}), protests "
                     f"{ev['gdelt_protest_events_3m'] or 0:.0f} ({ev['gdelt_protest_events_prior12'] or 0:.0f})")
    if ev.get("last_coup_date"):
        parts.append(f"coup attempt {ev['last_coup_date']} ({ev.get('coup_successes_6m') or 0:.0f} succeeded)")
    return "; ".join(parts)


@watch_app.callback()
@friendly
def watch(
    ctx: typer.Context,
    month: str = typer.Option(None, help="Month YYYY-MM (default: the run's last month)."),
    json_out: Path = typer.Option(None, "--json", help="Write the risers, evidence and ranking here."),
    top: int = typer.Option(10, help="Risers to list."),
    run: str = typer.Option(None, help="Watch run id (default: the latest)."),
    log_warnings: bool = typer.Option(True, "--log-warnings/--no-log-warnings",
                                      help="Log entries into the top 10 and big rises in the warning tracker."),
) -> None:
    """The countries whose monthly risk rose most, each with the events behind the rise (reads a watch run)."""
    if ctx.invoked_subcommand is not None:
        return
    from tocsin.reports.watch import open_watch, watch_report

    s = settings()
    w = open_watch(s, run)
    mi = w.month(month)
    rep = watch_report(w, mi, top)
    t = Table(title=f"Monthly watch {rep['month']}: largest rises in 12-month risk (run {w.run.id})")
    for col in ("country", "risk now", "month before", "rank", "rank before", "yearly rank", "what moved it"):
        t.add_column(col, justify="left" if col in ("country", "what moved it") else "right")
    for r in rep["risers"]:
        moved = "; ".join(f"{d['label']} {d['log_odds_change']:+.2f}" for d in r["drivers"][:3])
        t.add_row(r["country"], _pct(r["prob"]), _pct(r["prob_before"]), str(int(r["rank"])),
                  str(int(r["rank_before"])), str(int(r["yearly_rank"])), moved)
    console.print(t)
    for r in rep["risers"]:
        line = _evidence_line(r["evidence"])
        if line:
            console.print(f"[bold]{r['country']}[/bold]: {line}", soft_wrap=True, highlight=False)
    if rep.get("levels_note"):
        console.print(f"[yellow]{rep['levels_note']}[/yellow]", soft_wrap=True, highlight=False)
    console.print(f"[dim]Signals as released by the end of {rep['month']} (release lags in months: "
                  f"{rep['release_lag_months']}); yearly risk from run {rep['yearly_from_run']}, held fixed "
                  "through its year. UCDP and GDELT monthly counts are THIRD-PARTY aggregates.[/dim]",
                  soft_wrap=True)
    if log_warnings:
        logged = _log_warnings(s, w, mi)
        if logged:
            console.print(f"Logged {logged} new warning(s) in the warning-response tracker "
                          "(`tocsin warnings report`).")
    if json_out:
        json_out.write_text(json.dumps(rep, indent=1, default=str))
        console.print(f"Wrote {json_out}")


def _log_warnings(s: Any, w: Any, month: int) -> int:
    from tocsin.prevention.watch_warnings import log_watch_warnings

    return log_watch_warnings(s, w.run.id, w.predictions, month)


@watch_app.command("build")
@friendly
def build(
    forecast_run: str = typer.Option(None, "--forecast-run",
                                     help="Forecast run whose yearly track record is updated (default: latest)."),
    n_boot: int = typer.Option(1000, help="Bootstrap replicates for the 95% intervals."),
) -> None:
    """Build the country-month panel, fit the monthly model walk-forward 2000-2024 and score it against the
    yearly forecast held fixed, as a new watch run."""
    from tocsin.reports.watch import make_watch_run

    s = settings()
    with progress_bar() as prog:
        # 2000-01..2024-12, one refit a month (reports.watch.FIRST_FORECAST to the panel's last year).
        task = prog.add_task("monthly walk-forward", total=25 * 12)
        run = make_watch_run(s, forecast_run=forecast_run, n_boot=n_boot,
                             stage=lambda m: err_console.print(m, highlight=False),
                             progress=lambda n: prog.update(task, completed=n))
    ev = json.loads((run.path / "watch_evaluation.json").read_text())
    t = Table(title=f"Monthly watch vs the yearly forecast held fixed, {ev['months'][0]}..{ev['months'][1]} "
              f"({ev['country_months']} country-months, {ev['onsets_scored']} dated onsets)")
    for col in ("metric", "monthly", "yearly held fixed", "difference"):
        t.add_column(col, justify="right")
    for m in ("auc", "top30_recall", "brier"):
        a, b, d = ev["monthly"][m], ev["yearly_held_fixed"][m], ev["difference_monthly_minus_yearly"][m]
        f = "{:.4f}" if m == "brier" else "{:.3f}"
        t.add_row(m, f"{f.format(a['value'])} ({f.format(a['ci_low'])}-{f.format(a['ci_high'])})",
                  f"{f.format(b['value'])} ({f.format(b['ci_low'])}-{f.format(b['ci_high'])})",
                  f"{f.format(d['difference'])} ({f.format(d['ci_low'])} to {f.format(d['ci_high'])})")
    console.print(t)
    for name in ("monthly", "yearly"):
        lead = ev.get(f"{name}_lead")
        if lead:
            console.print(f"Lead time ({name}): median {lead['median_months_missed_as_0']:.1f} months "
                          f"(missed = 0); {lead['in_top30_month_before']}/{lead['onsets']} onsets in the top 30 "
                          f"the month before (median lead among them: {lead['median_months_when_in_top30']})")
    yo = ev["year_only_onsets"]
    console.print(f"Year-only onsets (month unknown, excluded): {yo['count']} "
                  f"({yo['excluded_country_months']} country-months): {', '.join(yo['onsets'])}", soft_wrap=True)
    console.print(f"Run {run.id} (watch, {date.today()}).")
