"""The trigger calendar: dated events users enter or import (elections, referendums, contested anniversaries,
court rulings), beside the coup attempts the panel knows and the monitoring alerts where they exist.

User entries live in the monitoring database (table prevention_triggers, see tracker_models). CSV imports
are all-or-nothing: a file with any bad row imports nothing and names the first bad line and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.core import countries
from tocsin.core.errors import CountryNotFoundError, DataError
from tocsin.monitor.alerts import list_alerts
from tocsin.prevention.tracker_models import TriggerEvent

USER_KINDS = ("election", "referendum", "anniversary", "court_ruling", "other")
CSV_COLUMNS = ("country", "kind", "date", "title")  # required; optional: source, note


@dataclass(frozen=True)
class CalendarEvent:
    """One dated trigger, whatever its origin: calendar (user), panel (coups) or monitor (alerts)."""

    ccode: int
    kind: str
    when: date
    title: str
    source: str | None
    origin: str
    exact_date: bool = True  # False for panel coups, known by year only

    def to_dict(self) -> dict[str, Any]:
        return {"ccode": self.ccode, "kind": self.kind, "date": self.when.isoformat(), "title": self.title,
                "source": self.source, "origin": self.origin, "exact_date": self.exact_date}


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p).strip().lower() for p in parts).encode()).hexdigest()


def parse_date(text: str, file: str = "input", column: str = "date") -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise DataError(file, f"{text!r} is not a date (use YYYY-MM-DD)", column=column) from exc


def add_trigger(session: Session, country: str | int, kind: str, when: date, title: str,
                source: str | None = None, note: str | None = None,
                origin: str = "manual") -> tuple[TriggerEvent, bool]:
    """Add a trigger (or find the identical one already there). Returns (row, created)."""
    if kind not in USER_KINDS:
        raise DataError("trigger", f"kind {kind!r} is not one of {', '.join(USER_KINDS)}", column="kind")
    if not title.strip():
        raise DataError("trigger", "a trigger needs a title", column="title")
    c = countries.lookup(country, year=when.year)
    fp = fingerprint(c.gwcode, kind, when.isoformat(), title)
    found = session.scalar(select(TriggerEvent).where(TriggerEvent.fingerprint == fp))
    if found is not None:
        return found, False
    row = TriggerEvent(country_gwcode=c.gwcode, country_iso3=c.iso3, country_name=c.name, kind=kind,
                       event_date=when, title=title.strip(), source=(source or "").strip() or None,
                       note=(note or "").strip() or None, origin=origin, fingerprint=fp)
    session.add(row)
    session.flush()
    return row, True


@dataclass
class ImportResult:
    added: int
    already_present: int


def read_csv_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a UTF-8 CSV with a header; a missing required column is an error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(str(path), f"cannot read: {exc.strerror}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    for col in required:
        if col not in header:
            raise DataError(str(path), f"required column is missing (columns: {', '.join(header) or 'none'})",
                            column=col)
    rows = []
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return rows


def import_triggers_csv(session: Session, path: Path) -> ImportResult:
    """Import columns country, kind, date, title[, source, note]; nothing is imported if any row is bad."""
    rows = read_csv_rows(path, CSV_COLUMNS)
    parsed = []
    for line, r in rows:
        where = f"{path}:{line}"
        for col in CSV_COLUMNS:
            if not r.get(col):
                raise DataError(where, "empty value where one is required", column=col)
        when = parse_date(r["date"], where)
        if r["kind"] not in USER_KINDS:
            raise DataError(where, f"kind {r['kind']!r} is not one of {', '.join(USER_KINDS)}", column="kind")
        try:
            countries.lookup(r["country"], year=when.year)
        except CountryNotFoundError as exc:
            raise DataError(where, str(exc), column="country") from exc
        parsed.append((r, when))
    added = present = 0
    for r, when in parsed:
        _, created = add_trigger(session, r["country"], r["kind"], when, r["title"], r.get("source"),
                                 r.get("note"), origin="csv")
        added, present = added + created, present + (not created)
    return ImportResult(added, present)


def list_triggers(session: Session, ccode: int | None = None, start: date | None = None,
                  end: date | None = None) -> list[CalendarEvent]:
    q = select(TriggerEvent).order_by(TriggerEvent.event_date, TriggerEvent.id)
    if ccode is not None:
        q = q.where(TriggerEvent.country_gwcode == ccode)
    if start is not None:
        q = q.where(TriggerEvent.event_date >= start)
    if end is not None:
        q = q.where(TriggerEvent.event_date <= end)
    return [CalendarEvent(t.country_gwcode, t.kind, t.event_date, t.title, t.source, "calendar")
            for t in session.scalars(q)]


def panel_coups(coups: pd.DataFrame, ccode: int, start: date, end: date) -> list[CalendarEvent]:
    """Coup attempts (Powell & Thyne, EWP's `ewp_in_coups_all`: cou.any by ccode-year) in [start, end].

    The table gives years only: an attempt counts when its year overlaps the window, dated 1 July."""
    c = coups[(coups["ccode"].astype(int) == ccode) & (coups["cou.any"].fillna(0) > 0)]
    years = sorted({int(y) for y in c["year"] if start.year <= int(y) <= end.year})
    return [CalendarEvent(ccode, "coup", date(y, 7, 1), f"Coup attempt in {y}", "Powell & Thyne via EWP",
                          "panel", exact_date=False) for y in years]


def monitor_alerts(session: Session, iso3: str | None, ccode: int, start: date, end: date) -> list[CalendarEvent]:
    """Escalation alerts of the monitoring module for the country with week_start in [start, end]."""
    if not iso3:
        return []
    out = []
    for a in list_alerts(session, None, country_iso3=iso3, since=start):
        if a.week_start <= end:
            out.append(CalendarEvent(ccode, "alert", a.week_start,
                                     f"Escalation alert: {a.category} (CUSUM {a.statistic:g} > {a.threshold:g})",
                                     f"monitor alert #{a.id}", "monitor"))
    return out
