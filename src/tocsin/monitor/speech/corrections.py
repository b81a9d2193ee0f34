"""Analysts' corrections of speech labels: stored, audited, and used as training data by `monitor train`.

A correction records the text as it was scored, the label the model gave and the label the analyst says is
right. The newest correction of an incident wins (an analyst may correct a correction); the audit log keeps
who did each one. Corrections join only the training split of their language's main model, never a
held-out split, so they can never inflate a reported figure.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.monitor import audit
from tocsin.monitor.auth import require
from tocsin.monitor.errors import NotFound, ValidationError
from tocsin.monitor.models import Base, Incident, User, utcnow
from tocsin.monitor.speech.corpora import LABELS
from tocsin.monitor.speech.text import identify

# Correcting a label is a verification of the incident: analysts and admins (the "verify" permission).
PERMISSION = "verify"
MAX_NOTE = 400


class LabelCorrection(Base):
    """One analyst's correction of the label the speech model gave an incident's text."""

    __tablename__ = "monitor_label_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("monitor_incidents.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    model_label: Mapped[str | None] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def correct(session: Session, actor: User | None, incident_id: int, label: str, note: str = "") -> LabelCorrection:
    """Store an analyst's label for an incident's text (audited; `actor` None is the local operator)."""
    if actor is not None:
        require(actor, PERMISSION)
    if label not in LABELS:
        raise ValidationError(f"label must be one of {', '.join(LABELS)}, not {label!r}")
    if len(note) > MAX_NOTE:
        raise ValidationError(f"a correction note is at most {MAX_NOTE} characters")
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if not incident.text or not incident.text.strip():
        raise ValidationError(f"incident {incident_id} has no text to label")
    language = (incident.language or "").strip().lower() or identify(incident.text)
    row = LabelCorrection(
        incident_id=incident.id,
        text=incident.text,
        language=language,
        model_label=incident.danger_label,
        label=label,
        note=note,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "speech.correct",
        "incident",
        incident.id,
        correction=row.id,
        model_label=incident.danger_label,
        label=label,
        language=language,
    )
    return row


def training_rows(session: Session) -> list[tuple[str, str, str]]:
    """(language, text, label) of the newest correction of each incident, for `monitor train`."""
    newest: dict[int, LabelCorrection] = {}
    for c in session.scalars(select(LabelCorrection).order_by(LabelCorrection.id)):
        newest[c.incident_id] = c
    return [(c.language, c.text, c.label) for c in newest.values()]


def as_dict(c: LabelCorrection) -> dict[str, object]:
    return {
        "id": c.id,
        "incident_id": c.incident_id,
        "language": c.language,
        "model_label": c.model_label,
        "label": c.label,
        "note": c.note,
        "created_at": c.created_at.isoformat(),
    }
