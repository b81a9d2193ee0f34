"""Monitoring API: submit, list, verify, merge, export incidents; alerts; users and lexicons (admins)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path as PathlibPath
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor import alerts, audit, auth, incidents, service
from tocsin.monitor.errors import (
    AuthError,
    MonitorError,
    NotFound,
    PermissionDenied,
    SpeechModelMissing,
    ValidationError,
)
from tocsin.monitor.incidents import IncidentIn
from tocsin.monitor.models import Category, Incident, LexiconTerm, Role, Status, User
from tocsin.monitor.ratelimit import TooMany

if TYPE_CHECKING:
    from tocsin.monitor.speech.scoring import Scorer

class ErrorOut(BaseModel):
    detail: Any


router = APIRouter(prefix="/monitor", tags=["monitor"], responses={
    401: {"model": ErrorOut, "description": "No valid API token (missing, wrong, expired or revoked)"},
    403: {"model": ErrorOut, "description": "The token's role may not do this"},
    404: {"model": ErrorOut, "description": "No such incident, user, token or term (or not visible to you)"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    422: {"model": ErrorOut, "description": "Invalid input (each problem named; long input never echoed)"},
    429: {"model": ErrorOut, "description": "Too many attempts; see Retry-After"},
    503: {"model": ErrorOut, "description": "Busy, database unreachable or no speech model; see Retry-After"},
})
TEMPLATES = PathlibPath(__file__).resolve().parent.parent / "templates"
MAX_PAGE = incidents.MAX_PAGE
ERROR_CODES: dict[type[MonitorError], int] = {
    AuthError: 401, PermissionDenied: 403, NotFound: 404, ValidationError: 422, SpeechModelMissing: 503,
}


def _factory(request: Request) -> sessionmaker[Session]:
    state = request.app.state
    if getattr(state, "monitor_sessions", None) is None:
        state.monitor_engine, state.monitor_sessions = service.open_db(state.settings)
    return state.monitor_sessions


def get_session(request: Request) -> Iterator[Session]:
    """One session per request. Handlers commit before they answer (so a 2xx means the change is on disk);
    anything not committed when the request ends is rolled back."""
    with _factory(request)() as session:
        yield session


def commit(session: Session) -> None:
    """Commit now, before the answer is built: if this fails, the client gets an error, never a 201."""
    session.commit()


def _client(request: Request) -> str:
    # Used only as an in-memory rate-limit key (hashed there); never logged, never stored.
    return request.client.host if request.client else "unknown"


def install_error_handlers(app: FastAPI) -> None:
    """Monitor errors -> 401/403/404/422/503; database trouble -> 503 with Retry-After (never a stall or an
    echo of the database URL); rate limits -> 429 with Retry-After."""

    async def monitor_error(_request: Request, exc: Exception) -> JSONResponse:
        code = ERROR_CODES.get(type(exc), 400)
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        return JSONResponse({"detail": str(exc)[:500]}, status_code=code, headers=headers)

    async def too_many(_request: Request, exc: Exception) -> JSONResponse:
        retry = getattr(exc, "retry_after", 60)
        return JSONResponse({"detail": str(exc)}, status_code=429, headers={"Retry-After": str(retry)})

    async def database_busy(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "the monitoring database is busy or unreachable; nothing was saved, retry"},
                            status_code=503, headers={"Retry-After": "2"})

    app.add_exception_handler(MonitorError, monitor_error)
    app.add_exception_handler(TooMany, too_many)
    app.add_exception_handler(OperationalError, database_busy)
    app.add_exception_handler(SATimeoutError, database_busy)
    app.add_exception_handler(DisconnectionError, database_busy)


def bearer(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("bearer "):
        return None
    return authorization[7:].strip() or None


_bearer_scheme = HTTPBearer(auto_error=False, description="An API token from POST /monitor/token or the CLI")


def current_user(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None,
) -> User:
    token = credentials.credentials.strip() if credentials is not None else None
    if not token:
        raise HTTPException(
            401, "send an API token as 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
        )
    limiter = request.app.state.limiter
    limiter.before_bearer(_client(request))
    try:
        return auth.user_for_token(session, token)
    except AuthError as exc:
        limiter.bearer_failed(_client(request))
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc


def _scorer(request: Request, session: Session) -> Scorer | None:
    """The speech scorer when a model is trained; incidents are still accepted without one."""
    settings = request.app.state.settings
    if not (settings.home / "models" / "speech.joblib").is_file():  # no model: don't import scikit-learn at all
        return None
    try:
        return service.load_scorer(request.app.state.settings, session)
    except SpeechModelMissing:
        return None


SessionDep = Annotated[Session, Depends(get_session)]
UserDep = Annotated[User, Depends(current_user)]


Short = Annotated[str, Field(max_length=200)]
# Every time the monitor stores is UTC; SQLite hands them back without a zone, so answers add it.
UtcDatetime = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo is not None else d.replace(tzinfo=UTC))]


class IncidentOut(BaseModel):
    """An incident as anyone allowed to see it sees it. It has no reporter fields at all."""

    id: int
    receipt: str | None
    country_iso3: str
    country_gwcode: int | None
    country_name: str
    admin1: str | None
    latitude: float | None
    longitude: float | None
    event_date: date
    category: str
    actor: str | None
    target_group: str | None
    text: str | None
    language: str | None
    source_url: str | None
    confidence: float
    status: str
    duplicate_of: int | None
    danger_label: str | None
    danger_score: float | None
    danger_reasons: list[dict[str, Any]] | None
    origin: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class IncidentPatch(BaseModel):
    """Fields a reporter (or an analyst) may change; each as bounded as on submission."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(default=None, min_length=1, max_length=120)
    event_date: date | None = None
    category: Category | None = None
    admin1: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    actor: str | None = Field(default=None, max_length=400)
    target_group: str | None = Field(default=None, max_length=400)
    text: str | None = Field(default=None, max_length=20000)
    language: str | None = Field(default=None, max_length=16)
    source_url: str | None = Field(default=None, max_length=2000)
    confidence: float | None = Field(default=None, ge=0, le=1)


class ReporterOut(BaseModel):
    """Reporter identity: only admins receive it, and each read is audited."""

    user_id: int
    username: str
    full_name: str | None
    contact: str | None


class TokenIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD)
    label: str = Field(default="", max_length=120)


class TokenOut(BaseModel):
    token: str
    role: str
    expires_at: UtcDatetime


class TokenInfo(BaseModel):
    id: int
    username: str
    label: str
    created_at: UtcDatetime | None
    expires_at: UtcDatetime | None
    revoked_at: UtcDatetime | None
    state: str


class VerifyIn(BaseModel):
    status: Literal["verified", "rejected", "unverified"] = Field(description="verified, rejected or unverified")
    note: str = Field(default="", max_length=2000)


class MergeIn(BaseModel):
    into: int = Field(ge=1, le=2**31 - 1, description="id of the incident to keep")


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=auth.MIN_PASSWORD, max_length=auth.MAX_PASSWORD)
    role: Role
    full_name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=400)


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    active: bool = True


class ScoreIn(BaseModel):
    texts: list[Annotated[str, Field(max_length=10000)]] = Field(max_length=100)  # < the 2 MiB body limit
    language: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=120)


class TermIn(BaseModel):
    term: str = Field(min_length=1, max_length=200)
    language: str = Field(min_length=1, max_length=16)
    category: str = Field(default="hate", max_length=40)
    weight: float = Field(default=0.3, gt=0, le=1)
    country_iso3: str | None = Field(default=None, max_length=3)
    note: str = Field(default="", max_length=400)


class TermOut(TermIn):
    id: int


class AlertOut(BaseModel):
    id: int
    country_iso3: str
    category: str
    week_start: date
    statistic: float
    threshold: float
    evidence: dict[str, Any]


class AuditOut(BaseModel):
    id: int
    at: UtcDatetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str | None
    detail: dict[str, Any]


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise ValidationError(f"{value[:20]!r} is not a calendar date (YYYY-MM-DD)") from exc


def _out(i: Incident) -> IncidentOut:
    return IncidentOut.model_validate(incidents.public_dict(i))


IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
Country = Annotated[str | None, Query(min_length=1, max_length=120)]
# YYYY-MM-DD only (a bare number is not a date, whatever pydantic's lax mode would make of it).
IsoDate = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
                                      json_schema_extra={"format": "date"})]


# ---- tokens and users --------------------------------------------------------------------------------------
@router.post("/token", response_model=TokenOut, responses={429: {"description": "Too many attempts"}})
def issue_token(body: TokenIn, request: Request, session: SessionDep) -> TokenOut:
    """A token for a username and password, valid TOCSIN_TOKEN_TTL_DAYS days; rate-limited per user and client."""
    limiter, client = request.app.state.limiter, _client(request)
    limiter.before_login(body.username, client)
    try:
        user = auth.authenticate(session, body.username, body.password)
    except AuthError:
        limiter.login_failed(body.username, client)
        raise
    token = auth.create_token(session, user, body.label, request.app.state.settings.token_ttl_days)
    commit(session)
    limiter.token_issued(body.username, client)
    row = auth.token_row(session, token)
    return TokenOut(token=token, role=user.role, expires_at=auth.as_utc(row.expires_at) or row.expires_at)


@router.delete("/token", status_code=204)
def revoke_own_token(request: Request, session: SessionDep, user: UserDep) -> Response:
    """Revoke the token this request is made with (log out)."""
    auth.revoke_token(session, user, bearer(request.headers.get("authorization")) or "")
    commit(session)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[TokenInfo])
def list_tokens(
    session: SessionDep, user: UserDep, username: Annotated[str | None, Query(max_length=80)] = None
) -> list[TokenInfo]:
    """Every token's state (admins); never a token or its hash."""
    return [TokenInfo.model_validate(t) for t in auth.list_tokens(session, user, username)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenInfo)
def revoke_token(token_id: IdPath, session: SessionDep, user: UserDep) -> TokenInfo:
    """Revoke a token at once (admins); audited."""
    row = auth.revoke_token_id(session, user, token_id)
    commit(session)
    return TokenInfo.model_validate(next(t for t in auth.list_tokens(session, user) if t["id"] == row.id))


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: UserDep) -> list[UserOut]:
    return [UserOut(id=u.id, username=u.username, role=u.role, active=u.active)
            for u in auth.list_users(session, user)]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, session: SessionDep, user: UserDep) -> UserOut:
    u = auth.create_user(session, user, body.username, body.password, body.role.value, body.full_name,
                         body.contact)
    commit(session)
    return UserOut(id=u.id, username=u.username, role=u.role, active=u.active)


@router.post("/users/{username}/deactivate", response_model=UserOut)
def deactivate_user(username: Annotated[str, Path(max_length=80)], session: SessionDep, user: UserDep) -> UserOut:
    """Deactivate a user (admins): every token of theirs stops working at once; audited."""
    u = auth.set_active(session, user, username, False)
    commit(session)
    return UserOut(id=u.id, username=u.username, role=u.role, active=u.active)


@router.post("/users/{username}/activate", response_model=UserOut)
def activate_user(username: Annotated[str, Path(max_length=80)], session: SessionDep, user: UserDep) -> UserOut:
    """Reactivate a user (admins); they need a new token (the old ones stay revoked)."""
    u = auth.set_active(session, user, username, True)
    commit(session)
    return UserOut(id=u.id, username=u.username, role=u.role, active=u.active)


# ---- incidents ---------------------------------------------------------------------------------------------
@router.post("/incidents", response_model=IncidentOut, status_code=201)
def submit(
    body: IncidentIn,
    request: Request,
    session: SessionDep,
    user: UserDep,
    idempotency_key: Annotated[str | None, Header(min_length=8, max_length=80)] = None,
) -> IncidentOut:
    """Log an incident. Answered 201 only once it is committed. Send an Idempotency-Key to retry safely:
    the same key from the same reporter returns the incident already stored."""
    incident = incidents.submit(session, user, body, _scorer(request, session), origin="api",
                                idempotency_key=idempotency_key)
    try:
        commit(session)
    except IntegrityError:  # the same key committed by a concurrent retry: answer with that stored row
        session.rollback()
        stored = incidents.by_idempotency_key(session, user, idempotency_key) if idempotency_key else None
        if stored is None:
            raise
        incident = stored
    return _out(incident)


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(
    session: SessionDep,
    user: UserDep,
    country: Country = None,
    category: Category | None = None,
    status: Status | None = None,
    since: IsoDate = None,
    until: IsoDate = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
    offset: Annotated[int, Query(ge=0, le=incidents.MAX_OFFSET)] = 0,
) -> list[IncidentOut]:
    rows = incidents.list_incidents(
        session,
        user,
        country=country,
        category=category.value if category else None,
        status=status.value if status else None,
        since=_iso(since),
        until=_iso(until),
        limit=limit,
        offset=offset,
    )
    return [_out(i) for i in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: IdPath, session: SessionDep, user: UserDep) -> IncidentOut:
    return _out(incidents.get(session, user, incident_id))


@router.patch("/incidents/{incident_id}", response_model=IncidentOut)
def edit_incident(
    incident_id: IdPath, body: IncidentPatch, request: Request, session: SessionDep, user: UserDep
) -> IncidentOut:
    changes = body.model_dump(exclude_unset=True)
    incident = incidents.edit(session, user, incident_id, changes, _scorer(request, session))
    commit(session)
    return _out(incident)


@router.get("/incidents/{incident_id}/history")
def incident_history(incident_id: IdPath, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    return incidents.history(session, user, incident_id)


@router.post("/incidents/{incident_id}/verify", response_model=IncidentOut)
def verify(incident_id: IdPath, body: VerifyIn, session: SessionDep, user: UserDep) -> IncidentOut:
    incident = incidents.verify(session, user, incident_id, body.status, body.note)
    commit(session)
    return _out(incident)


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut)
def merge(incident_id: IdPath, body: MergeIn, session: SessionDep, user: UserDep) -> IncidentOut:
    incident = incidents.merge(session, user, incident_id, body.into)
    commit(session)
    return _out(incident)


@router.get("/incidents/{incident_id}/reporter", response_model=ReporterOut)
def reporter(incident_id: IdPath, session: SessionDep, user: UserDep) -> ReporterOut:
    info = incidents.reporter_of(session, user, incident_id)
    commit(session)  # the read is audited: no audit row, no identity
    return ReporterOut.model_validate(info)


@router.get("/export", responses={200: {"content": {"text/csv": {"schema": {"type": "string"}},
                                                   "application/x-ndjson": {"schema": {"type": "string"}}}}})
def export(
    request: Request,
    session: SessionDep,
    user: UserDep,
    format: Literal["csv", "jsonl"] = "csv",
    strip_text: bool = False,
    country: Country = None,
    category: Category | None = None,
    status: Status | None = None,
) -> Response:
    """Every matching incident (no cap), streamed; CSV cells that a spreadsheet would run are neutralised."""
    q, fields = incidents.start_export(session, user, format, strip_text, country=country,
                                       category=category.value if category else None,
                                       status=status.value if status else None)
    commit(session)  # the export is logged before a byte of it leaves
    factory = _factory(request)

    def body() -> Iterator[str]:
        with factory() as s:
            yield from incidents.stream_rows(s, q, fields, format, strip_text)

    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="incidents.{format}"'}
    )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    session: SessionDep,
    user: UserDep,
    country: Country = None,
    refresh: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 200,
) -> list[AlertOut]:
    auth.require(user, "alerts")
    if refresh:
        alerts.refresh(session, user)
        commit(session)
    iso3 = incidents.resolve_country(country)[1] if country else None
    return [AlertOut.model_validate(alerts.alert_dict(a)) for a in alerts.list_alerts(session, user, iso3,
                                                                                       limit=limit)]


@router.post("/score")
def score(body: ScoreIn, request: Request, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    auth.require(user, "score")
    scorer = service.load_scorer(request.app.state.settings, session)
    iso3 = incidents.resolve_country(body.country)[1] if body.country else None
    return [s.as_json() for s in scorer.score_many(body.texts, body.language, iso3)]


# ---- speech: label corrections, model card, incident view with highlighted reasons -----------------------------
class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Literal["hate", "offensive", "neutral"]
    note: str = Field(default="", max_length=400)


class CorrectionOut(BaseModel):
    id: int
    incident_id: int
    language: str
    model_label: str | None
    label: str
    note: str
    created_at: UtcDatetime


@router.post("/incidents/{incident_id}/label", response_model=CorrectionOut, status_code=201)
def correct_label(incident_id: IdPath, body: CorrectionIn, session: SessionDep, user: UserDep) -> CorrectionOut:
    """An analyst's (or admin's) label for the incident's text; audited; used by the next `monitor train`."""
    from tocsin.monitor.speech import corrections

    auth.require(user, corrections.PERMISSION)  # explicit: analysts and admins; monitors get 403
    incidents.get(session, user, incident_id)  # 404 unless this user may see the incident
    row = corrections.correct(session, user, incident_id, body.label, body.note)
    commit(session)
    return CorrectionOut.model_validate(corrections.as_dict(row))


@router.get("/model")
def model_card(request: Request, user: UserDep) -> dict[str, Any]:
    """The speech model card (per-model F1 on each split, CV choice, training data, corrections used)."""
    auth.require(user, "score")  # every role may see how the scores it gets were made
    return _card(request)


def _card(request: Request) -> dict[str, Any]:
    from tocsin.monitor.speech import card, classifier

    path = classifier.model_path(request.app.state.settings)
    data = card.read(path) if path.is_file() else None
    return data if data is not None else card.card(classifier.load_cached(path))


@router.get("/model/view", response_class=HTMLResponse)
def model_card_view(request: Request, user: UserDep) -> HTMLResponse:
    """The model card as a page (every value escaped); who may see it: the same roles as GET /monitor/model."""
    from tocsin.reports.templating import folder_environment

    # Explicit: every role that gets scores may see how they were made; anonymous visitors may not, since
    # the card counts analysts' corrections, which come from the monitoring database.
    auth.require(user, "score")
    env = folder_environment(TEMPLATES, {"f3": lambda v: "–" if v is None else f"{float(v):.3f}"})
    return HTMLResponse(env.get_template("monitor_model.html.j2").render(card=_card(request)))


@router.get("/incidents/{incident_id}/view", response_class=HTMLResponse)
def incident_view(incident_id: IdPath, request: Request, session: SessionDep, user: UserDep) -> HTMLResponse:
    """The incident with the words behind its speech score highlighted (every value escaped)."""
    from tocsin.monitor.speech.highlight import segments, stored_spans
    from tocsin.reports.templating import folder_environment

    incident = incidents.get(session, user, incident_id)  # same permission as reading it
    row = incidents.public_dict(incident)
    reasons = [r for r in row.get("danger_reasons") or [] if isinstance(r, dict) and r.get("kind") != "spans"]
    env = folder_environment(TEMPLATES)
    html = env.get_template("monitor_incident.html.j2").render(
        incident=row, segments=segments(row.get("text") or "", stored_spans(row.get("danger_reasons"))),
        reasons=reasons,
    )
    return HTMLResponse(html)


# ---- lexicon and audit (admins) ----------------------------------------------------------------------------
@router.get("/lexicon", response_model=list[TermOut])
def list_terms(session: SessionDep, user: UserDep) -> list[TermOut]:
    auth.require(user, "manage_lexicon")
    return [
        TermOut(
            id=t.id,
            term=t.term,
            language=t.language,
            category=t.category,
            weight=t.weight,
            country_iso3=t.country_iso3,
            note=t.note,
        )
        for t in session.scalars(select(LexiconTerm))
    ]


@router.post("/lexicon", response_model=TermOut, status_code=201)
def add_term(body: TermIn, session: SessionDep, user: UserDep) -> TermOut:
    row = service.add_term(
        session, user, body.term, body.language, body.category, body.weight, body.country_iso3, body.note
    )
    commit(session)
    return TermOut(id=row.id, **body.model_dump() | {"country_iso3": row.country_iso3, "language": row.language})


@router.delete("/lexicon/{term_id}", status_code=204)
def delete_term(term_id: IdPath, session: SessionDep, user: UserDep) -> Response:
    service.delete_term(session, user, term_id)
    commit(session)
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    session: SessionDep, user: UserDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 200
) -> list[AuditOut]:
    auth.require(user, "read_audit")
    return [AuditOut.model_validate(e, from_attributes=True) for e in audit.entries(session, limit)]
