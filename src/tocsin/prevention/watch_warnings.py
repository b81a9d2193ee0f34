"""The monthly watch's warnings in the warning-response tracker.

A country whose monthly 12-month risk enters the top 10 (`tocsin.evaluate.watch.WARN_TOP`), or rises by at
least 2 percentage points from one month to the next (`RISE_THRESHOLD`), is logged as a warning dated the last
day of the month (the watch for a month is made at its end), issued by "Tocsin monthly watch". The tracker
is idempotent by fingerprint (date, issuer, country, risk level, action), so showing a month again, or a new
watch run of the same month, logs nothing new; the run that first logged it is in the evidence.
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from tocsin.core.settings import Settings
from tocsin.evaluate.watch import RISE_THRESHOLD, WARN_TOP, warnings_for
from tocsin.prevention.tracker import add_warning

ISSUER = "Tocsin monthly watch"
ACTION = ("Review this month's escalation signals and the prevention options (`tocsin prevent COUNTRY`); "
          "confirm with monitors on the ground")


def month_end(mi: int) -> date:
    year, month = int(mi) // 12, int(mi) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def record_watch_warnings(sess: Session, run_id: str, preds: pd.DataFrame, month: int) -> int:
    """Add the month's warnings to the tracker in `sess`; returns how many were new."""
    new = 0
    for r in warnings_for(preds, month).itertuples():
        # The level is coarse on purpose: it is part of the fingerprint, and a rerun's slightly different
        # probability must not make a second warning of the same event.
        level = f"monthly top {WARN_TOP}" if "entered" in r.reason else "rising"
        evidence = (f"{r.reason}: 12-month risk {100 * r.prob:.1f}% (month before "
                    f"{100 * r.prob_before:.1f}%), rank {int(r.rank)} (before "
                    f"{'-' if r.rank_before != r.rank_before else int(r.rank_before)}); watch run {run_id}; "
                    f"threshold {100 * RISE_THRESHOLD:.0f} points")
        _, created = add_warning(sess, month_end(month), ISSUER, int(r.ccode), level, ACTION, evidence,
                                 origin="watch")
        new += int(created)
    return new


def log_watch_warnings(settings: Settings, run_id: str, preds: pd.DataFrame, month: int) -> int:
    from tocsin.prevention.service import session

    with session(settings, write=True) as sess:
        return record_watch_warnings(sess, run_id, preds, month)
