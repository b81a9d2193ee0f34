"""Ranked prevention options for a country-year: the playbook's rules applied to the country's evidence.

Evidence: its drivers compared with every country's values the same year (and, where saved, the drivers'
contributions to the forecast), its trigger calendar (user entries, panel coups, monitoring alerts), its
subnational hotspots and its accountability flags. Rules and thresholds live in the playbook (see its
header); nothing here names a country. Other layers call `prevention_options(ccode, year, settings)`.

The as-of date (from which triggers are "ahead"): 1 January of year+1, the start of the two-year window a
forecast from year's data covers; if today falls inside that window, today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from tocsin.core import countries
from tocsin.core.errors import DataError, TocsinError, WarehouseError
from tocsin.core.settings import Settings
from tocsin.prevention.accountability import Flag
from tocsin.prevention.playbook import Playbook, Signal, Tool, load_playbook
from tocsin.prevention.triggers import CalendarEvent

USER_TRIGGER_KINDS = ("election", "referendum", "anniversary", "court_ruling", "other")


@dataclass(frozen=True)
class Evidence:
    signal: str
    kind: str
    text: str
    values: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    brief: str = ""  # a few words for the one-line rationale

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "kind": self.kind, "text": self.text, "values": self.values,
                "source": self.source}


@dataclass
class Option:
    """One ranked prevention tool: `.tool` (the playbook entry), `.score`, `.rationale`, `.evidence`."""

    tool: Tool
    score: float
    rationale: str
    evidence: list[Evidence]
    primary: list[str]
    secondary: list[str]

    def to_dict(self) -> dict[str, Any]:
        t = self.tool
        return {"tool": t.id, "name": t.name, "score": self.score, "rationale": self.rationale,
                "actors": list(t.actors), "lead_time": t.lead_time, "cost_class": t.cost_class,
                "un_factors": list(t.un_factors), "preconditions": list(t.preconditions),
                "evidence_notes": t.evidence_notes, "primary_signals": self.primary,
                "secondary_signals": self.secondary, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass
class CountryEvidence:
    """Everything the rules look at for one country-year. Build it with `gather_evidence`, or by hand."""

    ccode: int
    year: int
    name: str
    cross_section: pd.DataFrame  # one row per country that year: ccode + feature columns
    labels: dict[str, str] = field(default_factory=dict)  # feature -> label
    contributions: pd.DataFrame | None = None  # ccode, feature, contribution (that year)
    triggers: list[CalendarEvent] = field(default_factory=list)
    hotspots: dict[str, list[tuple[str, float]]] | None = None  # component -> [(area, raw value)]
    hotspot_year: int | None = None
    flags: list[Flag] = field(default_factory=list)
    as_of: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def when(self) -> date:
        return self.as_of or default_as_of(self.year)


def default_as_of(year: int, horizon_days: int = 730, today: date | None = None) -> date:
    start = date(year + 1, 1, 1)
    today = today or date.today()
    return today if start < today <= start + timedelta(days=horizon_days) else start


# --- signals ---------------------------------------------------------------------------------------------


def _percentile(values: pd.Series, x: float, direction: str) -> float:
    """Mid-rank share of countries at or below x (high) / at or above x (low): ties count half."""
    v = values.dropna().to_numpy(dtype=float)
    worse = (v < x).sum() if direction == "high" else (v > x).sum()
    return float((worse + 0.5 * (v == x).sum()) / len(v))


def _driver(sig: Signal, ev: CountryEvidence, book: Playbook, notes: set[str]) -> list[Evidence]:
    cs = ev.cross_section
    me = cs[cs["ccode"] == ev.ccode]
    out = []
    thr = sig.percentile if sig.percentile is not None else book.rules.elevated_percentile
    for f in sig.features:
        if f not in cs.columns:
            notes.add(f"feature {f} (signal {sig.id}) is not in the panel")
            continue
        if me.empty or pd.isna(me[f].iloc[0]):
            notes.add(f"no {f} value for {ev.name} in {ev.year}")
            continue
        x = float(me[f].iloc[0])
        n = int(cs[f].notna().sum())
        pct = _percentile(cs[f], x, sig.direction)
        bounds = (sig.at_least is None or x >= sig.at_least) and (sig.at_most is None or x <= sig.at_most)
        contrib = None
        cpct = None
        if ev.contributions is not None and not ev.contributions.empty:
            cf = ev.contributions[ev.contributions["feature"] == f]
            mine = cf[cf["ccode"] == ev.ccode]
            if not mine.empty and pd.notna(mine["contribution"].iloc[0]):
                contrib = float(mine["contribution"].iloc[0])
                pos = cf["contribution"][cf["contribution"] > 0]
                if contrib > 0 and len(pos):
                    cpct = _percentile(pos, contrib, "high")
        by_value = pct >= thr and bounds
        by_contrib = cpct is not None and cpct >= book.rules.contribution_percentile and bounds
        if not (by_value or by_contrib):
            continue
        label = ev.labels.get(f, f)
        rule = [f"{pct:.0%} percentile of {n} countries in {ev.year}"]
        if sig.at_least is not None:
            rule.append(f">= {sig.at_least:g}")
        if sig.at_most is not None:
            rule.append(f"<= {sig.at_most:g}")
        text = f"{label} ({f}) = {x:.3g}: " + ", ".join(rule)
        if contrib is not None:
            text += f"; contribution to the forecast {contrib:+.3g}"
            if cpct is not None:
                text += f" ({cpct:.0%} percentile of positive contributions)"
        out.append(Evidence(sig.id, "driver", text, {"feature": f, "value": x, "percentile": round(pct, 3),
                                                       "n_countries": n, "contribution": contrib}, "panel",
                            f"{f} = {x:.3g}, {pct:.0%} pct"))
    return out


def _trigger(sig: Signal, ev: CountryEvidence, book: Playbook) -> list[Evidence]:
    start = ev.when
    ahead = start + timedelta(days=book.rules.trigger_horizon_days)
    since = start - timedelta(days=book.rules.recent_days)
    out = []
    for t in ev.triggers:
        if t.kind not in sig.trigger_kinds or t.ccode != ev.ccode:
            continue
        if t.kind in USER_TRIGGER_KINDS:
            ok = start <= t.when <= ahead
            when = f"on {t.when.isoformat()}, ahead of {start.isoformat()}"
        else:  # coups and alerts: what had happened by the as-of date
            ok = since <= t.when <= start if t.exact_date else since.year <= t.when.year <= start.year
            when = f"on {t.when.isoformat()}" if t.exact_date else f"in {t.when.year}"
        if ok:
            src = f" (source: {t.source})" if t.source else ""
            out.append(Evidence(sig.id, "trigger", f"{t.title} {when}{src}",
                                {"kind": t.kind, "date": t.when.isoformat(), "origin": t.origin}, t.origin,
                                f"{t.kind} {t.when.isoformat() if t.exact_date else t.when.year}"))
    return out


def _hotspot(sig: Signal, ev: CountryEvidence) -> list[Evidence]:
    if not ev.hotspots:
        return []
    out = []
    for comp in sig.components:
        areas = [(a, v) for a, v in ev.hotspots.get(comp, []) if sig.raw_at_least is None or v >= sig.raw_at_least]
        if areas:
            top = ", ".join(f"{a} {v:.2g}" for a, v in areas[:5])
            more = f" and {len(areas) - 5} more" if len(areas) > 5 else ""
            bound = f" (raw >= {sig.raw_at_least:g})" if sig.raw_at_least is not None else ""
            out.append(Evidence(sig.id, "hotspot", f"{comp} hotspots in {ev.hotspot_year}{bound}: {top}{more}",
                                {"component": comp, "areas": areas[:10]}, "tocsin.geo.hotspots",
                                f"{comp}: {', '.join(a for a, _ in areas[:2])}"))
    return out


def active_signals(book: Playbook, ev: CountryEvidence) -> tuple[dict[str, list[Evidence]], list[str]]:
    """{signal id: evidence} for every active signal, and notes on what could not be evaluated."""
    notes: set[str] = set()
    active: dict[str, list[Evidence]] = {}
    for sig in book.signal:
        if sig.kind == "driver":
            found = _driver(sig, ev, book, notes)
        elif sig.kind == "trigger":
            found = _trigger(sig, ev, book)
        elif sig.kind == "hotspot":
            found = _hotspot(sig, ev)
        else:
            found = [Evidence(sig.id, "accountability", f.text, f.values, f.source, f.brief) for f in ev.flags
                     if f.flag == sig.flag]
        if found:
            active[sig.id] = found
    return active, sorted(notes)


def rank_options(book: Playbook, ev: CountryEvidence, include_zero: bool = False) -> tuple[list[Option], list[str]]:
    """Score every tool by the playbook's rules; return the options (best first) and notes."""
    active, notes = active_signals(book, ev)
    labels = book.signals()
    options = []
    for order, tool in enumerate(book.tool):
        if tool.requires_any and not any(s in active for s in tool.requires_any):
            if include_zero:
                options.append((0.0, 0, order, Option(tool, 0.0, "none of its required signals is active "
                                                      f"({', '.join(tool.requires_any)})", [], [], [])))
            continue
        prim = [s for s in tool.primary if s in active]
        sec = [s for s in tool.secondary if s in active]
        score = round(len(prim) * book.rules.primary_weight + len(sec) * book.rules.secondary_weight, 3)
        if score <= 0 and not include_zero:
            continue
        evidence = [e for s in prim + sec for e in active[s]]
        if prim or sec:
            def brief(s: str) -> str:
                items = list(dict.fromkeys(e.brief or e.text for e in active[s]))
                more = f" +{len(items) - 2} more" if len(items) > 2 else ""
                return f"{labels[s].label} ({'; '.join(items[:2])}{more})"

            rationale = "Addresses " + "; ".join(brief(s) for s in prim)
            if sec:
                rationale += (". Also: " if prim else "") + "; ".join(brief(s) for s in sec)
        else:
            rationale = "no signal it addresses is active for this country-year"
        options.append((-score, -len(prim), order, Option(tool, score, rationale, evidence, prim, sec)))
    return [o for *_, o in sorted(options, key=lambda x: x[:3])], notes


# --- gathering the evidence ------------------------------------------------------------------------------


def _labels(registry: Any) -> dict[str, str]:
    return {f.name: f.label for f in registry}


def gather_evidence(ccode: int, year: int, settings: Settings, *, as_of: date | None = None,
                    hotspots: bool = True, monitor: bool = True, accountability: bool = True) -> CountryEvidence:
    """Collect a country-year's evidence from the warehouse, saved results, the monitoring database and the
    hotspot inputs; every part that is absent is said so in `notes`, never filled in."""
    from tocsin.features.build import load_features
    from tocsin.warehouse.store import Warehouse

    wh = Warehouse(settings.warehouse_path)
    if not wh.exists():
        raise WarehouseError(f"no warehouse at {settings.warehouse_path}: run `tocsin data pull`")
    ff = load_features(wh)
    frame = ff.frame
    cs = frame[frame["year"] == year]
    me = cs[cs["ccode"] == ccode]
    c = countries.by_gwcode(ccode)
    if me.empty:
        years = frame.loc[frame["ccode"] == ccode, "year"]
        span = f" (it has {int(years.min())}-{int(years.max())})" if len(years) else ""
        raise DataError("panel", f"no panel row for country {ccode} ({c.name if c else '?'}) in {year}{span}")
    name = str(me["name"].iloc[0])
    iso3 = me["iso3"].iloc[0] if isinstance(me["iso3"].iloc[0], str) else None
    ev = CountryEvidence(ccode, year, name, cs.reset_index(drop=True), _labels(ff.registry), as_of=as_of)
    ev.as_of = as_of or default_as_of(year)
    _add_contributions(ev, settings)
    start, end = ev.as_of - timedelta(days=730), ev.as_of + timedelta(days=3650)
    if wh.has("ewp_in_coups_all"):
        from tocsin.prevention.triggers import panel_coups

        ev.triggers += panel_coups(wh.read("ewp_in_coups_all"), ccode, start, ev.as_of)
    if monitor:
        _add_monitor(ev, settings, iso3, start, end)
    if hotspots:
        _add_hotspots(ev, settings, iso3)
    if accountability:
        _add_accountability(ev, wh)
    return ev


def _add_contributions(ev: CountryEvidence, settings: Settings) -> None:
    from tocsin.evaluate.runs import RunStore

    run = RunStore(settings.runs_dir).latest()
    try:
        if run is None:
            raise TocsinError("no run")
        ex = run.store.explanations()
    except TocsinError:
        ev.notes.append("no saved explanations: driver contributions not used (run `tocsin forecast`)")
        return
    ex = ex[ex["year"] == ev.year]
    if ex.empty:
        ev.notes.append(f"the latest run's explanations do not cover {ev.year}: driver contributions not used")
        return
    ev.contributions = ex[["ccode", "feature", "contribution"]].reset_index(drop=True)


def _add_monitor(ev: CountryEvidence, settings: Settings, iso3: str | None, start: date, end: date, *,
                 alerts: bool = True) -> None:
    from sqlalchemy import inspect

    from tocsin.monitor import db
    from tocsin.prevention.triggers import list_triggers, monitor_alerts

    try:
        engine = db.make_engine(settings.monitor_url)
        tables = set(inspect(engine).get_table_names())
    except Exception as exc:  # an unreachable database is reported, not fatal: the rest still ranks
        ev.notes.append(f"monitoring database unreachable ({type(exc).__name__}): no trigger calendar or alerts")
        return
    try:
        factory = db.session_factory(engine)
        with factory() as s:
            if "prevention_triggers" in tables:
                ev.triggers += list_triggers(s, ev.ccode, start, end)
            else:
                ev.notes.append("no trigger calendar yet (`tocsin triggers add` or `tocsin triggers import`)")
            if not alerts:
                pass  # the caller may not see the monitor's alerts (an anonymous page)
            elif "monitor_alerts" in tables:
                ev.triggers += monitor_alerts(s, iso3, ev.ccode, start, end)
            else:
                ev.notes.append("no monitoring alerts (the monitoring database is not initialised)")
    finally:
        engine.dispose()


def _add_hotspots(ev: CountryEvidence, settings: Settings, iso3: str | None, result: Any = None) -> None:
    from tocsin.geo import hotspots as hs

    if result is None:
        if not iso3 or iso3 not in hs.INPUTS:
            ev.notes.append(f"no subnational hotspot inputs for {ev.name} in the data mirror")
            return
        try:
            result = hs.hotspots(iso3, settings, year=ev.year)
        except TocsinError as exc:
            try:
                latest = hs.default_year(iso3, settings)
                result = hs.hotspots(iso3, settings, year=latest)
                ev.notes.append(f"hotspots for {ev.year} unavailable ({exc}); using {latest}, the inputs' last year")
            except TocsinError as exc2:
                ev.notes.append(f"hotspots unavailable: {exc2}")
                return
    elif result.year != ev.year:
        ev.notes.append(f"hotspots from {result.year}, the subnational inputs' last year")
    ev.hotspot_year = result.year
    ev.hotspots = {}
    for comp in ("drought", "vegetation", "exposure", "violence", "exclusion"):
        col = f"raw_{comp}"
        if col in result.table.columns and result.table[col].notna().any():
            t = result.table[["name", col]].dropna().sort_values(col, ascending=False)
            ev.hotspots[comp] = [(str(a), float(v)) for a, v in t.itertuples(index=False)]


def _add_accountability(ev: CountryEvidence, wh: Any, tables: Any = None) -> None:
    from tocsin.prevention.accountability import AccountabilityTables, country_flags

    if tables is None:
        try:
            tables = AccountabilityTables.from_warehouse(wh)
        except WarehouseError as exc:
            ev.notes.append(f"accountability flags not checked: {exc}")
            return
    flags, notes = country_flags(tables, ev.ccode, ev.year)
    ev.flags += flags
    ev.notes += notes


# --- the entry point other layers call -------------------------------------------------------------------


@dataclass
class PreventionResult:
    ccode: int
    year: int
    name: str
    as_of: date
    options: list[Option]
    notes: list[str]
    playbook_version: str
    sources: list[dict[str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"ccode": self.ccode, "year": self.year, "country": self.name, "as_of": self.as_of.isoformat(),
                "playbook_version": self.playbook_version, "options": [o.to_dict() for o in self.options],
                "notes": self.notes, "sources": self.sources}


def prevention_report(country_ccode: int, year: int, settings: Settings | None = None, *,
                      playbook: Playbook | None = None, evidence: CountryEvidence | None = None,
                      as_of: date | None = None, hotspots: bool = True) -> PreventionResult:
    """Options with the notes and sources behind them (what the CLI and JSON show)."""
    if evidence is None:
        if settings is None:
            raise TocsinError("prevention options need either settings (to read the data) or evidence")
        evidence = gather_evidence(country_ccode, year, settings, as_of=as_of, hotspots=hotspots)
    book = playbook or load_playbook(settings=settings)
    options, notes = rank_options(book, evidence)
    from tocsin.prevention.accountability import sources_used

    used = {e.source for o in options for e in o.evidence}
    sources = [s for s in sources_used() if s["name"] in used]
    if "panel" in used:
        from tocsin.sources.ewp import CITATION, LICENCE, PUBLISHER

        sources.insert(0, {"name": "panel (EWP predictors; driver features)", "publisher": PUBLISHER,
                           "licence": LICENCE, "citation": CITATION + ". Driver features (climate, inequality, "
                           "exclusion): each source's licence and citation in `tocsin data status`."})
    return PreventionResult(country_ccode, year, evidence.name, evidence.when, options, evidence.notes + notes,
                            book.version, sources)


def prevention_options(country_ccode: int, year: int, settings: Settings | None = None, *,
                       playbook: Playbook | None = None, evidence: CountryEvidence | None = None,
                       as_of: date | None = None, hotspots: bool = True) -> list[Option]:
    """Ranked prevention options for a country-year (best first), each with `.tool`, `.score`, `.rationale`
    and `.evidence`. Pass `settings` to read the data, or a ready `evidence` (tests, callers with data)."""
    return prevention_report(country_ccode, year, settings, playbook=playbook, evidence=evidence, as_of=as_of,
                             hotspots=hotspots).options


# --- snapshots: evidence computed once per run, ranked on request with the live trigger calendar -----------


@dataclass
class EvidenceSnapshot:
    """Every country's evidence for one data year, as a run stores it: everything but the monitoring database
    (trigger calendar and alerts), which is read live when options are ranked."""

    year: int
    cross_section: pd.DataFrame
    labels: dict[str, str]
    countries: dict[int, dict[str, Any]]  # ccode -> name, iso3, hotspots, hotspot_year, flags, triggers, notes


def snapshot_evidence(frame: pd.DataFrame, registry: Any, year: int, ccodes: list[int], settings: Settings, *,
                      hotspot_results: dict[str, Any] | None = None) -> EvidenceSnapshot:
    """Evidence for every country in `ccodes` from one model frame, one set of accountability tables and the
    run's hotspot results (no feature building or index building per country)."""
    from tocsin.prevention.accountability import AccountabilityTables
    from tocsin.warehouse.store import Warehouse

    wh = Warehouse(settings.warehouse_path)
    cs = frame[frame["year"] == year].reset_index(drop=True)
    labels = _labels(registry)
    try:
        tables: Any = AccountabilityTables.from_warehouse(wh)
        table_note = None
    except WarehouseError as exc:
        tables, table_note = None, f"accountability flags not checked: {exc}"
    coups = wh.read("ewp_in_coups_all") if wh.has("ewp_in_coups_all") else None
    out: dict[int, dict[str, Any]] = {}
    for ccode in ccodes:
        me = cs[cs["ccode"] == ccode]
        if me.empty:
            continue
        iso3 = me["iso3"].iloc[0] if isinstance(me["iso3"].iloc[0], str) else None
        ev = CountryEvidence(ccode, year, str(me["name"].iloc[0]), cs, labels)
        ev.as_of = default_as_of(year)
        if coups is not None:
            from tocsin.prevention.triggers import panel_coups

            ev.triggers += panel_coups(coups, ccode, ev.as_of - timedelta(days=730), ev.as_of)
        result = (hotspot_results or {}).get(iso3 or "")
        if result is not None:
            _add_hotspots(ev, settings, iso3, result)
        else:
            ev.notes.append(f"no subnational hotspot inputs for {ev.name} in the data mirror")
        if tables is not None:
            _add_accountability(ev, wh, tables)
        elif table_note:
            ev.notes.append(table_note)
        out[ccode] = {"name": ev.name, "iso3": iso3, "hotspots": ev.hotspots, "hotspot_year": ev.hotspot_year,
                      "flags": ev.flags, "triggers": ev.triggers, "notes": ev.notes}
    return EvidenceSnapshot(year, cs, labels, out)


def evidence_from_snapshot(snap: EvidenceSnapshot, ccode: int, settings: Settings | None, *,
                           explanations: pd.DataFrame | None = None, monitor: bool = True, alerts: bool = True,
                           as_of: date | None = None) -> CountryEvidence:
    """One country's evidence from a run's snapshot, with the monitoring database's triggers read live."""
    c = snap.countries.get(ccode)
    if c is None:
        raise DataError("panel", f"the run has no evidence for country {ccode} in {snap.year}")
    ev = CountryEvidence(ccode, snap.year, c["name"], snap.cross_section, snap.labels, as_of=as_of)
    ev.as_of = as_of or default_as_of(snap.year)
    ev.hotspots, ev.hotspot_year = c["hotspots"], c["hotspot_year"]
    ev.flags = list(c["flags"])
    ev.triggers = list(c["triggers"])
    ev.notes = list(c["notes"])
    if explanations is not None and len(explanations):
        ex = explanations[explanations["year"] == snap.year]
        ev.contributions = ex[["ccode", "feature", "contribution"]].reset_index(drop=True)
    else:
        ev.notes.append("the run has no explanations: driver contributions not used")
    if monitor and settings is not None:
        _add_monitor(ev, settings, c["iso3"], ev.as_of - timedelta(days=730), ev.as_of + timedelta(days=3650),
                     alerts=alerts)
    return ev
