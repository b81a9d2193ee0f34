"""Incident log services. Every function takes the acting user and enforces the permission matrix."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.core.countries import lookup
from tocsin.core.errors import CountryNotFoundError
from tocsin.monitor import audit
from tocsin.monitor.auth import can, require
from tocsin.monitor.errors import NotFound, PermissionDenied, ValidationError
from tocsin.monitor.models import Category, Incident, IncidentHistory, Status, User


@dataclass(frozen=True)
class Danger:
    """What the speech scorer said about an incident's text."""

    label: str
    score: float
    reasons: list[dict[str, Any]]


Scorer = Callable[[str, str | None, str | None], Danger]  # (text, language, country iso3) -> Danger

MAX_PAGE = 5000  # rows per page of the API
MAX_OFFSET = 10_000_000
EXPORT_BATCH = 1000  # rows read at a time while an export streams
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): prefixed with ' on export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class IncidentIn(BaseModel):
    """What a reporter submits. Country is a name or code; it is resolved and stored as gwcode + iso3."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    country: str = Field(min_length=1, max_length=120)
    event_date: date
    category: Category
    admin1: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    actor: str | None = Field(default=None, max_length=400, description="Speaker or actor.")
    target_group: str | None = Field(default=None, max_length=400)
    text: str | None = Field(default=None, max_length=20000, description="Quote or description.")
    language: str | None = Field(default=None, max_length=16, description="Language code, e.g. en, am, my.")
    source_url: str | None = Field(default=None, max_length=2000)
    confidence: float = Field(default=0.5, ge=0, le=1, description="Reporter's confidence, 0 to 1.")

    @field_validator("event_date")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > datetime.now(UTC).date():
            raise ValueError("event date is in the future")
        return v

    @field_validator("source_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v and not v.lower().startswith(("http://", "https://")):
            raise ValueError("source link must start with http:// or https://")
        return v or None


# What a reporter supplies about an incident (the CSV import's columns, and what its owner may edit).
INPUT_FIELDS: tuple[str, ...] = (
    "country",
    "event_date",
    "category",
    "admin1",
    "latitude",
    "longitude",
    "actor",
    "target_group",
    "text",
    "language",
    "source_url",
    "confidence",
)
EDITABLE = frozenset(INPUT_FIELDS)

# Fields anyone allowed to see an incident may see; reporter identity is never among them.
PUBLIC_FIELDS: tuple[str, ...] = (
    "id",
    "receipt",
    "country_iso3",
    "country_gwcode",
    "country_name",
    "admin1",
    "latitude",
    "longitude",
    "event_date",
    "category",
    "actor",
    "target_group",
    "text",
    "language",
    "source_url",
    "confidence",
    "status",
    "duplicate_of",
    "danger_label",
    "danger_score",
    "origin",
    "created_at",
    "updated_at",
)


def resolve_country(query: str) -> tuple[int | None, str, str]:
    try:
        c = lookup(query)
    except CountryNotFoundError as exc:
        raise ValidationError(str(exc)) from exc
    return c.gwcode, c.iso3, c.name


def _apply(incident: Incident, data: dict[str, Any]) -> dict[str, Any]:
    """Set fields on an incident; return {field: [old, new]} for the history."""
    changes: dict[str, Any] = {}
    if "country" in data:
        gw, iso3, name = resolve_country(str(data.pop("country")))
        data |= {"country_gwcode": gw, "country_iso3": iso3, "country_name": name}
    for key, value in data.items():
        if isinstance(value, Category):
            value = value.value
        old = getattr(incident, key, None)
        if old != value:
            changes[key] = [_jsonable(old), _jsonable(value)]
            setattr(incident, key, value)
    return changes


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date | datetime) else v


def _score(incident: Incident, scorer: Scorer | None) -> None:
    if scorer is None or not incident.text:
        return
    danger = scorer(incident.text, incident.language, incident.country_iso3)
    incident.danger_label, incident.danger_score, incident.danger_reasons = (danger.label, danger.score, danger.reasons)


def new_incident(data: IncidentIn, reporter: User, origin: str = "form") -> Incident:
    """Build (not add) a validated incident; used by submit and by importers."""
    incident = Incident(reporter_id=reporter.id, origin=origin, status=Status.unverified.value)
    _apply(incident, data.model_dump())
    return incident


def new_receipt() -> str:
    """What a reporter keeps to find their report again: random, never derived from (or reused with) a row id."""
    return secrets.token_hex(16)


def by_idempotency_key(session: Session, actor: User, key: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.reporter_id == actor.id, Incident.idempotency_key == key))


def submit(
    session: Session,
    actor: User,
    data: IncidentIn,
    scorer: Scorer | None = None,
    origin: str = "form",
    idempotency_key: str | None = None,
) -> Incident:
    """Add an incident. With an `idempotency_key`, a retry of the same submission returns the stored row."""
    require(actor, "submit")
    if idempotency_key is not None:
        if not 8 <= len(idempotency_key) <= 80:
            raise ValidationError("an idempotency key has 8 to 80 characters")
        existing = by_idempotency_key(session, actor, idempotency_key)
        if existing is not None:
            return existing
    incident = new_incident(data, actor, origin)
    incident.receipt = new_receipt()
    incident.idempotency_key = idempotency_key
    _score(incident, scorer)
    session.add(incident)
    session.flush()
    incident.history.append(IncidentHistory(action="created", changes={}))
    audit.record(session, actor, "incident.create", "incident", incident.id)
    return incident


def _visible(session: Session, actor: User, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    # A monitor asking for someone else's incident is told it does not exist: no existence leak.
    if incident is None or (not can(actor, "read_all") and incident.reporter_id != actor.id):
        raise NotFound(f"no incident {incident_id}")
    return incident


def get(session: Session, actor: User, incident_id: int) -> Incident:
    return _visible(session, actor, incident_id)


def list_incidents(
    session: Session,
    actor: User,
    *,
    country: str | None = None,
    category: str | None = None,
    status: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[Incident]:
    q = select(Incident).order_by(Incident.event_date.desc(), Incident.id.desc())
    if not can(actor, "read_all"):
        q = q.where(Incident.reporter_id == actor.id)
    if country:
        q = q.where(Incident.country_iso3 == resolve_country(country)[1])
    q = _filtered(q, category, status, since, until)
    if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_OFFSET:
        raise ValidationError(f"limit must be 1 to {MAX_PAGE} and offset 0 to {MAX_OFFSET}")
    return list(session.scalars(q.limit(limit).offset(offset)))


def _enum(kind: type[Category] | type[Status], value: str) -> str:
    try:
        return kind(value).value
    except ValueError as exc:
        known = ", ".join(m.value for m in kind)
        raise ValidationError(f"unknown {kind.__name__.lower()} {value[:60]!r} (known: {known})") from exc


def _filtered(q: Any, category: str | None, status: str | None, since: date | None, until: date | None) -> Any:
    if category:
        q = q.where(Incident.category == _enum(Category, category))
    if status:
        q = q.where(Incident.status == _enum(Status, status))
    if since:
        q = q.where(Incident.event_date >= since)
    if until:
        q = q.where(Incident.event_date <= until)
    return q


def edit(
    session: Session, actor: User, incident_id: int, changes: dict[str, Any], scorer: Scorer | None = None
) -> Incident:
    incident = _visible(session, actor, incident_id)
    if incident.reporter_id != actor.id:
        require(actor, "edit_any")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(f"cannot edit field(s): {', '.join(sorted(unknown))}")
    # Validate the merged record as a whole, so an edit cannot produce an incident a submit would refuse.
    current = {k: getattr(incident, k) for k in EDITABLE - {"country"}} | {"country": incident.country_iso3}
    try:
        merged = IncidentIn.model_validate(current | changes)
    except Exception as exc:  # pydantic's ValidationError: one line for the user
        raise ValidationError(_first_error(exc)) from exc
    data = {k: v for k, v in merged.model_dump().items() if k in changes}
    diff = _apply(incident, data)
    if diff:
        incident.updated_at = datetime.now(UTC)
        if "text" in diff or "language" in diff:
            _score(incident, scorer)
        incident.history.append(IncidentHistory(action="edited", changes=diff))
        audit.record(session, actor, "incident.edit", "incident", incident.id, fields=sorted(diff))
    return incident


def verify(session: Session, actor: User, incident_id: int, status: str, note: str = "") -> Incident:
    require(actor, "verify")
    incident = _visible(session, actor, incident_id)
    try:
        new = Status(status)
    except ValueError as exc:
        raise ValidationError(f"unknown status {status!r} (known: verified, rejected, unverified)") from exc
    if new == Status.duplicate:
        raise ValidationError("use merge to mark a duplicate")
    old = incident.status
    incident.status = new.value
    incident.updated_at = datetime.now(UTC)
    incident.history.append(IncidentHistory(action="status", changes={"status": [old, new.value], "note": note}))
    audit.record(session, actor, "incident.verify", "incident", incident.id, status=new.value)
    return incident


def merge(session: Session, actor: User, duplicate_id: int, into_id: int) -> Incident:
    """Mark `duplicate_id` as a duplicate of `into_id` (kept, never deleted: nothing is lost)."""
    require(actor, "merge")
    if duplicate_id == into_id:
        raise ValidationError("an incident cannot duplicate itself")
    dup, keep = _visible(session, actor, duplicate_id), _visible(session, actor, into_id)
    if keep.status == Status.duplicate.value:
        raise ValidationError(f"incident {into_id} is itself a duplicate of {keep.duplicate_of}")
    old = dup.status
    dup.status, dup.duplicate_of, dup.updated_at = Status.duplicate.value, keep.id, datetime.now(UTC)
    dup.history.append(IncidentHistory(action="merged", changes={"status": [old, "duplicate"], "into": keep.id}))
    keep.history.append(IncidentHistory(action="absorbed", changes={"duplicate": dup.id}))
    audit.record(session, actor, "incident.merge", "incident", dup.id, into=keep.id)
    return dup


def reporter_of(session: Session, actor: User, incident_id: int) -> dict[str, object]:
    """Reporter identity of an incident: admins only; the read is audited."""
    from tocsin.monitor.auth import reporter_contact

    require(actor, "read_reporter")
    incident = _visible(session, actor, incident_id)
    info = reporter_contact(session, actor, incident.reporter_id)
    audit.record(session, actor, "reporter.read", "incident", incident.id)
    return info


def public_dict(incident: Incident, strip_text: bool = False) -> dict[str, Any]:
    row = {f: _jsonable(getattr(incident, f)) for f in PUBLIC_FIELDS}
    row["danger_reasons"] = incident.danger_reasons
    if strip_text:
        row["text"] = None
        row["danger_reasons"] = None  # reasons quote words of the text
    return row


def history(session: Session, actor: User, incident_id: int) -> list[dict[str, Any]]:
    incident = _visible(session, actor, incident_id)
    return [{"at": h.at.isoformat(), "action": h.action, "changes": h.changes} for h in incident.history]


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export(
    session: Session,
    actor: User,
    fmt: str = "csv",
    strip_text: bool = False,
    include_reporter: bool = False,
    **filters: Any,
) -> str:
    """The whole export as one string (small logs, tests); `export_stream` for anything large."""
    return "".join(export_stream(session, actor, fmt, strip_text, include_reporter, **filters))


def start_export(
    session: Session,
    actor: User | None,
    fmt: str = "csv",
    strip_text: bool = False,
    include_reporter: bool = False,
    country: str | None = None,
    category: str | None = None,
    status: str | None = None,
) -> tuple[Any, list[str]]:
    """Check permissions, audit the export, and return (query, columns) for `stream_rows`.

    `actor` None is the local operator (the CLI). The caller commits the audit row before streaming, so an
    export that was read is an export that was logged.
    """
    if actor is not None:
        require(actor, "export")
        if include_reporter:
            require(actor, "read_reporter")
    if fmt not in ("csv", "jsonl"):
        raise ValidationError(f"unknown export format {fmt[:20]!r} (csv or jsonl)")
    q = select(Incident).order_by(Incident.id)
    if country:
        q = q.where(Incident.country_iso3 == resolve_country(country)[1])
    q = _filtered(q, category, status, None, None)
    n = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    audit.record(session, actor, "incident.export", "export", None, n=n, fmt=fmt, strip_text=strip_text,
                 include_reporter=include_reporter,
                 filters={k: v for k, v in (("country", country), ("category", category), ("status", status)) if v})
    if include_reporter:
        audit.record(session, actor, "reporter.read", "export", None, n=n)
    fields = [*PUBLIC_FIELDS, "danger_reasons"] + (["reporter_id"] if include_reporter else [])
    return q, fields


def stream_rows(
    session: Session, q: Any, fields: list[str], fmt: str = "csv", strip_text: bool = False
) -> Iterator[str]:
    """Every row of `q`, as CSV (formulas neutralised) or JSON lines, a batch at a time: no cap, no whole copy."""
    include_reporter = "reporter_id" in fields
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    if fmt == "csv":
        writer.writeheader()
        yield out.getvalue()
    last = 0
    while True:  # keyset pages: complete and stable even while new incidents arrive
        batch = list(session.scalars(q.where(Incident.id > last).limit(EXPORT_BATCH)))
        if not batch:
            return
        last = batch[-1].id
        out.seek(0)
        out.truncate()
        for inc in batch:
            rec = public_dict(inc, strip_text)
            if include_reporter:
                rec["reporter_id"] = inc.reporter_id
            if fmt == "jsonl":
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                rec["danger_reasons"] = json.dumps(rec["danger_reasons"], ensure_ascii=False)
                writer.writerow({k: neutralise(v) for k, v in rec.items()})
        yield out.getvalue()


def export_stream(
    session: Session,
    actor: User,
    fmt: str = "csv",
    strip_text: bool = False,
    include_reporter: bool = False,
    **filters: Any,
) -> Iterator[str]:
    """Audit, then stream: CSV or JSON lines of incidents, without reporter data unless an admin asks."""
    q, fields = start_export(session, actor, fmt, strip_text, include_reporter, **filters)
    yield from stream_rows(session, q, fields, fmt, strip_text)


def _first_error(exc: Exception) -> str:
    errors: Sequence[Any] = getattr(exc, "errors", lambda: [])()
    if errors:
        e = errors[0]
        where = ".".join(str(p) for p in e.get("loc", ()))
        return f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg"))
    return str(exc).splitlines()[0]


def check_owner_or(actor: User, incident: Incident, permission: str) -> None:
    if incident.reporter_id != actor.id and not can(actor, permission):
        raise PermissionDenied(f"role {actor.role!r} may not {permission.replace('_', ' ')}")
