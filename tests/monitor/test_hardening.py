"""Attacks on the monitoring API and its database: tokens, bounds, durability, exports, files, messages."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tocsin.core.settings import Settings
from tocsin.monitor import auth, db, importers, incidents
from tocsin.monitor.errors import MonitorError
from tocsin.monitor.models import ApiToken, AuditEntry, Incident, User
from tocsin.web.app import create_app, create_monitor_app

PASSWORD = "correct horse battery"  # as in conftest.py
INCIDENT = {"country": "Myanmar", "event_date": "2024-03-04", "category": "hate_speech", "text": "they are vermin"}


@pytest.fixture
def settings_for(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", monitor_db_url=engine.url.render_as_string(hide_password=False))


@pytest.fixture
def client(settings_for: Settings, users: dict[str, User]) -> TestClient:
    return TestClient(create_monitor_app(settings_for))


def _login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/monitor/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


# ---- tokens and accounts -----------------------------------------------------------------------------------
def test_revoked_token_is_refused(client: TestClient) -> None:
    mona, adam = _login(client, "mona"), _login(client, "adam")
    assert client.get("/monitor/incidents", headers=mona).status_code == 200
    tokens = client.get("/monitor/tokens?username=mona", headers=adam).json()
    assert client.get("/monitor/tokens", headers=mona).status_code == 403
    r = client.post(f"/monitor/tokens/{tokens[-1]['id']}/revoke", headers=adam)
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert client.get("/monitor/incidents", headers=mona).status_code == 401
    audit = client.get("/monitor/audit", headers=adam).json()
    assert any(e["action"] == "token.revoke" for e in audit)


def test_token_expires_after_the_configured_days(client: TestClient, factory: Any) -> None:
    mona = _login(client, "mona")
    with db.transaction(factory) as s:
        for t in s.scalars(select(ApiToken)):
            t.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert client.get("/monitor/incidents", headers=mona).status_code == 401
    r = client.post("/monitor/token", json={"username": "mona", "password": PASSWORD})
    left = datetime.fromisoformat(r.json()["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=29) < left <= timedelta(days=30)


def test_deactivating_a_user_stops_every_token_and_login(client: TestClient) -> None:
    mona1, mona2, adam, ana = _login(client, "mona"), _login(client, "mona"), _login(client, "adam"), _login(
        client, "ana")
    assert client.post("/monitor/users/mona/deactivate", headers=ana).status_code == 403
    r = client.post("/monitor/users/mona/deactivate", headers=adam)
    assert r.status_code == 200 and r.json()["active"] is False
    for h in (mona1, mona2):
        assert client.get("/monitor/incidents", headers=h).status_code == 401
    assert client.post("/monitor/token", json={"username": "mona", "password": PASSWORD}).status_code == 401
    assert client.post("/monitor/users/mona/activate", headers=adam).status_code == 200
    assert client.get("/monitor/incidents", headers=mona1).status_code == 401  # old tokens stay revoked
    assert client.get("/monitor/incidents", headers=_login(client, "mona")).status_code == 200
    actions = [e["action"] for e in client.get("/monitor/audit", headers=adam).json()]
    assert "user.deactivate" in actions and "user.activate" in actions


def test_failed_logins_and_token_issuing_are_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        assert client.post("/monitor/token", json={"username": "mike", "password": "wrong-password"}).status_code == 401
    r = client.post("/monitor/token", json={"username": "mike", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # even the right password, for a while
    for _ in range(10):
        assert client.post("/monitor/token", json={"username": "ana", "password": PASSWORD}).status_code == 200
    assert client.post("/monitor/token", json={"username": "ana", "password": PASSWORD}).status_code == 429


def test_argon2_parameters_are_stated_and_bounded() -> None:
    from argon2 import PasswordHasher

    assert (auth.ARGON2_TIME_COST, auth.ARGON2_MEMORY_KIB, auth.ARGON2_PARALLELISM) == (2, 19_456, 1)
    assert auth.hash_within_bounds(PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1).hash("x" * 12))
    greedy = PasswordHasher(time_cost=50, memory_cost=8, parallelism=1).hash("x" * 12)
    assert not auth.hash_within_bounds(greedy)
    with pytest.raises(MonitorError):
        auth.hash_password("x" * (auth.MAX_PASSWORD + 1))


# ---- bounds ------------------------------------------------------------------------------------------------
def test_negative_limit_and_offset_and_unknown_enums_are_422_not_500(client: TestClient) -> None:
    ana = _login(client, "ana")
    for q in ("limit=-1", "limit=0", "limit=5001", "offset=-1", "category=gossip", "status=lost",
              "country=" + "x" * 500):
        r = client.get(f"/monitor/incidents?{q}", headers=ana)
        assert r.status_code == 422, (q, r.status_code)
    assert client.get("/monitor/export?format=xlsx", headers=ana).status_code == 422
    assert client.post("/monitor/incidents/1/verify", json={"status": "gone"}, headers=ana).status_code == 422
    assert client.get("/monitor/audit?limit=-5", headers=_login(client, "adam")).status_code == 422


def test_errors_never_echo_large_input_and_big_bodies_are_refused_before_reading(client: TestClient) -> None:
    mona = _login(client, "mona")
    r = client.post("/monitor/incidents", json=INCIDENT | {"text": "A" * 30000}, headers=mona)
    assert r.status_code == 422 and len(r.text) < 2000 and "A" * 100 not in r.text
    big = b'{"country": "' + b"A" * (3 * 1024 * 1024) + b'"}'
    r = client.post("/monitor/incidents", content=big, headers=mona | {"Content-Type": "application/json"})
    assert r.status_code == 413 and len(r.text) < 500


def test_no_trusted_path_to_alerts_or_counts_on_the_dashboard(settings_for: Settings, users: Any) -> None:
    c = TestClient(create_app(settings_for))
    for path in ("/api/countries/MMR/alerts", "/api/countries/MMR/incidents"):
        assert c.get(path).status_code == 401, path
        assert c.get(path, headers=_login(c, "mona")).status_code == 403, path
        assert c.get(path, headers=_login(c, "ana")).status_code == 200, path


# ---- durability --------------------------------------------------------------------------------------------
def test_a_failed_commit_is_never_answered_201(client: TestClient, factory: Any, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    from sqlalchemy.exc import OperationalError

    from tocsin.web.routes import monitor as routes

    mona = _login(client, "mona")

    def boom(session: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(routes, "commit", boom)
    r = client.post("/monitor/incidents", json=INCIDENT, headers=mona)
    assert r.status_code == 503 and r.headers["retry-after"]
    with factory() as s:
        assert s.scalar(select(Incident.id)) is None


def test_a_retried_submission_is_stored_once_and_receipts_are_unique(client: TestClient, factory: Any) -> None:
    mona = _login(client, "mona") | {"Idempotency-Key": "phone-42-attempt"}
    a = client.post("/monitor/incidents", json=INCIDENT, headers=mona)
    b = client.post("/monitor/incidents", json=INCIDENT, headers=mona)
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    c = client.post("/monitor/incidents", json=INCIDENT, headers=_login(client, "mona"))
    assert c.json()["receipt"] != a.json()["receipt"] and len(a.json()["receipt"]) == 32
    with factory() as s:
        assert len(list(s.scalars(select(Incident)))) == 2
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "incident.create")).all()


def test_incidents_cannot_be_deleted_so_ids_are_never_reused(factory: Any, users: dict[str, User]) -> None:
    from sqlalchemy import text

    with db.transaction(factory) as s:
        iid = incidents.submit(s, s.get(User, users["mona"].id), incidents.IncidentIn.model_validate(
            INCIDENT | {"event_date": "2024-03-04"})).id
    with pytest.raises(Exception, match="never deleted"), db.transaction(factory) as s:
        s.execute(text("DELETE FROM monitor_incidents WHERE id = :i"), {"i": iid})


# ---- exports -----------------------------------------------------------------------------------------------
def test_export_is_complete_past_5000_rows_and_neutralises_formulas(factory: Any, users: dict[str, User],
                                                                     client: TestClient) -> None:
    with db.transaction(factory) as s:
        mona = s.get(User, users["mona"].id)
        for i in range(5003):
            s.add(Incident(reporter_id=mona.id, country_iso3="MMR", country_name="Myanmar", event_date=datetime(
                2024, 1, 1).date(), category="other", actor="=HYPERLINK(\"http://x\")" if i == 0 else None,
                text=["+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"][i % 6], receipt=f"r{i}"))
    r = client.get("/monitor/export", headers=_login(client, "ana"))
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5003
    assert rows[0]["actor"] == "'=HYPERLINK(\"http://x\")"
    assert {row["text"] for row in rows} == {"'+1+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "plain"}


# ---- files and messages ------------------------------------------------------------------------------------
def test_sqlite_file_is_created_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        engine = db.make_engine(f"sqlite:///{tmp_path / 'new' / 'm.sqlite'}")
        db.upgrade(engine)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "m.sqlite").stat().st_mode) == 0o600


def test_no_password_in_any_database_message() -> None:
    for url in ("postgresql+psycopg://bob:s3cr3t-pw@host:notaport/db", "postgresql+psycopg//bob:s3cr3t-pw@h"):
        with pytest.raises(MonitorError) as bad:
            db.make_engine(url)
        assert "s3cr3t-pw" not in str(bad.value) and bad.value.__cause__ is None
    engine = db.make_engine("postgresql+psycopg://bob:s3cr3t-pw@127.0.0.1:9/nodb?connect_timeout=2")
    with pytest.raises(MonitorError) as down:
        db.upgrade(engine)
    assert "s3cr3t-pw" not in str(down.value)
    assert db.mask_url("postgresql://bob:s3cr3t-pw@h/db") == "postgresql://bob:***@h/db"


def test_monitor_serve_runs_the_monitoring_app_without_access_log(monkeypatch: pytest.MonkeyPatch,
                                                                   settings_for: Settings) -> None:
    import uvicorn

    from tocsin.cli.main import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda a, **kw: seen.update(app=a, **kw))
    monkeypatch.setenv("TOCSIN_HOME", str(settings_for.home))
    monkeypatch.setenv("TOCSIN_MONITOR_DB_URL", settings_for.monitor_url)
    res = CliRunner().invoke(app, ["monitor", "serve", "--port", "9"])
    assert res.exit_code == 0, res.output
    assert seen["access_log"] is False and seen["timeout_graceful_shutdown"] <= 5
    assert all(r.path.startswith("/monitor") or r.path == "/openapi.json"
               for r in seen["app"].routes if hasattr(r, "path"))


# ---- import and export from the CLI ------------------------------------------------------------------------
def _csv(n: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["country", "event_date", "category", "text"])
    for i in range(n):
        w.writerow(["Myanmar", "2024-03-04", "hate_speech", f"row {i}"])
    return out.getvalue().encode()


def test_interrupted_import_is_all_or_nothing_and_rerunnable(factory: Any, users: dict[str, User]) -> None:
    content = _csv(20)

    def crash(line: int) -> None:
        if line == 12:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        importers.import_bytes(s, s.get(User, users["ana"].id), "csv", content, "f.csv", on_row=crash)
    with factory() as s:
        assert s.scalar(select(Incident.id)) is None
    with db.transaction(factory) as s:
        assert importers.import_bytes(s, s.get(User, users["ana"].id), "csv", content, "f.csv").imported == 20
    with pytest.raises(MonitorError, match="already imported"), db.transaction(factory) as s:
        importers.import_bytes(s, s.get(User, users["ana"].id), "csv", content, "f.csv")
    with factory() as s:
        assert len(s.scalars(select(Incident)).all()) == 20


def test_cli_import_and_export_need_that_users_or_an_admins_token(
    settings_for: Settings, factory: Any, users: dict[str, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.cli.main import app

    monkeypatch.setenv("TOCSIN_HOME", str(settings_for.home))
    monkeypatch.setenv("TOCSIN_MONITOR_DB_URL", settings_for.monitor_url)
    with db.transaction(factory) as s:
        mona_tok = auth.create_token(s, s.get(User, users["mona"].id))
        ana_tok = auth.create_token(s, s.get(User, users["ana"].id))
        adam_tok = auth.create_token(s, s.get(User, users["adam"].id))
    f = tmp_path / "in.csv"
    f.write_bytes(_csv(3))
    run = CliRunner().invoke
    args = ["monitor", "import", str(f), "--as", "ana", "--token-stdin"]
    assert run(app, args, input="not-a-token\n").exit_code == 1
    bad = run(app, args, input=mona_tok + "\n")  # a monitor cannot act as the analyst
    assert bad.exit_code == 1 and "may not" in bad.output
    assert run(app, args, input=ana_tok + "\n").exit_code == 0
    out = tmp_path / "out.csv"
    exp = ["monitor", "export", "--as", "ana", "--output", str(out), "--token-stdin"]
    assert run(app, exp, input=mona_tok + "\n").exit_code == 1
    assert run(app, exp, input=adam_tok + "\n").exit_code == 0  # an admin may, and it is audited
    assert len(out.read_text().splitlines()) == 4 and stat.S_IMODE(out.stat().st_mode) == 0o600
    with factory() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "user.act_as")).all()
