"""`tocsin watch`: the monthly watch. `watch build` makes a watch run; `watch [--month]` reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from tocsin.cli.common import app, console, err_console, friendly, progress_bar, settings

watch_app = typer.Typer(help="Monthly watch: every country's risk updated each month from dated events.",
                        invoke_without_command=True)
app.add_typer(watch_app, name="watch")


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
    from tocsin.reports import watch_render
    from tocsin.reports.watch import open_watch, watch_report

    s = settings()
    w = open_watch(s, run)
    mi = w.month(month)
    rep = watch_report(w, mi, top)
    for item in watch_render.risers(rep, w.run.id):
        console.print(item, highlight=False)
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
    from tocsin.reports import watch_render
    from tocsin.reports.watch import make_watch_run

    s = settings()
    with progress_bar() as prog:
        # 2000-01..2024-12, one refit a month (reports.watch.FIRST_FORECAST to the panel's last year).
        task = prog.add_task("monthly walk-forward", total=25 * 12)
        run = make_watch_run(s, forecast_run=forecast_run, n_boot=n_boot,
                             stage=lambda m: err_console.print(m, highlight=False),
                             progress=lambda n: prog.update(task, completed=n))
    ev = json.loads((run.path / "watch_evaluation.json").read_text())
    for item in watch_render.evaluation(ev, run.id):
        console.print(item, highlight=False)
