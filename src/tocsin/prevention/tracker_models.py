"""ORM tables of the prevention layer, kept in the monitoring database (same declarative Base and metadata).

The schema is created by the Alembic revision `prevention_0001` in tocsin/monitor/migrations/versions,
applied by `tocsin.monitor.db.upgrade` with the monitor's own tables. `fingerprint` (sha256 of the row's
defining fields) makes CSV imports idempotent: importing the same file twice adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tocsin.monitor.models import Base, utcnow


class TriggerEvent(Base):
    """A dated event that can set off violence: an election, a referendum, an anniversary, a court ruling."""

    __tablename__ = "prevention_triggers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country_gwcode: Mapped[int] = mapped_column(Integer, index=True)
    country_iso3: Mapped[str | None] = mapped_column(String(3))
    country_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    event_date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(400))
    source: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="manual")  # manual | csv
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EarlyWarning(Base):
    """A warning someone issued: who, about which country, how grave, what they asked for, on what basis."""

    __tablename__ = "prevention_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warned_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200))
    country_gwcode: Mapped[int] = mapped_column(Integer, index=True)
    country_iso3: Mapped[str | None] = mapped_column(String(3))
    country_name: Mapped[str] = mapped_column(String(120))
    risk_level: Mapped[str] = mapped_column(String(40))
    recommended_action: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    responses: Mapped[list[WarningResponse]] = relationship(
        back_populates="warning", order_by="WarningResponse.responded_on", cascade="all, delete-orphan"
    )


class WarningResponse(Base):
    """What an actor did about a warning, and where it is documented."""

    __tablename__ = "prevention_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("prevention_warnings.id", ondelete="CASCADE"), index=True)
    responded_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2000))
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    warning: Mapped[EarlyWarning] = relationship(back_populates="responses")
