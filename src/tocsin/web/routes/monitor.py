"""Monitoring API: submit, list, verify, merge, export incidents; alerts; users and lexicons (admins)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
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
from tocsin.monitor.models import Incident, User
from tocsin.monitor.speech.scoring import Scorer

router = APIRouter(prefix="/monitor", tags=["monitor"])


def _factory(request: Request) -> sessionmaker[Session]:
    state = request.app.state
    if getattr(state, "monitor_sessions", None) is None:
        state.monitor_engine, state.monitor_sessions = service.open_db(state.settings)
    return state.monitor_sessions


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on any error."""
    with _factory(request)() as session, session.begin():
        try:
            yield session
        except MonitorError as exc:
            raise _http(exc) from exc


def _http(exc: MonitorError) -> HTTPException:
    code = {AuthError: 401, PermissionDenied: 403, NotFound: 404, ValidationError: 422, SpeechModelMissing: 503}.get(
        type(exc), 400
    )
    return HTTPException(code, detail=str(exc))


def current_user(
    session: Annotated[Session, Depends(get_session)], authorization: Annotated[str | None, Header()] = None
) -> User:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(
            401, "send an API token as 'Authorization: Bearer <token>'", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        return auth.user_for_token(session, authorization[7:].strip())
    except AuthError as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc


def _scorer(request: Request, session: Session) -> Scorer | None:
    """The speech scorer when a model is trained; incidents are still accepted without one."""
    try:
        return service.load_scorer(request.app.state.settings, session)
    except SpeechModelMissing:
        return None


SessionDep = Annotated[Session, Depends(get_session)]
UserDep = Annotated[User, Depends(current_user)]


class IncidentOut(BaseModel):
    """An incident as anyone allowed to see it sees it. It has no reporter fields at all."""

    id: int
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
    created_at: datetime
    updated_at: datetime


class ReporterOut(BaseModel):
    """Reporter identity: only admins receive it, and each read is audited."""

    user_id: int
    username: str
    full_name: str | None
    contact: str | None


class TokenIn(BaseModel):
    username: str
    password: str
    label: str = ""


class TokenOut(BaseModel):
    token: str
    role: str


class VerifyIn(BaseModel):
    status: str = Field(description="verified, rejected or unverified")
    note: str = ""


class MergeIn(BaseModel):
    into: int = Field(description="id of the incident to keep")


class UserIn(BaseModel):
    username: str
    password: str
    role: str
    full_name: str | None = None
    contact: str | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: str


class ScoreIn(BaseModel):
    texts: list[str] = Field(max_length=10000)
    language: str | None = None
    country: str | None = None


class TermIn(BaseModel):
    term: str
    language: str
    category: str = "hate"
    weight: float = 0.3
    country_iso3: str | None = None
    note: str = ""


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
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str | None
    detail: dict[str, Any]


def _out(i: Incident) -> IncidentOut:
    return IncidentOut.model_validate(incidents.public_dict(i))


@router.post("/token", response_model=TokenOut)
def issue_token(body: TokenIn, session: SessionDep) -> TokenOut:
    user = auth.authenticate(session, body.username, body.password)
    return TokenOut(token=auth.create_token(session, user, body.label), role=user.role)


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def submit(body: IncidentIn, request: Request, session: SessionDep, user: UserDep) -> IncidentOut:
    return _out(incidents.submit(session, user, body, _scorer(request, session), origin="api"))


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(
    session: SessionDep,
    user: UserDep,
    country: str | None = None,
    category: str | None = None,
    status: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: Annotated[int, Query(le=5000)] = 500,
    offset: int = 0,
) -> list[IncidentOut]:
    rows = incidents.list_incidents(
        session,
        user,
        country=country,
        category=category,
        status=status,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return [_out(i) for i in rows]


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: int, session: SessionDep, user: UserDep) -> IncidentOut:
    return _out(incidents.get(session, user, incident_id))


@router.patch("/incidents/{incident_id}", response_model=IncidentOut)
def edit_incident(
    incident_id: int, body: dict[str, Any], request: Request, session: SessionDep, user: UserDep
) -> IncidentOut:
    return _out(incidents.edit(session, user, incident_id, body, _scorer(request, session)))


@router.get("/incidents/{incident_id}/history")
def incident_history(incident_id: int, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    return incidents.history(session, user, incident_id)


@router.post("/incidents/{incident_id}/verify", response_model=IncidentOut)
def verify(incident_id: int, body: VerifyIn, session: SessionDep, user: UserDep) -> IncidentOut:
    return _out(incidents.verify(session, user, incident_id, body.status, body.note))


@router.post("/incidents/{incident_id}/merge", response_model=IncidentOut)
def merge(incident_id: int, body: MergeIn, session: SessionDep, user: UserDep) -> IncidentOut:
    return _out(incidents.merge(session, user, incident_id, body.into))


@router.get("/incidents/{incident_id}/reporter", response_model=ReporterOut)
def reporter(incident_id: int, session: SessionDep, user: UserDep) -> ReporterOut:
    return ReporterOut.model_validate(incidents.reporter_of(session, user, incident_id))


@router.get("/export")
def export(
    session: SessionDep,
    user: UserDep,
    format: str = "csv",
    strip_text: bool = False,
    country: str | None = None,
    category: str | None = None,
    status: str | None = None,
) -> Response:
    body = incidents.export(session, user, format, strip_text, country=country, category=category, status=status)
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="incidents.{format}"'}
    )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    session: SessionDep, user: UserDep, country: str | None = None, refresh: bool = False
) -> list[AlertOut]:
    if refresh:
        alerts.refresh(session, user)
    iso3 = incidents.resolve_country(country)[1] if country else None
    return [AlertOut.model_validate(alerts.alert_dict(a)) for a in alerts.list_alerts(session, user, iso3)]


@router.post("/score")
def score(body: ScoreIn, request: Request, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    auth.require(user, "score")
    scorer = service.load_scorer(request.app.state.settings, session)
    iso3 = incidents.resolve_country(body.country)[1] if body.country else None
    return [s.as_json() for s in scorer.score_many(body.texts, body.language, iso3)]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, session: SessionDep, user: UserDep) -> UserOut:
    u = auth.create_user(session, user, body.username, body.password, body.role, body.full_name, body.contact)
    return UserOut(id=u.id, username=u.username, role=u.role)


@router.get("/lexicon", response_model=list[TermOut])
def list_terms(session: SessionDep, user: UserDep) -> list[TermOut]:
    auth.require(user, "manage_lexicon")
    from sqlalchemy import select

    from tocsin.monitor.models import LexiconTerm

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
    return TermOut(id=row.id, **body.model_dump() | {"country_iso3": row.country_iso3, "language": row.language})


@router.delete("/lexicon/{term_id}", status_code=204)
def delete_term(term_id: int, session: SessionDep, user: UserDep) -> Response:
    service.delete_term(session, user, term_id)
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(session: SessionDep, user: UserDep, limit: Annotated[int, Query(le=5000)] = 200) -> list[AuditOut]:
    auth.require(user, "read_audit")
    return [AuditOut.model_validate(e, from_attributes=True) for e in audit.entries(session, limit)]
