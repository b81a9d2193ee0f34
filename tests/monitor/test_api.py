"""The monitoring API: tokens, permissions over HTTP, no reporter fields for non-admins, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tocsin.core.settings import Settings
from tocsin.monitor import auth, db
from tocsin.monitor.models import User
from tocsin.web.app import create_app

PASSWORD = "correct horse battery"  # as in conftest.py
INCIDENT = {
    "country": "Myanmar",
    "event_date": "2024-03-04",
    "category": "hate_speech",
    "text": "they are vermin",
    "target_group": "Rohingya",
    "language": "en",
}


@pytest.fixture
def client(engine: Engine, users: dict[str, User], tmp_path: Any) -> TestClient:
    settings = Settings(home=tmp_path / "home", monitor_db_url=engine.url.render_as_string(hide_password=False))
    return TestClient(create_app(settings))


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/monitor/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_requests_without_a_valid_token_are_refused(client: TestClient) -> None:
    assert client.get("/monitor/incidents").status_code == 401
    assert client.get("/monitor/incidents", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/monitor/token", json={"username": "mona", "password": "wrong-password"}).status_code == 401


def test_monitor_submits_and_sees_only_own_without_reporter_fields(client: TestClient) -> None:
    mona, mike, ana = _token(client, "mona"), _token(client, "mike"), _token(client, "ana")
    r = client.post("/monitor/incidents", json=INCIDENT, headers=mona)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["country_iso3"] == "MMR" and body["country_gwcode"] == 775
    assert not {k for k in body if "reporter" in k or k in ("contact", "username")}
    iid = body["id"]
    assert client.get(f"/monitor/incidents/{iid}", headers=mike).status_code == 404
    assert client.get("/monitor/incidents", headers=mike).json() == []
    assert client.post(f"/monitor/incidents/{iid}/verify", json={"status": "verified"}, headers=mona).status_code == 403
    assert client.get("/monitor/export", headers=mona).status_code == 403
    assert client.get(f"/monitor/incidents/{iid}/reporter", headers=ana).status_code == 403
    assert (
        client.post(f"/monitor/incidents/{iid}/verify", json={"status": "verified"}, headers=ana).json()["status"]
        == "verified"
    )
    export = client.get("/monitor/export?format=jsonl&strip_text=true", headers=ana)
    assert export.status_code == 200 and "mona" not in export.text and "vermin" not in export.text


def test_admin_reads_reporter_and_manages_users(client: TestClient) -> None:
    mona, adam = _token(client, "mona"), _token(client, "adam")
    iid = client.post("/monitor/incidents", json=INCIDENT, headers=mona).json()["id"]
    r = client.get(f"/monitor/incidents/{iid}/reporter", headers=adam)
    assert r.status_code == 200 and r.json()["username"] == "mona" and r.json()["contact"] == "+95 555 0101"
    new = {"username": "nia", "password": PASSWORD, "role": "monitor"}
    assert client.post("/monitor/users", json=new, headers=mona).status_code == 403
    assert client.post("/monitor/users", json=new, headers=adam).status_code == 201
    audit = client.get("/monitor/audit", headers=adam).json()
    assert any(e["action"] == "reporter.read" for e in audit)
    assert client.get("/monitor/audit", headers=mona).status_code == 403


def test_bad_input_gets_a_clear_error(client: TestClient) -> None:
    mona = _token(client, "mona")
    r = client.post("/monitor/incidents", json=INCIDENT | {"country": "Atlantis"}, headers=mona)
    assert r.status_code == 422 and "Atlantis" in r.text
    r = client.post("/monitor/incidents", json=INCIDENT | {"category": "gossip"}, headers=mona)
    assert r.status_code == 422


def test_openapi_schemas_for_non_admins_have_no_reporter_fields(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "IncidentOut" in schemas and "IncidentIn" in schemas
    for name in ("IncidentOut", "AlertOut"):
        assert not [p for p in schemas[name]["properties"] if "reporter" in p or "contact" in p]


def test_token_is_stored_only_as_a_hash(engine: Engine, users: dict[str, User], client: TestClient) -> None:
    token = _token(client, "mona")["Authorization"].split()[1]
    with db.session_factory(engine)() as s:
        from tocsin.monitor.models import ApiToken

        hashes = [t.token_hash for t in s.query(ApiToken)]
        assert token not in hashes and auth._token_hash(token) in hashes
