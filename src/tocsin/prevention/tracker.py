"""Warning-response tracker: who was warned, what was asked, who did what and when, and what followed.

Warnings and responses live in the monitoring database (tables prevention_warnings / prevention_responses).
The report gives, per warning, the lag in days to its first response (none: "no response"), and what
followed: a new state-led mass-killing onset (the panel's mk_onset) in the two calendar years after the
warning's year, or none, or "not yet known" when the panel does not cover those years yet. An onset in the
warning's own year is shown apart, since the panel cannot tell whether it came before or after the warning.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tocsin.core import countries
from tocsin.core.errors import CountryNotFoundError, DataError
from tocsin.monitor import audit
from tocsin.prevention.tracker_models import EarlyWarning, WarningResponse
from tocsin.prevention.triggers import fingerprint, parse_date, read_csv_rows

WARNING_COLUMNS = ("date", "issuer", "country", "risk_level", "recommended_action")
# Optional: evidence, and for a response on the same row: response_date, response_actor, response_action,
# response_link. Rows repeating a warning's fields add responses to that one warning.
FOLLOW_YEARS = 2


def add_warning(session: Session, warned_on: date, issuer: str, country: str | int, risk_level: str,
                recommended_action: str, evidence: str | None = None, origin: str = "manual"
                ) -> tuple[EarlyWarning, bool]:
    """Record a warning (or find the identical one already recorded). Returns (row, created)."""
    for name, value in (("issuer", issuer), ("risk_level", risk_level), ("recommended_action", recommended_action)):
        if not str(value).strip():
            raise DataError("warning", "a value is required", column=name)
    c = countries.lookup(country, year=warned_on.year)
    fp = fingerprint("warning", warned_on.isoformat(), issuer, c.gwcode, risk_level, recommended_action)
    found = session.scalar(select(EarlyWarning).where(EarlyWarning.fingerprint == fp))
    if found is not None:
        return found, False
    row = EarlyWarning(warned_on=warned_on, issuer=issuer.strip(), country_gwcode=c.gwcode, country_iso3=c.iso3,
                       country_name=c.name, risk_level=risk_level.strip(),
                       recommended_action=recommended_action.strip(), evidence=(evidence or "").strip() or None,
                       origin=origin, fingerprint=fp)
    session.add(row)
    session.flush()
    audit.record(session, None, "warning.add", "prevention_warning", row.id, issuer=row.issuer,
                 country=row.country_name)
    return row, True


def add_response(session: Session, warning_id: int, responded_on: date, actor: str, action: str,
                 link: str | None = None, origin: str = "manual") -> tuple[WarningResponse, bool]:
    """Record a response to warning `warning_id`; a response dated before its warning is refused."""
    w = session.get(EarlyWarning, warning_id)
    if w is None:
        raise DataError("response", f"no warning #{warning_id}")
    if responded_on < w.warned_on:
        raise DataError("response", f"dated {responded_on} before its warning ({w.warned_on})", column="date")
    if not actor.strip() or not action.strip():
        raise DataError("response", "a response needs an actor and an action")
    fp = fingerprint("response", warning_id, responded_on.isoformat(), actor, action)
    found = session.scalar(select(WarningResponse).where(WarningResponse.fingerprint == fp))
    if found is not None:
        return found, False
    row = WarningResponse(warning_id=warning_id, responded_on=responded_on, actor=actor.strip(),
                          action=action.strip(), link=(link or "").strip() or None, origin=origin, fingerprint=fp)
    session.add(row)
    session.flush()
    audit.record(session, None, "warning.respond", "prevention_warning", warning_id, responder=row.actor)
    return row, True


@dataclass
class LogImport:
    warnings_added: int = 0
    responses_added: int = 0
    already_present: int = 0


def import_log_csv(session: Session, path: Path) -> LogImport:
    """Import a warning log: columns date, issuer, country, risk_level, recommended_action[, evidence,
    response_date, response_actor, response_action, response_link]. All-or-nothing on a bad row."""
    rows = read_csv_rows(path, WARNING_COLUMNS)
    checked = []
    for line, r in rows:
        where = f"{path}:{line}"
        for col in WARNING_COLUMNS:
            if not r.get(col):
                raise DataError(where, "empty value where one is required", column=col)
        warned = parse_date(r["date"], where)
        try:
            countries.lookup(r["country"], year=warned.year)
        except CountryNotFoundError as exc:
            raise DataError(where, str(exc), column="country") from exc
        resp = None
        if any(r.get(k) for k in ("response_date", "response_actor", "response_action")):
            for col in ("response_date", "response_actor", "response_action"):
                if not r.get(col):
                    raise DataError(where, "a response needs a date, an actor and an action", column=col)
            resp = parse_date(r["response_date"], where, "response_date")
            if resp < warned:
                raise DataError(where, f"response dated {resp} before its warning ({warned})", column="response_date")
        checked.append((r, warned, resp))
    result = LogImport()
    for r, warned, resp in checked:
        w, created = add_warning(session, warned, r["issuer"], r["country"], r["risk_level"],
                                 r["recommended_action"], r.get("evidence"), origin="csv")
        result.warnings_added += created
        result.already_present += not created
        if resp is not None:
            _, rc = add_response(session, w.id, resp, r["response_actor"], r["response_action"],
                                 r.get("response_link"), origin="csv")
            result.responses_added += rc
            result.already_present += not rc
    return result


# --- the report ------------------------------------------------------------------------------------------


@dataclass
class WarningOutcome:
    id: int
    warned_on: date
    issuer: str
    country: str
    ccode: int
    risk_level: str
    recommended_action: str
    n_responses: int
    first_response: date | None
    first_actor: str | None
    lag_days: int | None
    followed: str
    onset_same_year: bool | None

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["warned_on"] = self.warned_on.isoformat()
        d["first_response"] = self.first_response.isoformat() if self.first_response else None
        return d


@dataclass
class TrackerReport:
    rows: list[WarningOutcome]
    panel_last_year: int | None
    notes: list[str] = field(default_factory=list)

    @property
    def n_warnings(self) -> int:
        return len(self.rows)

    @property
    def no_response(self) -> list[WarningOutcome]:
        return [r for r in self.rows if r.lag_days is None]

    @property
    def lags(self) -> list[int]:
        return [r.lag_days for r in self.rows if r.lag_days is not None]

    def summary(self) -> dict[str, Any]:
        lags = self.lags
        return {
            "warnings": self.n_warnings, "with_response": len(lags), "no_response": len(self.no_response),
            "share_no_response": round(len(self.no_response) / self.n_warnings, 3) if self.rows else None,
            "median_lag_days": statistics.median(lags) if lags else None,
            "mean_lag_days": round(statistics.fmean(lags), 1) if lags else None,
            "max_lag_days": max(lags) if lags else None,
            "followed_by_onset": sum(r.followed.startswith("onset") for r in self.rows),
            "no_onset": sum(r.followed.startswith("no onset") for r in self.rows),
            "not_yet_known": sum(r.followed.startswith("not yet known") for r in self.rows),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "warnings": [r.to_dict() for r in self.rows],
                "panel_last_year": self.panel_last_year, "notes": self.notes,
                "method": f"lag = days from the warning to its first response; what followed = a new state-led "
                          f"mass-killing onset (EWP mk_onset) in the {FOLLOW_YEARS} calendar years after the "
                          "warning's year"}


def _followed(onsets: pd.DataFrame | None, ccode: int, year: int) -> tuple[str, bool | None]:
    if onsets is None or onsets.empty:
        return "not known (no panel loaded)", None
    last = int(onsets["year"].max())
    mine = onsets[onsets["ccode"] == ccode]
    if mine.empty:
        return "not known (country not in the panel)", None
    hit = mine[(mine["year"] > year) & (mine["year"] <= year + FOLLOW_YEARS) & (mine["mk_onset"] > 0)]
    same = bool(((mine["year"] == year) & (mine["mk_onset"] > 0)).any()) if year <= last else None
    if not hit.empty:
        return f"onset in {', '.join(str(int(y)) for y in sorted(hit['year']))}", same
    if year + FOLLOW_YEARS > last:
        return f"not yet known (panel ends {last})", same
    return f"no onset in {year + 1}-{year + FOLLOW_YEARS}", same


def report(session: Session, onsets: pd.DataFrame | None = None, ccode: int | None = None) -> TrackerReport:
    """Every warning with its first response, lag and what followed; `onsets` is the panel's
    (ccode, year, mk_onset) or None when no panel is available."""
    q = select(EarlyWarning).options(selectinload(EarlyWarning.responses)).order_by(EarlyWarning.warned_on,
                                                                                    EarlyWarning.id)
    if ccode is not None:
        q = q.where(EarlyWarning.country_gwcode == ccode)
    rows = []
    for w in session.scalars(q):
        first = min(w.responses, key=lambda r: (r.responded_on, r.id)) if w.responses else None
        followed, same = _followed(onsets, w.country_gwcode, w.warned_on.year)
        rows.append(WarningOutcome(w.id, w.warned_on, w.issuer, w.country_name, w.country_gwcode, w.risk_level,
                                   w.recommended_action, len(w.responses), first.responded_on if first else None,
                                   first.actor if first else None,
                                   (first.responded_on - w.warned_on).days if first else None, followed, same))
    last = int(onsets["year"].max()) if onsets is not None and not onsets.empty else None
    notes = [] if onsets is not None else ["no panel: run `tocsin data pull` to see what followed each warning"]
    return TrackerReport(rows, last, notes)
