"""Terminal rendering (rich) of prevention results, so the CLI commands stay thin."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from tocsin.prevention.accountability import AuditResult, sources_used
from tocsin.prevention.rank import PreventionResult
from tocsin.prevention.tracker import TrackerReport


def _sources(sources: list[dict[str, str]]) -> list[str]:
    return [f"[dim]{s['name']}: {s['publisher']}. Licence: {s['licence']}. {s['citation']}[/dim]" for s in sources]


def _table(title: str, columns: tuple[str, ...], shares: dict[str, int] | None = None, **kw: Any) -> Table:
    """With `shares` (column -> share of the width), each column gets its share of the terminal, so in a narrow
    one long text wraps by words where there is room for it instead of every column shrinking alike."""
    t = Table(title=title, expand=bool(shares), **kw)
    for col in columns:
        t.add_column(col, overflow="fold", ratio=(shares or {}).get(col))
    return t


def numbered(items: list[tuple[str, Text]]) -> Table:
    """`1. text` paragraphs that wrap by words under their text, at any terminal width."""
    g = Table.grid(padding=(0, 1))
    g.add_column(no_wrap=True, justify="right")
    g.add_column(ratio=1)
    for number, text in items:
        g.add_row(number, text)
    return g


def prevention(res: PreventionResult) -> list[Any]:
    # The evidence is long: it goes below the table (in full in --json), so the table fits 80 columns.
    t = _table(f"Prevention options for {res.name}, {res.year} data (triggers from {res.as_of}; playbook "
               f"{res.playbook_version})", ("#", "tool", "score", "who acts", "lead time", "cost"), show_lines=True)
    for i, o in enumerate(res.options, 1):
        t.add_row(str(i), o.tool.name, f"{o.score:g}", ", ".join(o.tool.actors), o.tool.lead_time,
                  o.tool.cost_class)
    out: list[Any] = [t]
    if res.options:
        out += ["[bold]Why[/bold] (the evidence behind each option; values and sources in full with --json):",
                numbered([(f"{i}.", Text.assemble((o.tool.name, "bold"), ": ", o.rationale))
                          for i, o in enumerate(res.options, 1)])]
    else:
        out.append("No tool in the playbook is called for by this country-year's evidence.")
    out += [f"[yellow]note:[/yellow] {n}" for n in res.notes]
    return out + _sources(res.sources)


def tracker(rep: TrackerReport) -> list[Any]:
    # Eight columns do not fit 80; the response and what followed go below, one numbered paragraph per warning.
    t = _table("Warnings and responses", ("#", "date", "country", "issuer", "risk", "lag (days)"),
               shares={"country": 2, "issuer": 3})
    for r in rep.rows:
        t.add_row(str(r.id), r.warned_on.isoformat(), r.country, r.issuer, r.risk_level,
                  "" if r.lag_days is None else str(r.lag_days))
    after = [(f"#{r.id}", Text.from_markup(
        f"{r.country}: " + (f"first response {r.first_response} ({r.first_actor})" if r.first_response
                            else "[red]no response[/red]")
        + f"; {r.followed}" + ("; onset also in the warning's year" if r.onset_same_year else "")))
        for r in rep.rows]
    sm = rep.summary()
    return [t, numbered(after), f"{sm['warnings']} warning(s): {sm['with_response']} with a response (median lag "
               f"{sm['median_lag_days']} days), {sm['no_response']} with none; followed by onset: "
               f"{sm['followed_by_onset']}, no onset: {sm['no_onset']}, not yet known: {sm['not_yet_known']}.",
            *[f"[yellow]note:[/yellow] {n}" for n in rep.notes],
            "[dim]Onsets: Early Warning Project (USHMM, Dartmouth); cite the Early Warning Project.[/dim]"]


def audit(res: AuditResult) -> list[Any]:
    out: list[Any] = []
    t = _table("Arms deliveries to governments with an ongoing state-led mass killing (SIPRI TIV, millions)",
               ("year", "recipient", "suppliers (TIV)", "total"))
    for r in res.suppliers_to_killing_governments().itertuples():
        t.add_row(str(r.year), r.recipient, r.suppliers, f"{r.tiv_total:g}")
    out.append(t)
    hr = res.arms[~res.arms["why"].str.contains("state-led mass killing", regex=False)]
    if not hr.empty:
        agg = hr.groupby(["year", "recipient"], as_index=False).agg(tiv=("tiv", "sum"), why=("why", "first"))
        t = _table(f"Arms deliveries to other countries among the {res.top_n} at highest risk (SIPRI TIV)",
                   ("year", "recipient", "TIV", "risk"))
        for r in agg.itertuples():
            t.add_row(str(r.year), r.recipient, f"{r.tiv:g}", r.why)
        out.append(t)
    if not res.aid.empty:
        t = _table("US foreign assistance to these countries (obligations, constant USD millions)",
                   ("year", "recipient", "obligated", "why"))
        for r in res.aid.itertuples():
            ob = r.obligations_usd_constant
            t.add_row(str(r.year), r.recipient, "" if ob != ob else f"{ob / 1e6:,.1f}", r.why)
        out.append(t)
    t = _table("Sanctions coverage of ongoing mass killings' perpetrators (OFAC SDN)",
               ("country", "perpetrator", "status", "SDN matches (score)"),
               shares={"country": 3, "perpetrator": 3, "status": 2, "SDN matches (score)": 4}, show_lines=True)
    for c in res.sanctions:
        shown = c.matches[:6] or c.possible[:3]
        items = "; ".join(f"{m.name} [{m.program}] ({m.score:g})" for m in shown)
        more = f"; +{len(c.matches) - 6} more" if len(c.matches) > 6 else ""
        t.add_row(c.country, c.perpetrator, c.status if c.matches else f"[red]{c.status}[/red]", items + more)
    out.append(t)
    out += [f"[yellow]note:[/yellow] {n}" for n in res.notes]
    out += [f"[dim]{k}: {len(v)} name(s) not matched to a state (non-state actors, regions, territories): "
            f"{', '.join(v[:12])}{' ...' if len(v) > 12 else ''}[/dim]" for k, v in res.unmatched.items()]
    return out + _sources(sources_used())


def calendar(rows: list[Any]) -> Table:
    from tocsin.core.countries import by_gwcode

    t = _table("Trigger calendar", ("date", "country", "kind", "title", "source"))
    for r in rows:
        c = by_gwcode(r.ccode)
        t.add_row(r.when.isoformat(), c.name if c else str(r.ccode), r.kind, r.title, r.source or "")
    return t
