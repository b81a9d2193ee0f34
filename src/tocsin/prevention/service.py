"""Wiring from Settings to the prevention layer's data: the monitoring database and the panel's onsets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from tocsin.core.settings import Settings
from tocsin.features.driver_registry import driver_registry
from tocsin.features.panel import base_registry
from tocsin.monitor import db
from tocsin.prevention.playbook import Playbook, default_playbook_path, load_playbook, unknown_features


@contextmanager
def session(settings: Settings, write: bool = False) -> Iterator[Session]:
    """A session on the monitoring database, its schema (with the prevention tables) brought up first;
    with write=True one transaction, committed on success and rolled back on any error."""
    engine = db.make_engine(settings.monitor_url)
    try:
        db.upgrade(engine)
        factory = db.session_factory(engine)
        if write:
            with db.transaction(factory) as s:
                yield s
        else:
            with factory() as s:
                yield s
    finally:
        engine.dispose()


def panel_onsets(settings: Settings) -> pd.DataFrame | None:
    """(ccode, year, mk_onset) from the warehouse's EWP panel, or None when there is no panel yet."""
    from tocsin.warehouse.store import Warehouse

    wh = Warehouse(settings.warehouse_path)
    if not (wh.exists() and wh.has("ewp_panel")):
        return None
    return wh.query("SELECT ccode, year, mk_onset FROM ewp_panel")


def check_playbook(path: Path | None, settings: Settings) -> tuple[Path, Playbook, list[str]]:
    """Validate a playbook (PlaybookError lists each problem's line); warn about features Tocsin lacks."""
    chosen = path or settings.playbook_path or default_playbook_path()
    book = load_playbook(chosen)
    known = {f.name for f in base_registry()} | {f.name for f in driver_registry()}
    known |= {"deterioration_count_3y", "coup_attempt_this_year", "coup_attempt_last_2y"}
    warnings = [f"signal {sig}: feature {feat!r} is not a known Tocsin feature (fine if your own data provides it)"
                for sig, feat in unknown_features(book, known)]
    return chosen, book, warnings
