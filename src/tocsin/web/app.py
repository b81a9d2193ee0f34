"""FastAPI app factory: no global app, engine or settings; everything hangs off `app.state`."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from tocsin.core.settings import Settings


def default_routers() -> list[APIRouter]:
    from tocsin.web.routes import countries, monitor, pages, risk

    return [monitor.router, risk.router, countries.router, pages.router]


def create_app(settings: Settings, routers: Sequence[APIRouter] | None = None) -> FastAPI:
    """Build the app for `settings`, including `routers` (default: every router Tocsin has)."""
    # FastAPI's /docs and /redoc pages load their scripts from a CDN; the dashboard must work offline, so
    # they are off and the machine-readable spec stays at /openapi.json.
    app = FastAPI(
        title="Tocsin", version="0.1.0", description="Early warning of mass atrocities: forecasts, monitoring, alerts.",
        docs_url=None, redoc_url=None,
    )
    app.state.settings = settings
    for router in routers if routers is not None else default_routers():
        app.include_router(router)
    return app
