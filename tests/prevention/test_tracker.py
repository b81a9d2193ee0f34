"""Warning-response tracker: lags, warnings without response and what followed, on a made-up log."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from services import require, require_postgres
from tocsin.core.errors import DataError
from tocsin.monitor import db
from tocsin.prevention.tracker import add_response, add_warning, import_log_csv, report
from tocsin.prevention.triggers import import_triggers_csv, list_triggers

# Made-up onsets: Kenya (GW 501) has an onset in 2019; Ghana (452) none 2016-2020; the panel ends in 2020.
ONSETS = pd.DataFrame({"ccode": [501] * 5 + [452] * 5, "year": list(range(2016, 2021)) * 2,
                       "mk_onset": [0, 0, 0, 1, 0] + [0] * 5})

LOG = """date,issuer,country,risk_level,recommended_action,evidence,response_date,response_actor,response_action,\
response_link
2017-03-01,Watch NGO,Kenya,high,Send envoys before the vote,hate speech rising,2017-03-11,Embassy A,Statement,\
https://example.org/a
2017-03-01,Watch NGO,Kenya,high,Send envoys before the vote,hate speech rising,2017-04-30,UN office,Envoy visit,\
https://example.org/b
2017-06-15,Watch NGO,Ghana,moderate,Fund local mediators,land disputes,,,,
2019-01-10,Analyst desk,GHA,high,Monitor the election,,2019-01-13,Ministry,Observer mission,
2020-02-01,Analyst desk,Kenya,very high,Sanction the commanders,,,,,
"""


def _load(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(LOG)
    with db.transaction(db.session_factory(engine)) as s:
        r = import_log_csv(s, path)
    assert (r.warnings_added, r.responses_added, r.already_present) == (4, 3, 1)


def _figures(engine: Engine) -> tuple[dict, list]:
    with db.session_factory(engine)() as s:
        rep = report(s, ONSETS)
    return rep.summary(), [(r.country, r.lag_days, r.n_responses, r.followed) for r in rep.rows]


EXPECTED_ROWS = [("Kenya", 10, 2, "onset in 2019"), ("Ghana", None, 0, "no onset in 2018-2019"),
                 ("Ghana", 3, 1, "not yet known (panel ends 2020)"),
                 ("Kenya", None, 0, "not yet known (panel ends 2020)")]


def test_lags_no_response_and_what_followed_on_a_made_up_log(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    summary, rows = _figures(engine)
    assert rows == EXPECTED_ROWS
    assert summary["warnings"] == 4 and summary["no_response"] == 2 and summary["with_response"] == 2
    assert summary["median_lag_days"] == 6.5 and summary["mean_lag_days"] == 6.5 and summary["max_lag_days"] == 10
    assert (summary["followed_by_onset"], summary["no_onset"], summary["not_yet_known"]) == (1, 1, 2)


def test_importing_the_same_log_twice_adds_nothing(engine: Engine, tmp_path: Path) -> None:
    _load(engine, tmp_path)
    with db.transaction(db.session_factory(engine)) as s:
        r = import_log_csv(s, tmp_path / "log.csv")
    assert (r.warnings_added, r.responses_added) == (0, 0)
    assert _figures(engine)[1] == EXPECTED_ROWS


def test_a_bad_row_imports_nothing_and_names_its_line(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(LOG.replace("2019-01-13", "2018-12-01"))  # a response before its warning, on line 5
    with pytest.raises(DataError, match=r"bad\.csv:5.*before its warning"), \
            db.transaction(db.session_factory(engine)) as s:
        import_log_csv(s, bad)
    with db.session_factory(engine)() as s:
        assert report(s, ONSETS).rows == []


def test_responses_are_added_and_a_response_before_its_warning_is_refused(engine: Engine) -> None:
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        w, _ = add_warning(s, date(2021, 5, 1), "Desk", "Ethiopia", "high", "Condition aid")
        add_response(s, w.id, date(2021, 5, 20), "Donor", "Paused budget support", "https://example.org/c")
        wid = w.id
    with pytest.raises(DataError, match="before its warning"), db.transaction(factory) as s:
        add_response(s, wid, date(2021, 4, 1), "Donor", "Too early")
    with factory() as s:
        [row] = report(s, None).rows
    assert row.lag_days == 19 and row.followed.startswith("not known")


def test_trigger_csv_import_and_listing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "triggers.csv"
    path.write_text("country,kind,date,title,source\nKenya,election,2027-08-10,General election,https://example.org/iebc\n"
                    "Kenya,anniversary,2027-12-30,Anniversary of the 2007 vote,\n")
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        assert import_triggers_csv(s, path).added == 2
    with db.transaction(factory) as s:
        assert import_triggers_csv(s, path).already_present == 2
    with factory() as s:
        got = list_triggers(s, 501, date(2027, 1, 1))
    assert [(t.kind, t.when) for t in got] == [("election", date(2027, 8, 10)), ("anniversary", date(2027, 12, 30))]
    path.write_text("country,kind,date,title\nKenya,wedding,2027-08-10,Party\n")
    with pytest.raises(DataError, match=r"triggers\.csv:2.*kind"), db.transaction(factory) as s:
        import_triggers_csv(s, path)


@pytest.mark.postgres
def test_tracker_figures_survive_a_postgres_restart(tmp_path: Path) -> None:
    url, restart = require_postgres(), os.environ.get("TOCSIN_TEST_POSTGRES_RESTART", "")
    require(bool(restart), "TOCSIN_TEST_POSTGRES_RESTART is not set (eval \"$(bash .ci/postgres.sh)\")")
    from sqlalchemy import text

    eng = db.make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.upgrade(eng)
    _load(eng, tmp_path)
    before = _figures(eng)
    eng.dispose()
    subprocess.run(shlex.split(restart), check=True, capture_output=True, timeout=60)
    eng = db.make_engine(url)
    for _ in range(30):  # wait for the server to accept connections again
        try:
            with eng.connect():
                break
        except OperationalError:
            time.sleep(1)
    after = _figures(eng)
    eng.dispose()
    assert after == before and after[1] == EXPECTED_ROWS
