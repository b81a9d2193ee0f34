"""Engines and sessions from a URL (no global engine), and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor import audit
from tocsin.monitor.errors import MonitorError

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on and its parent folder created."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise MonitorError(f"monitor database URL {url!r} is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that refuse to change audit rows (see tocsin.monitor.audit)."""
    factory = sessionmaker(engine, expire_on_commit=False)
    audit.guard(factory)
    return factory


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise MonitorError(f"cannot reach the monitor database: {str(exc.orig).splitlines()[0]}") from exc


def require_schema(engine: Engine) -> None:
    """Fail in one line when the database was never initialised."""
    try:
        names = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise MonitorError(f"cannot reach the monitor database: {str(exc.orig).splitlines()[0]}") from exc
    if "monitor_incidents" not in names:
        raise MonitorError("the monitor database has no tables: run `tocsin monitor init` first")


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with factory() as session, session.begin():
        yield session
