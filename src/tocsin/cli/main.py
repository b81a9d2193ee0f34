"""Entry point: the root app with every command module registered (each registers on import)."""

from __future__ import annotations

from tocsin.cli import data_and_models, hotspots, monitor, prevention, rebuild, runs, watch, web  # noqa: F401
from tocsin.cli.common import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
