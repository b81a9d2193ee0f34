"""Terminal rendering (rich) of the monthly watch, so `tocsin watch` stays thin and fits an 80-column terminal:
short columns in the tables, the drivers and events behind each rise below them as numbered paragraphs."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from tocsin.prevention.render import numbered


def _pct(p: float | None) -> str:
    return "" if p is None or p != p else f"{100 * p:.2f}%"


def evidence_line(ev: dict[str, Any]) -> str:
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


def risers(rep: dict[str, Any], run_id: str) -> list[Any]:
    t = Table(title=f"Monthly watch {rep['month']}: largest rises in 12-month risk", caption=f"run {run_id}")
    for col in ("#", "country", "risk", "before", "rank", "was", "yearly"):
        t.add_column(col, justify="left" if col == "country" else "right")
    why = []
    for i, r in enumerate(rep["risers"], 1):
        t.add_row(str(i), r["country"], _pct(r["prob"]), _pct(r["prob_before"]), str(int(r["rank"])),
                  str(int(r["rank_before"])), str(int(r["yearly_rank"])))
        moved = "; ".join(f"{d['label']} {d['log_odds_change']:+.2f}" for d in r["drivers"][:3])
        events = evidence_line(r["evidence"])
        text = Text.assemble((r["country"], "bold"), ": ", moved or "no input moved")
        if events:
            text.append(f". Events: {events}")
        why.append((f"{i}.", text))
    out: list[Any] = [t, "[dim]risk: 12-month risk now and the month before; rank, was: its rank now and then; "
                         "yearly: the yearly forecast's rank.[/dim]"]
    if why:
        out += ["[bold]What moved each[/bold] (change in log-odds per input, then the events behind it; in full "
                "with --json):", numbered(why)]
    if rep.get("levels_note"):
        out.append(Text(rep["levels_note"], style="yellow"))
    lags = ", ".join(f"{k.upper() if k != 'coups' else k} {v}" for k, v in rep["release_lag_months"].items())
    out.append(f"[dim]Signals as released by the end of {rep['month']} (release lags in months: "
               f"{lags}); yearly risk from run {rep['yearly_from_run']}, held fixed through "
               "its year. UCDP and GDELT monthly counts are THIRD-PARTY aggregates.[/dim]")
    return out


def evaluation(ev: dict[str, Any], run_id: str) -> list[Any]:
    t = Table(title=f"Monthly watch vs the yearly forecast held fixed, {ev['months'][0]}..{ev['months'][1]}",
              caption=f"{ev['country_months']} country-months, {ev['onsets_scored']} dated onsets; 95% "
                      "country-clustered intervals")
    for col in ("metric", "monthly", "yearly", "difference"):
        t.add_column(col, justify="right")
    for m, label in (("auc", "AUC"), ("top30_recall", "top-30"), ("brier", "Brier")):
        a, b, d = ev["monthly"][m], ev["yearly_held_fixed"][m], ev["difference_monthly_minus_yearly"][m]
        f = "{:.4f}" if m == "brier" else "{:.3f}"
        t.add_row(label, f"{f.format(a['value'])}\n({f.format(a['ci_low'])}-{f.format(a['ci_high'])})",
                  f"{f.format(b['value'])}\n({f.format(b['ci_low'])}-{f.format(b['ci_high'])})",
                  f"{f.format(d['difference'])}\n({f.format(d['ci_low'])}, {f.format(d['ci_high'])})")
    out: list[Any] = [t]
    for name in ("monthly", "yearly"):
        lead = ev.get(f"{name}_lead")
        if lead:
            out.append(f"Lead time ({name}): median {lead['median_months_missed_as_0']:.1f} months (missed = 0); "
                       f"{lead['in_top30_month_before']}/{lead['onsets']} onsets in the top 30 the month before "
                       f"(median lead among them: {lead['median_months_when_in_top30']})")
    yo = ev["year_only_onsets"]
    # Text, not markup: the events' names come from the data.
    out.append(Text(f"Year-only onsets (month unknown, excluded): {yo['count']} ({yo['excluded_country_months']} "
                    f"country-months): {', '.join(yo['onsets'])}"))
    out.append(f"Run {run_id} (watch).")
    return out
