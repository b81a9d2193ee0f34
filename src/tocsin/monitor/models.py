"""ORM tables of the monitoring database (SQLAlchemy 2, typed). The schema is created by Alembic only."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Role(enum.StrEnum):
    monitor = "monitor"
    analyst = "analyst"
    admin = "admin"


class Category(enum.StrEnum):
    hate_speech = "hate_speech"
    state_rhetoric = "dangerous_state_rhetoric"
    discriminatory_policy = "discriminatory_law_or_policy"
    obstruction = "obstruction_of_observers"  # observers, journalists, internet shutdowns
    violence_against_civilians = "violence_against_civilians"
    armed_mobilization = "armed_mobilization"
    other = "other"


class Status(enum.StrEnum):
    unverified = "unverified"
    verified = "verified"
    rejected = "rejected"
    duplicate = "duplicate"


class User(Base):
    __tablename__ = "monitor_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReporterContact(Base):
    """Who a reporter really is and how to reach them: admins only, every read audited."""

    __tablename__ = "monitor_reporter_contacts"

    user_id: Mapped[int] = mapped_column(ForeignKey("monitor_users.id"), primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(400))


class ApiToken(Base):
    """An API token; only its sha256 is stored (tokens are 256-bit random, so no slow hash is needed)."""

    __tablename__ = "monitor_api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("monitor_users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportBatch(Base):
    __tablename__ = "monitor_import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64))
    n_imported: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Incident(Base):
    __tablename__ = "monitor_incidents"
    __table_args__ = (
        Index("ix_incident_country_date", "country_iso3", "event_date"),
        Index("ix_monitor_incidents_idempotency", "reporter_id", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random, unique, handed to the reporter only once the row is committed (see migration 0002_accounts).
    receipt: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    country_gwcode: Mapped[int | None] = mapped_column(Integer)
    country_iso3: Mapped[str] = mapped_column(String(3))
    country_name: Mapped[str] = mapped_column(String(120))
    admin1: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    event_date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(400))
    target_group: Mapped[str | None] = mapped_column(String(400))
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("monitor_users.id"), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.5)
    status: Mapped[str] = mapped_column(String(16), default=Status.unverified.value)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("monitor_incidents.id"))
    danger_label: Mapped[str | None] = mapped_column(String(16))
    danger_score: Mapped[float | None] = mapped_column(Float)
    danger_reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(16), default="form")  # form, api, csv, gdelt, acled
    external_id: Mapped[str | None] = mapped_column(String(120))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_import_batches.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    history: Mapped[list[IncidentHistory]] = relationship(
        back_populates="incident", order_by="IncidentHistory.id", cascade="all"
    )


class IncidentHistory(Base):
    """What changed on an incident and when; who changed it lives only in the audit log."""

    __tablename__ = "monitor_incident_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("monitor_incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="history")


class AuditEntry(Base):
    """Append-only: the app refuses updates/deletes, and a database trigger does too."""

    __tablename__ = "monitor_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LexiconTerm(Base):
    """A user-editable lexicon entry; country NULL means it applies everywhere the language is used."""

    __tablename__ = "monitor_lexicon_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(16))
    country_iso3: Mapped[str | None] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(40), default="hate")
    weight: Mapped[float] = mapped_column(Float, default=0.3)
    note: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Alert(Base):
    __tablename__ = "monitor_alerts"
    __table_args__ = (UniqueConstraint("country_iso3", "category", "week_start", name="uq_alert_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_iso3: Mapped[str] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(40))
    week_start: Mapped[date] = mapped_column(Date)
    statistic: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
