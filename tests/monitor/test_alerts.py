"""The escalation detector fires on a step change, stays quiet on flat noise, and shows its evidence."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor import alerts, db, incidents
from tocsin.monitor.incidents import IncidentIn
from tocsin.monitor.models import User


def test_cusum_fires_soon_after_a_step_change() -> None:
    rng = np.random.default_rng(7)
    series = list(rng.poisson(4, 30)) + list(rng.poisson(12, 10))
    signals = alerts.cusum(series)
    assert signals, "no alert on a tripling of weekly counts"
    assert 30 <= signals[0].index <= 33
    assert signals[0].baseline_mean < 6


def test_cusum_stays_quiet_on_flat_noisy_series() -> None:
    quiet = 0
    for seed in range(30):
        series = list(np.random.default_rng(seed).poisson(4, 52))
        quiet += not alerts.cusum(series)
    assert quiet >= 28  # at most 2 false alarms in 30 noisy years


def test_alert_is_stored_once_with_evidence(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    start = date(2023, 1, 2)
    rng = np.random.default_rng(3)
    with db.transaction(factory) as s:
        mona = s.get(User, users["mona"].id)
        for week in range(30):
            n = int(rng.poisson(2 if week < 24 else 10))
            for _ in range(n):
                incidents.submit(
                    s,
                    mona,
                    IncidentIn(country="Ethiopia", event_date=start + timedelta(weeks=week), category="hate_speech"),
                )
    until = start + timedelta(weeks=30)
    with db.transaction(factory) as s:
        new = alerts.refresh(s, s.get(User, users["ana"].id), until=until)
    with db.transaction(factory) as s:
        again = alerts.refresh(s, None, until=until)
        listed = alerts.list_alerts(s, None, "ETH")
    assert new and not again and len(listed) == len(new)
    first = listed[-1]
    assert first.category == "hate_speech" and first.week_start >= start + timedelta(weeks=24)
    assert first.evidence["incident_ids"] and first.statistic > first.threshold
