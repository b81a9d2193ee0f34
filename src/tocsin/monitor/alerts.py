"""Escalation alerts: weekly weighted counts per country and category, watched by a one-sided CUSUM.

Weight of an incident = verification weight (verified 1, unverified 0.5, rejected/duplicate 0) times
(0.5 + danger score) when the text was scored, else times 1. The detector standardises each week against
a trailing baseline that ends a few weeks earlier (so a fresh rise does not hide itself), with a Poisson
floor on the spread, and accumulates excess: S_t = max(0, S_{t-1} + z_t - k). An alert fires when S_t > h.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.monitor import audit
from tocsin.monitor.auth import require
from tocsin.monitor.models import Alert, Incident, Status, User

STATUS_WEIGHT = {
    Status.verified.value: 1.0,
    Status.unverified.value: 0.5,
    Status.rejected.value: 0.0,
    Status.duplicate.value: 0.0,
}


@dataclass(frozen=True)
class CusumParams:
    k: float = 0.5  # allowance, in baseline standard deviations
    h: float = 5.0  # decision threshold
    baseline: int = 12  # weeks in the trailing baseline
    lag: int = 4  # weeks between the baseline's end and the week tested
    min_history: int = 8  # weeks of baseline needed before testing


@dataclass
class Signal:
    index: int
    statistic: float
    baseline_mean: float
    baseline_sd: float
    run: list[int] = field(default_factory=list)  # indices of the weeks that built up the statistic


def cusum(values: Sequence[float], params: CusumParams = CusumParams()) -> list[Signal]:
    """Indices where the one-sided upper CUSUM crosses h (then it restarts)."""
    signals: list[Signal] = []
    s, run = 0.0, []
    for t in range(len(values)):
        end = t - params.lag + 1
        start = max(0, end - params.baseline)
        window = list(values[start:end]) if end > 0 else []
        if len(window) < params.min_history:
            continue
        mean = sum(window) / len(window)
        sd = math.sqrt(sum((v - mean) ** 2 for v in window) / max(1, len(window) - 1))
        sd = max(sd, math.sqrt(max(mean, 1.0)))  # Poisson floor: sparse series must not look certain
        z = (values[t] - mean) / sd
        s = max(0.0, s + z - params.k)
        run = [*run, t] if s > 0 else []
        if s > params.h:
            signals.append(Signal(t, round(s, 3), round(mean, 3), round(sd, 3), run))
            s, run = 0.0, []
    return signals


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def incident_weight(incident: Incident) -> float:
    w = STATUS_WEIGHT.get(incident.status, 0.0)
    return w * (0.5 + incident.danger_score) if incident.danger_score is not None else w


def weekly_series(incidents: Sequence[Incident], until: date) -> dict[tuple[str, str], dict[str, Any]]:
    """{(iso3, category): {weeks, counts, weights, ids}} with empty weeks filled in."""
    by_key: dict[tuple[str, str], list[Incident]] = {}
    for inc in incidents:
        by_key.setdefault((inc.country_iso3, inc.category), []).append(inc)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    last = week_start(until)
    for key, items in by_key.items():
        first = week_start(min(i.event_date for i in items))
        n = (last - first).days // 7 + 1
        if n <= 0:
            continue
        weeks = [first + timedelta(weeks=i) for i in range(n)]
        counts, weights, ids = [0] * n, [0.0] * n, [[] for _ in range(n)]
        for inc in items:
            i = (week_start(inc.event_date) - first).days // 7
            if 0 <= i < n:
                counts[i] += 1
                weights[i] += incident_weight(inc)
                ids[i].append(inc.id)
        out[key] = {"weeks": weeks, "counts": counts, "weights": [round(w, 3) for w in weights], "ids": ids}
    return out


def detect(session: Session, until: date | None = None, params: CusumParams = CusumParams()) -> list[Alert]:
    """Run the detector over every series; return alerts (not yet stored)."""
    until = until or datetime.now(UTC).date()
    rows = list(session.scalars(select(Incident).where(Incident.event_date <= until)))
    alerts = []
    for (iso3, category), series in weekly_series(rows, until).items():
        for sig in cusum(series["weights"], params):
            run = sig.run[-8:]
            evidence = {
                "weeks": [series["weeks"][i].isoformat() for i in run],
                "weighted_counts": [series["weights"][i] for i in run],
                "counts": [series["counts"][i] for i in run],
                "baseline_mean": sig.baseline_mean,
                "baseline_sd": sig.baseline_sd,
                "incident_ids": sorted({x for i in run for x in series["ids"][i]})[:50],
                "method": f"one-sided CUSUM k={params.k} h={params.h}, baseline {params.baseline} weeks "
                f"ending {params.lag} weeks before",
            }
            alerts.append(
                Alert(
                    country_iso3=iso3,
                    category=category,
                    week_start=series["weeks"][sig.index],
                    statistic=sig.statistic,
                    threshold=params.h,
                    evidence=evidence,
                )
            )
    return alerts


def refresh(
    session: Session, actor: User | None, until: date | None = None, params: CusumParams = CusumParams()
) -> list[Alert]:
    """Detect and store new alerts (one per country, category and week); return the new ones."""
    if actor is not None:
        require(actor, "alerts")
    existing = {(a.country_iso3, a.category, a.week_start) for a in session.scalars(select(Alert))}
    new = [a for a in detect(session, until, params) if (a.country_iso3, a.category, a.week_start) not in existing]
    session.add_all(new)
    session.flush()
    audit.record(session, actor, "alerts.refresh", "alert", None, new=[a.id for a in new])
    return new


def list_alerts(
    session: Session, actor: User | None, country_iso3: str | None = None, since: date | None = None, limit: int = 200
) -> list[Alert]:
    """Stored alerts, newest first. `actor` None is a trusted caller (a report or country page)."""
    if actor is not None:
        require(actor, "alerts")
    q = select(Alert).order_by(Alert.week_start.desc(), Alert.id.desc()).limit(limit)
    if country_iso3:
        q = q.where(Alert.country_iso3 == country_iso3.upper())
    if since:
        q = q.where(Alert.week_start >= since)
    return list(session.scalars(q))


def alert_dict(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "country_iso3": a.country_iso3,
        "category": a.category,
        "week_start": a.week_start.isoformat(),
        "statistic": a.statistic,
        "threshold": a.threshold,
        "evidence": a.evidence,
    }
