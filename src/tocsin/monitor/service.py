"""Wiring from Settings to databases, the speech model and lexicons; used by the CLI and the web API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.core.settings import Settings
from tocsin.monitor import audit, db
from tocsin.monitor.auth import require
from tocsin.monitor.errors import MonitorError, NotFound, ValidationError
from tocsin.monitor.models import LexiconTerm, User
from tocsin.monitor.speech.lexicons import Term, load_public

if TYPE_CHECKING:  # the classifier pulls in scikit-learn: loaded when a model is used, not when a server starts
    from tocsin.monitor.speech import classifier
    from tocsin.monitor.speech.scoring import Scorer


def open_db(settings: Settings, migrate: bool = False) -> tuple[Engine, sessionmaker[Session]]:
    engine = db.make_engine(settings.monitor_url)
    if migrate:
        db.upgrade(engine)
    else:
        db.require_schema(engine)
    return engine, db.session_factory(engine)


def train_and_save(
    settings: Settings,
    languages: list[str] | None = None,
    cap: int | None = None,
    log: Callable[[str], None] | None = None,
) -> classifier.SpeechModel:
    from tocsin.monitor.speech import classifier

    model = classifier.train(settings, languages, cap, log, corrections=stored_corrections(settings))
    model.lexicon = load_public(settings)
    classifier.save(model, classifier.model_path(settings))
    return model


def stored_corrections(settings: Settings) -> list[tuple[str, str, str]]:
    """Analysts' label corrections from the monitoring database; none when it was never initialised."""
    from sqlalchemy.engine import make_url

    from tocsin.monitor.speech.corrections import training_rows

    url = make_url(settings.monitor_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        return []  # never initialised: nothing to read, and opening it would create an empty file
    try:
        engine, factory = open_db(settings)
    except MonitorError:
        return []
    try:
        with factory() as session:
            return training_rows(session)
    except SQLAlchemyError as exc:
        raise MonitorError("the monitor database has no label-corrections table: run `tocsin monitor init`") from exc
    finally:
        engine.dispose()


def db_terms(session: Session) -> list[Term]:
    return [
        Term(t.term, t.language, t.category, t.weight, f"user lexicon #{t.id}", t.country_iso3)
        for t in session.scalars(select(LexiconTerm))
    ]


def load_scorer(settings: Settings, session: Session | None = None) -> Scorer:
    """The trained model with public lexicons plus the database's user-edited terms (when a session is given)."""
    from tocsin.monitor.speech import classifier
    from tocsin.monitor.speech.scoring import Scorer

    model = classifier.load_cached(classifier.model_path(settings))  # reloaded only after a retrain
    extra = db_terms(session) if session is not None else []
    return Scorer(model, [*model.lexicon, *extra])


def add_term(
    session: Session,
    actor: User | None,
    term: str,
    language: str,
    category: str = "hate",
    weight: float = 0.3,
    country_iso3: str | None = None,
    note: str = "",
) -> LexiconTerm:
    if actor is not None:
        require(actor, "manage_lexicon")
    if not term.strip() or not language.strip():
        raise ValidationError("a lexicon term needs a term and a language")
    if not 0 < weight <= 1:
        raise ValidationError("lexicon weight must be in (0, 1]")
    row = LexiconTerm(
        term=term.strip(),
        language=language.strip().lower(),
        category=category,
        weight=weight,
        country_iso3=country_iso3.upper() if country_iso3 else None,
        note=note,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "lexicon.add", "lexicon", row.id, term=row.term, language=row.language)
    return row


def delete_term(session: Session, actor: User | None, term_id: int) -> None:
    if actor is not None:
        require(actor, "manage_lexicon")
    row = session.get(LexiconTerm, term_id)
    if row is None:
        raise NotFound(f"no lexicon term {term_id}")
    audit.record(session, actor, "lexicon.delete", "lexicon", term_id, term=row.term, language=row.language)
    session.delete(row)
