"""Fixtures for the prevention tests: a fresh monitoring database (SQLite, or real PostgreSQL) per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from services import require_postgres
from tocsin.monitor import db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        eng = db.make_engine(require_postgres())
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        eng = db.make_engine(f"sqlite:///{tmp_path / 'monitor.sqlite'}")
    db.upgrade(eng)
    yield eng
    eng.dispose()
