"""Analysts correct speech labels (audited, permission-checked); the incident view highlights reasons safely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tocsin.core.settings import Settings
from tocsin.monitor import audit, db
from tocsin.monitor.errors import PermissionDenied, ValidationError
from tocsin.monitor.models import User
from tocsin.monitor.speech import classifier, corrections
from tocsin.monitor.speech.classifier import SpeechModel
from tocsin.monitor.speech.highlight import segments
from tocsin.web.app import create_app

PASSWORD = "correct horse battery"  # as in conftest.py
ATTACK = "<script>alert(1)</script> they are vermin <img src=x onerror=alert(2)>"
INCIDENT = {
    "country": "Nigeria",
    "event_date": "2024-03-04",
    "category": "hate_speech",
    "text": ATTACK,
    "language": "en",
}


@pytest.fixture
def client(engine: Engine, users: dict[str, User], tmp_path: Path, speech_model: SpeechModel) -> TestClient:
    settings = Settings(home=tmp_path / "home", monitor_db_url=engine.url.render_as_string(hide_password=False))
    classifier.save(speech_model, classifier.model_path(settings))
    return TestClient(create_app(settings))


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/monitor/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_only_analysts_and_admins_correct_labels_and_each_is_audited(client: TestClient) -> None:
    mona, ana, adam = _token(client, "mona"), _token(client, "ana"), _token(client, "adam")
    r = client.post("/monitor/incidents", json=INCIDENT, headers=mona)
    assert r.status_code == 201, r.text
    iid, model_label = r.json()["id"], r.json()["danger_label"]
    assert model_label == "hate"
    assert client.post(f"/monitor/incidents/{iid}/label", json={"label": "neutral"}).status_code == 401
    assert client.post(f"/monitor/incidents/{iid}/label", json={"label": "neutral"}, headers=mona).status_code == 403
    bad = client.post(f"/monitor/incidents/{iid}/label", json={"label": "spam"}, headers=ana)
    assert bad.status_code == 422
    assert client.post("/monitor/incidents/999999/label", json={"label": "hate"}, headers=ana).status_code == 404
    ok = client.post(f"/monitor/incidents/{iid}/label", json={"label": "offensive", "note": "reclaimed"}, headers=ana)
    assert ok.status_code == 201, ok.text
    assert ok.json() | {"created_at": None} == {
        "id": ok.json()["id"],
        "incident_id": iid,
        "language": "en",
        "model_label": "hate",
        "label": "offensive",
        "note": "reclaimed",
        "created_at": None,
    }
    assert client.post(f"/monitor/incidents/{iid}/label", json={"label": "hate"}, headers=adam).status_code == 201
    log = client.get("/monitor/audit", headers=adam).json()
    rows = [e for e in log if e["action"] == "speech.correct"]
    assert [e["detail"]["label"] for e in rows] == ["hate", "offensive"]  # newest first
    assert all(e["object_id"] == str(iid) for e in rows)


def test_newest_correction_of_an_incident_is_the_training_row(
    factory: sessionmaker[Session], users: dict[str, User], speech_model: SpeechModel
) -> None:
    from tocsin.monitor import incidents
    from tocsin.monitor.incidents import IncidentIn
    from tocsin.monitor.speech.scoring import Scorer

    with db.transaction(factory) as s:
        mona, ana = s.merge(users["mona"]), s.merge(users["ana"])
        inc = incidents.submit(s, mona, IncidentIn(**INCIDENT), Scorer(speech_model, speech_model.lexicon))
        with pytest.raises(PermissionDenied):
            corrections.correct(s, mona, inc.id, "neutral")
        with pytest.raises(ValidationError):
            corrections.correct(s, ana, inc.id, "vermin")
        corrections.correct(s, ana, inc.id, "neutral")
        corrections.correct(s, ana, inc.id, "offensive")
        assert corrections.training_rows(s) == [("en", ATTACK, "offensive")]
        assert len(audit.entries(s, object_type="incident", object_id=str(inc.id))) >= 2


def test_incident_view_highlights_reasons_and_escapes_everything(client: TestClient) -> None:
    mona, mike, ana = _token(client, "mona"), _token(client, "mike"), _token(client, "ana")
    iid = client.post("/monitor/incidents", json=INCIDENT, headers=mona).json()["id"]
    assert client.get(f"/monitor/incidents/{iid}/view").status_code == 401
    assert client.get(f"/monitor/incidents/{iid}/view", headers=mike).status_code == 404  # not hers to see
    for who in (mona, ana):
        page = client.get(f"/monitor/incidents/{iid}/view", headers=who)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        mark = '<mark class="reason" title="model:en, hallmark:dehumanization-vermin, lexicon:test">'
        assert mark + "they are vermin</mark>" in html


def test_segments_drop_spans_that_do_not_fit_the_text() -> None:
    spans: list[dict[str, Any]] = [
        {"start": 4, "end": 7, "by": ["model:en"]},
        {"start": 5, "end": 9, "by": ["overlap"]},  # overlaps the previous: dropped
        {"start": 50, "end": 60},  # past the end: dropped
        {"start": "0", "end": 2},  # not an integer: dropped
    ]
    segs = segments("the rats ran", spans)
    assert [(s.text, s.marked) for s in segs] == [("the ", False), ("rat", True), ("s ran", False)]
    assert segs[1].why == "model:en"


def test_model_card_route_needs_a_user(client: TestClient) -> None:
    assert client.get("/monitor/model").status_code == 401
    card = client.get("/monitor/model", headers=_token(client, "mona"))
    assert card.status_code == 200 and card.json()["models"][0]["key"] == "en"


def test_model_card_page_is_for_signed_in_roles_and_escapes_the_card(
    engine: Engine, users: dict[str, User], tmp_path: Path, speech_model: SpeechModel
) -> None:
    import dataclasses

    from tocsin.monitor.speech.classifier import Metric

    evil = "<script>alert(3)</script>"
    metric = Metric("en", 0.5, 12, "published test split", {"hate": 0.25, "neutral": 0.75}, evil, "MIT", "cite",
                    ci95=(0.3125, 0.6875))
    model = dataclasses.replace(
        speech_model,
        sources=[{"key": "en", "language": "en", "name": evil, "url": "", "licence": "MIT", "citation": "c"}],
        metrics=[metric],
    )
    settings = Settings(home=tmp_path / "home", monitor_db_url=engine.url.render_as_string(hide_password=False))
    classifier.save(model, classifier.model_path(settings))
    client = TestClient(create_app(settings))
    assert client.get("/monitor/model/view").status_code == 401
    for who in ("mona", "ana", "adam"):  # every role that gets scores
        page = client.get("/monitor/model/view", headers=_token(client, who))
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert evil not in page.text and "&lt;script&gt;alert(3)&lt;/script&gt;" in page.text
        assert "published test split</td><td>0.500</td>" in page.text and "hate 0.250, neutral 0.750" in page.text
        assert "<td>0.312–0.688</td>" in page.text  # the held-out score's 95% interval
        cv = model.languages["en"].cv_macro_f1
        assert ("–" if cv != cv else f"{cv:.3f}") in page.text
