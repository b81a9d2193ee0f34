"""Engines and sessions from a URL (no global engine), and schema upgrades through Alembic."""

from __future__ import annotations

import os
import re
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


# Pool bounds: a request waits at most POOL_TIMEOUT seconds for a connection, then gets a 503 (never a stall).
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_TIMEOUT = 5.0
# SQLite: a writer waits this long for the file lock before "database is locked" (a 503 with Retry-After).
SQLITE_BUSY_SECONDS = 10.0

_PASSWORD_IN_URL = re.compile(r"(?P<head>[^\s:/@]+:)(?P<pw>[^\s@/]*)@")  # user:password@ anywhere


def mask_url(url: str) -> str:
    """`url` with its password replaced by ***, whether or not SQLAlchemy can parse it."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return hide_passwords(url)


def hide_passwords(text: str) -> str:
    """Any `scheme://user:password@` in free text (a driver's error message) with the password masked."""
    return _PASSWORD_IN_URL.sub(lambda m: f"{m['head']}***@", text)


def _private_sqlite_file(path: Path) -> None:
    """Create the database file readable and writable by its owner only (reports and reporters live here)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


def make_engine(url: str) -> Engine:
    """An engine for `url`: bounded pool; SQLite gets a private file, WAL, full sync and foreign keys."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise MonitorError(f"monitor database URL {mask_url(url)!r} is not a valid SQLAlchemy URL") from None
    if parsed.get_backend_name() == "sqlite":
        memory = not parsed.database or parsed.database == ":memory:"
        if not memory:
            _private_sqlite_file(Path(parsed.database))
            engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_timeout=POOL_TIMEOUT,
                                   connect_args={"timeout": SQLITE_BUSY_SECONDS})
        else:
            engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not memory:
                # WAL: readers never block the writer; synchronous=FULL: a commit is on disk before we answer.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock up front: a transaction that read first and then writes would otherwise fail
            # at once with "database is locked" when another writer went first (WAL snapshot), instead of
            # waiting its turn for up to SQLITE_BUSY_SECONDS.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                         pool_timeout=POOL_TIMEOUT)


def _unreachable(exc: OperationalError) -> MonitorError:
    first = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
    return MonitorError("cannot reach the monitor database: " + hide_passwords(first))


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
        raise _unreachable(exc) from exc


def require_schema(engine: Engine) -> None:
    """Fail in one line when the database was never initialised."""
    try:
        names = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise _unreachable(exc) from exc
    if "monitor_incidents" not in names:
        raise MonitorError("the monitor database has no tables: run `tocsin monitor init` first")


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with factory() as session, session.begin():
        yield session
