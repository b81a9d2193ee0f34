"""Fixtures for the attack tests: the dashboard's made-up home (shared with tests/web), a token per role, and
XSS payloads stored where users can store text (trigger titles and notes, a playbook's text, user names)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tocsin.core.settings import Settings

_spec = importlib.util.spec_from_file_location("tocsin_web_fixtures",
                                               Path(__file__).resolve().parents[1] / "web" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_web = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_web)

# The same made-up home as the web tests (fixture functions re-exported, so pytest finds them here too).
web_home = _web.web_home
web_app = _web.web_app
client = _web.client
live_server = _web.live_server

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def tokens(web_home: Settings) -> dict[str, str]:
    """A real API token for each role (the analyst is the home's own analyst1)."""
    from tocsin.monitor import auth, db, service

    _, factory = service.open_db(web_home)
    out = {}
    with db.transaction(factory) as s:
        for role in ("monitor", "analyst", "admin"):
            name = f"sec_{role}"
            user = auth.create_user(s, None, name, PASSWORD, role) if s.query(auth.User).filter_by(
                username=name).one_or_none() is None else auth.get_user(s, name)
            out[role] = auth.create_token(s, user, "security tests")
    return out


@pytest.fixture(scope="module")  # the patched prevention section must not outlive the module using it
def stored_payloads(web_home: Settings) -> Iterator[list[str]]:
    """Every payload stored as a trigger title and note for Sudan, in the monitoring database.

    The prevention section is then built from those stored rows (and a playbook tool named by the payload):
    the ranking itself needs warehouse tables the made-up home lacks, so `dossier.prevention` is replaced by
    a reader of the real trigger table; the text travels the real path from the database to page and brief.
    """
    from sqlalchemy import select
    from xss_payloads import PAYLOADS

    from tocsin.monitor import db, service
    from tocsin.prevention.tracker_models import TriggerEvent
    from tocsin.prevention.triggers import add_trigger
    from tocsin.reports import dossier
    from tocsin.reports.dossier import Section

    _, factory = service.open_db(web_home)
    with db.transaction(factory) as s:
        for i, p in enumerate(PAYLOADS):
            add_trigger(s, "Sudan", "election", date(2025, 1, 1 + i % 28), p, note=f"note {p}")

    def prevention(ctx: Any, ccode: int) -> Section:
        with factory() as s:
            rows = list(s.scalars(select(TriggerEvent).where(TriggerEvent.country_gwcode == ccode)))
        return Section(True, "Options (test: from stored triggers).",
                       [{"name": f"Tool {t.title}", "score": 1.0, "rationale": f"{t.title} ({t.note})",
                         "actors": "playbook " + t.title, "lead_time": "1-6 months", "cost_class": "low"}
                        for t in rows if t.title in PAYLOADS], [])

    mp = pytest.MonkeyPatch()
    mp.setattr(dossier, "prevention", prevention)
    yield PAYLOADS
    mp.undo()
