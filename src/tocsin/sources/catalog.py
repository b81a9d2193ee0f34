"""Every source Tocsin knows, by name. New source modules register here."""

from __future__ import annotations

from tocsin.core.errors import DataError
from tocsin.core.settings import Settings
from tocsin.sources import accountability, boundaries, climate, ewp, ewp_inputs, inequality, subnational
from tocsin.sources import events as repression_events
from tocsin.sources.base import Source


def all_sources() -> list[Source]:
    return [*ewp.SOURCES, *ewp_inputs.SOURCES, *subnational.SOURCES, *climate.SOURCES, *inequality.SOURCES,
            *boundaries.SOURCES, *accountability.SOURCES, *repression_events.SOURCES]


def get_source(name: str) -> Source:
    for src in all_sources():
        if src.name == name:
            return src
    raise DataError(name, "no such source")


def enabled_sources(settings: Settings) -> list[Source]:
    """Sources a plain pull loads: optional ones only when their setting is on (e.g. EM-DAT's terms)."""
    return [s for s in all_sources() if s.optional_setting is None or getattr(settings, s.optional_setting)]
