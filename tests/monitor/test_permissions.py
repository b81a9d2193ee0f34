"""The permission matrix: each role can do exactly what it should, and no more."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor import alerts, audit, auth, db, incidents, service
from tocsin.monitor.errors import NotFound, PermissionDenied
from tocsin.monitor.incidents import IncidentIn
from tocsin.monitor.models import AuditEntry, User

PASSWORD = "correct horse battery"  # as in conftest.py


def _incident(**kw: object) -> IncidentIn:
    base = {
        "country": "Myanmar",
        "event_date": date(2024, 3, 4),
        "category": "hate_speech",
        "text": "they are vermin",
        "actor": "a preacher",
        "target_group": "Rohingya",
    }
    return IncidentIn.model_validate(base | kw)


def _submit(factory: sessionmaker[Session], user: User) -> int:
    with db.transaction(factory) as s:
        return incidents.submit(s, s.get(User, user.id), _incident()).id


ACTIONS = [
    "verify",
    "merge",
    "export",
    "alerts",
    "import",
    "read_reporter",
    "manage_users",
    "manage_lexicon",
    "read_audit",
    "read_all",
    "edit_any",
    "submit",
    "score",
]
EXPECTED = {
    "monitor": {"submit", "score"},
    "analyst": {"submit", "score", "verify", "merge", "export", "alerts", "import", "read_all", "edit_any"},
    "admin": set(ACTIONS),
}


@pytest.mark.parametrize("role", ["monitor", "analyst", "admin"])
def test_each_role_has_exactly_its_permissions(role: str) -> None:
    user = User(username="x", role=role, password_hash="-", active=True)
    assert {a for a in ACTIONS if auth.can(user, a)} == EXPECTED[role]


def test_monitor_sees_and_edits_only_own_incidents(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    mine, theirs = _submit(factory, users["mona"]), _submit(factory, users["mike"])
    with db.transaction(factory) as s:
        mona = s.get(User, users["mona"].id)
        assert [i.id for i in incidents.list_incidents(s, mona)] == [mine]
        with pytest.raises(NotFound):
            incidents.get(s, mona, theirs)
        with pytest.raises(NotFound):
            incidents.edit(s, mona, theirs, {"actor": "changed"})
        incidents.edit(s, mona, mine, {"actor": "a monk"})
        assert incidents.get(s, mona, mine).actor == "a monk"


@pytest.mark.parametrize("action", ["verify", "merge", "export", "reporter", "alerts", "add_user", "lexicon"])
def test_monitor_is_refused_analyst_and_admin_actions(
    factory: sessionmaker[Session], users: dict[str, User], action: str
) -> None:
    a, b = _submit(factory, users["mona"]), _submit(factory, users["mona"])
    calls = {
        "verify": lambda s, u: incidents.verify(s, u, a, "verified"),
        "merge": lambda s, u: incidents.merge(s, u, a, b),
        "export": lambda s, u: incidents.export(s, u),
        "reporter": lambda s, u: incidents.reporter_of(s, u, a),
        "alerts": lambda s, u: alerts.list_alerts(s, u),
        "add_user": lambda s, u: auth.create_user(s, u, "eve", PASSWORD, "admin"),
        "lexicon": lambda s, u: service.add_term(s, u, "vermin", "en"),
    }
    with db.transaction(factory) as s, pytest.raises(PermissionDenied):
        calls[action](s, s.get(User, users["mona"].id))


def test_analyst_sees_all_verifies_merges_exports_but_not_reporters(
    factory: sessionmaker[Session], users: dict[str, User]
) -> None:
    a, b = _submit(factory, users["mona"]), _submit(factory, users["mike"])
    with db.transaction(factory) as s:
        ana = s.get(User, users["ana"].id)
        assert {i.id for i in incidents.list_incidents(s, ana)} == {a, b}
        assert incidents.verify(s, ana, a, "verified").status == "verified"
        assert incidents.merge(s, ana, b, a).duplicate_of == a
        assert "mona" not in incidents.export(s, ana)
        with pytest.raises(PermissionDenied):
            incidents.reporter_of(s, ana, a)
        with pytest.raises(PermissionDenied):
            auth.create_user(s, ana, "eve", PASSWORD, "monitor")
        with pytest.raises(PermissionDenied):
            service.add_term(s, ana, "vermin", "en")


def test_admin_reads_reporter_identity_and_each_read_is_audited(
    factory: sessionmaker[Session], users: dict[str, User]
) -> None:
    a = _submit(factory, users["mona"])
    with db.transaction(factory) as s:
        adam = s.get(User, users["adam"].id)
        info = incidents.reporter_of(s, adam, a)
        assert info["username"] == "mona" and info["contact"] == "+95 555 0101"
    with db.transaction(factory) as s:
        reads = [e for e in audit.entries(s) if e.action == "reporter.read"]
        assert reads and all(e.actor_id == users["adam"].id for e in reads)
        assert any(e.object_type == "incident" and e.object_id == str(a) for e in reads)


def test_exports_carry_no_reporter_data_and_can_strip_quotes(
    factory: sessionmaker[Session], users: dict[str, User]
) -> None:
    _submit(factory, users["mona"])
    with db.transaction(factory) as s:
        ana = s.get(User, users["ana"].id)
        csv_text = incidents.export(s, ana, "csv")
        stripped = incidents.export(s, ana, "jsonl", strip_text=True)
    header = csv_text.splitlines()[0]
    assert "reporter" not in header and "mona" not in csv_text and "+95" not in csv_text
    assert "they are vermin" in csv_text
    assert "they are vermin" not in stripped and "mona" not in stripped


def test_every_change_is_audited(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    a = _submit(factory, users["mona"])
    with db.transaction(factory) as s:
        incidents.verify(s, s.get(User, users["ana"].id), a, "rejected")
    with db.transaction(factory) as s:
        actions = [(e.action, e.actor_id) for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert ("incident.create", users["mona"].id) in actions
    assert ("incident.verify", users["ana"].id) in actions


def test_wrong_password_and_bad_token_are_refused(factory: sessionmaker[Session], users: dict[str, User]) -> None:
    from tocsin.monitor.errors import AuthError

    with db.transaction(factory) as s:
        with pytest.raises(AuthError):
            auth.authenticate(s, "mona", "not the password")
        with pytest.raises(AuthError):
            auth.authenticate(s, "nobody", PASSWORD)
        token = auth.create_token(s, auth.authenticate(s, "mona", PASSWORD))
        assert auth.user_for_token(s, token).username == "mona"
        with pytest.raises(AuthError):
            auth.user_for_token(s, token + "x")
        stored = s.query(User).filter_by(username="mona").one().password_hash
        assert stored.startswith("$argon2") and PASSWORD not in stored
