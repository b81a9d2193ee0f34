"""Fixtures for the monitoring tests: a fresh database per test (SQLite, or real PostgreSQL), users, a model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from services import require_postgres
from tocsin.core.settings import Settings
from tocsin.monitor import auth, db
from tocsin.monitor.models import User
from tocsin.monitor.speech.classifier import SpeechModel, fit_language
from tocsin.monitor.speech.lexicons import Term

PASSWORD = "correct horse battery"


def _reset_postgres(url: str) -> Engine:
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        eng = _reset_postgres(require_postgres())
    else:
        eng = db.make_engine(f"sqlite:///{tmp_path / 'monitor.sqlite'}")
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = db.make_engine(f"sqlite:///{tmp_path / 'monitor.sqlite'}")
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return db.session_factory(engine)


@pytest.fixture
def users(factory: sessionmaker[Session]) -> dict[str, User]:
    """Two monitors, an analyst and an admin; keyed by username."""
    with db.transaction(factory) as s:
        made = {
            "mona": auth.create_user(s, None, "mona", PASSWORD, "monitor", "Mona Real", "+95 555 0101"),
            "mike": auth.create_user(s, None, "mike", PASSWORD, "monitor", "Mike Real", "mike@example.org"),
            "ana": auth.create_user(s, None, "ana", PASSWORD, "analyst"),
            "adam": auth.create_user(s, None, "adam", PASSWORD, "admin"),
        }
    return made


TINY = {
    "hate": [
        "they are vermin and must be wiped out",
        "those people are rats kill them all",
        "exterminate the vermin now",
        "rats and vermin all of them",
        "wipe out the filthy rats",
        "kill the vermin before they breed",
    ],
    "offensive": [
        "you stupid idiot",
        "shut up you moron",
        "what an idiot you are",
        "stupid moron again",
        "idiot idiot idiot",
        "you are a moron and an idiot",
    ],
    "neutral": [
        "the market opens at nine",
        "we planted rice in the field",
        "the school is closed today",
        "rain is expected tomorrow",
        "the bus arrives at noon",
        "children play in the park",
    ],
}


def tiny_model() -> SpeechModel:
    texts = [t for v in TINY.values() for t in v]
    labels = [k for k, v in TINY.items() for _ in v]
    lm = fit_language(texts, labels, "en", seed=1)
    return SpeechModel({"en": lm}, "test", [], [], 1, None, lexicon=[Term("vermin", "en", "test:slur", 0.3, "test")])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", monitor_db_url=f"sqlite:///{tmp_path / 'home' / 'monitor.sqlite'}")


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with tiny costs: same code path, milliseconds instead of half a second per hash."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def speech_model() -> SpeechModel:
    """A classifier trained on a few made-up English sentences (fast, deterministic)."""
    return tiny_model()
