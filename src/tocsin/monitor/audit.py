"""Append-only audit log: every change and every read of a reporter's identity leaves a row here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from tocsin.monitor.errors import AuditViolation
from tocsin.monitor.models import AuditEntry, User


def record(
    session: Session, actor: User | None, action: str, object_type: str, object_id: object = None, **detail: Any
) -> AuditEntry:
    """Add one audit row in the caller's transaction (so the audit row and the change commit together)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail={"via": "local operator"} | detail if actor is None else detail,
    )
    session.add(entry)
    return entry


def _refuse_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditViolation("the audit log is append-only: rows cannot be changed or deleted")


def _refuse_row_change(_mapper: object, _connection: object, _target: AuditEntry) -> None:
    raise AuditViolation("the audit log is append-only: rows cannot be changed or deleted")


def guard(factory: sessionmaker[Session]) -> None:
    """Make sessions from `factory` refuse to flush an update or delete of an audit row.

    Two layers: the session check names the problem before any SQL runs; the mapper events catch any ORM
    update or delete of an audit row, whichever session flushes it (and the database trigger refuses the rest).
    """
    if not event.contains(factory, "before_flush", _refuse_changes):
        event.listen(factory, "before_flush", _refuse_changes)
    for name in ("before_update", "before_delete"):
        if not event.contains(AuditEntry, name, _refuse_row_change):
            event.listen(AuditEntry, name, _refuse_row_change)


def entries(
    session: Session, limit: int = 200, object_type: str | None = None, object_id: str | None = None
) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if object_type is not None:
        q = q.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        q = q.where(AuditEntry.object_id == object_id)
    return list(session.scalars(q))
