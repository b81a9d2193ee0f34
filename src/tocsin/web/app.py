"""FastAPI app factories: no global app, engine or settings; everything hangs off `app.state`.

Two apps: `create_app` (the dashboard, its JSON API and the monitoring API) and `create_monitor_app` (the
monitoring API alone, for `tocsin monitor serve`). Both refuse to start when a route has no entry in
ROUTE_POLICIES, so no route can be added without an explicit permission decision (tests check every entry
against every role).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.core.settings import Settings

# Who may call each route. "public": anyone, and it shows nothing from the monitoring database (a page
# shows monitoring sections only to a token whose role allows them). "login": takes a username and password.
# "token": any signed-in user, who sees only what their role allows (a monitor: their own incidents).
# "token:<permission>": only roles holding that permission in tocsin.monitor.auth.PERMISSIONS.
ROUTE_POLICIES: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): "public",
    # dashboard pages and assets
    ("GET", "/"): "public",
    ("GET", "/country/{country}"): "public",
    ("GET", "/go"): "public",
    ("GET", "/compare"): "public",
    ("GET", "/track-record"): "public",
    # the monthly watch: derived from public data in a watch run, like the forecast pages (no monitoring data)
    ("GET", "/watch"): "public",
    ("GET", "/api/watch"): "public",
    ("GET", "/brief/{country}"): "public",
    ("GET", "/static/vendor/plotly.min.js"): "public",
    ("GET", "/static/{name}"): "public",
    # dashboard API
    ("GET", "/api/risk/years"): "public",
    ("GET", "/api/risk"): "public",
    ("GET", "/api/track-record"): "public",
    ("GET", "/api/track-record/{year}"): "public",
    ("GET", "/api/countries"): "public",
    ("GET", "/api/lookup"): "public",
    ("GET", "/api/countries/{country}"): "public",
    ("GET", "/api/countries/{country}/history"): "public",
    ("GET", "/api/countries/{country}/drivers"): "public",
    ("GET", "/api/countries/{country}/explanations"): "public",
    ("GET", "/api/countries/{country}/hotspots"): "public",
    ("GET", "/api/countries/{country}/incidents"): "token:read_all",
    ("GET", "/api/countries/{country}/alerts"): "token:alerts",
    ("GET", "/api/countries/{country}/prevention"): "public",
    ("GET", "/api/countries/{country}/sources"): "public",
    ("GET", "/api/sources"): "public",
    ("GET", "/api/compare"): "public",
    # monitoring API
    ("POST", "/monitor/token"): "login",
    ("DELETE", "/monitor/token"): "token",
    ("GET", "/monitor/tokens"): "token:manage_users",
    ("POST", "/monitor/tokens/{token_id}/revoke"): "token:manage_users",
    ("POST", "/monitor/incidents"): "token:submit",
    ("GET", "/monitor/incidents"): "token",
    ("GET", "/monitor/incidents/{incident_id}"): "token",
    ("PATCH", "/monitor/incidents/{incident_id}"): "token",
    ("GET", "/monitor/incidents/{incident_id}/history"): "token",
    ("POST", "/monitor/incidents/{incident_id}/verify"): "token:verify",
    ("POST", "/monitor/incidents/{incident_id}/merge"): "token:merge",
    ("GET", "/monitor/incidents/{incident_id}/reporter"): "token:read_reporter",
    ("GET", "/monitor/export"): "token:export",
    ("GET", "/monitor/alerts"): "token:alerts",
    ("POST", "/monitor/score"): "token:score",
    ("GET", "/monitor/users"): "token:manage_users",
    ("POST", "/monitor/users"): "token:manage_users",
    ("POST", "/monitor/users/{username}/deactivate"): "token:manage_users",
    ("POST", "/monitor/users/{username}/activate"): "token:manage_users",
    ("GET", "/monitor/lexicon"): "token:manage_lexicon",
    ("POST", "/monitor/lexicon"): "token:manage_lexicon",
    ("DELETE", "/monitor/lexicon/{term_id}"): "token:manage_lexicon",
    ("GET", "/monitor/audit"): "token:read_audit",
    # speech (its engineer's routes): label corrections, model card, incident view with highlighted reasons
    ("POST", "/monitor/incidents/{incident_id}/label"): "token:verify",
    ("GET", "/monitor/model"): "token:score",
    ("GET", "/monitor/model/view"): "token:score",
    ("GET", "/monitor/incidents/{incident_id}/view"): "token",
}

# Pages load only this app's own scripts, styles and images; nothing inline runs, nothing is framed.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
MAX_BODY = 2 * 1024 * 1024  # bytes; larger bodies get a 413 before they are read
MAX_ECHO = 80  # characters of a rejected value that a 422 repeats


def default_routers() -> list[APIRouter]:
    from tocsin.web.routes import countries, monitor, pages, risk, watch

    return [monitor.router, risk.router, countries.router, watch.router, pages.router]


def route_keys(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app answers (HEAD left out: it follows GET)."""
    out: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        items = contexts() if callable(contexts) else contexts if contexts is not None else [route]
        for r in items:
            for m in getattr(r, "methods", None) or ():
                if m != "HEAD":
                    out.add((m, r.path))
    return out


class SecurityHeaders:
    """Adds the CSP and friends to every response; monitoring answers are also never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith("/monitor")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(SECURITY_HEADERS)]
                headers += SECURITY_HEADERS
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConcurrencyLimit:
    """At most `limit` monitoring requests at once; the rest wait up to `queue_s`, then get 503 + Retry-After.

    A request is either served (and committed before its answer) or refused at once with a clear status: a
    crowd never stalls the server, and nothing is accepted that has no worker to finish it.
    """

    def __init__(self, app: ASGIApp, limit: int = 16, queue_s: float = 10.0, prefix: str = "/monitor") -> None:
        self.app, self.limit, self.queue_s, self.prefix = app, limit, queue_s, prefix
        self._sem: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.limit)
        try:
            await asyncio.wait_for(self._sem.acquire(), timeout=self.queue_s)
        except TimeoutError:
            resp = JSONResponse({"detail": "the monitoring server is busy; retry shortly"}, status_code=503,
                                headers={"Retry-After": "2"})
            await resp(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._sem.release()


def _truncate(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: MAX_ECHO * 4]).decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHO else value[:MAX_ECHO] + f"… ({len(value)} characters)"
    if isinstance(value, dict | list | tuple):
        text = repr(value)
        return value if len(text) <= MAX_ECHO else f"{type(value).__name__} of {len(value)} item(s) (not echoed)"
    return value


async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """A 422 that names each problem but never repeats more than MAX_ECHO characters of what was sent."""
    errors = []
    for e in exc.errors()[:20]:
        item = {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:300], "type": e.get("type")}
        if "input" in e:
            item["input"] = _truncate(e["input"])
        errors.append(item)
    return JSONResponse({"detail": errors}, status_code=422)


def _check_policies(app: FastAPI) -> None:
    missing = sorted(route_keys(app) - set(ROUTE_POLICIES))
    if missing:
        raise RuntimeError(f"routes without a permission decision in ROUTE_POLICIES: {missing}")


def create_app(settings: Settings, routers: Sequence[APIRouter] | None = None, *, max_concurrency: int = 16,
               queue_s: float = 10.0, title: str = "Tocsin") -> FastAPI:
    """Build the app for `settings`, including `routers` (default: every router Tocsin has)."""
    from tocsin.monitor.ratelimit import Limiter
    from tocsin.web.routes import monitor

    # FastAPI's /docs and /redoc pages load their scripts from a CDN; the dashboard must work offline, so
    # they are off and the machine-readable spec stays at /openapi.json.
    app = FastAPI(
        title=title, version="0.1.0",
        description="Early warning of mass atrocities: forecasts, monitoring, alerts.",
        docs_url=None, redoc_url=None, max_body_size=MAX_BODY,
    )
    app.state.settings = settings
    app.state.limiter = Limiter()
    app.state.tocsin_ctx, app.state.tocsin_ctx_lock = {}, threading.Lock()  # one DataContext per run shown
    for router in routers if routers is not None else default_routers():
        app.include_router(router)
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    monitor.install_error_handlers(app)
    app.add_middleware(ConcurrencyLimit, limit=max_concurrency, queue_s=queue_s)  # type: ignore[arg-type]
    if routers is None and settings.page_cache_seconds > 0:
        from tocsin.web.response_cache import ResponseCache

        # Anonymous dashboard answers of a run, served from memory: pages and the API answer in milliseconds.
        app.add_middleware(ResponseCache, runs_root=settings.runs_dir,  # type: ignore[arg-type]
                           ttl_s=settings.page_cache_seconds)
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]
    _check_policies(app)
    return app


def dashboard_from_env() -> FastAPI:
    """The dashboard for the settings in the environment: what each `tocsin serve --workers N` process runs."""
    return create_app(Settings())


def create_monitor_app(settings: Settings, **kwargs: Any) -> FastAPI:
    """The monitoring API alone (no dashboard pages, no dashboard API): what `tocsin monitor serve` runs."""
    from tocsin.web.routes import monitor

    return create_app(settings, [monitor.router], title="Tocsin monitoring API", **kwargs)
