"""Prevention tables in the monitoring database: trigger calendar, early warnings and responses.

Models: tocsin.prevention.tracker_models (they share the monitor's declarative Base).

Revision ID: prevention_0001
Revises: 0001
Create Date: 2026-11-27 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "prevention_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prevention_triggers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_gwcode", sa.Integer(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=True),
        sa.Column("country_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_index("ix_prevention_triggers_country_gwcode", "prevention_triggers", ["country_gwcode"])
    op.create_table(
        "prevention_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warned_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("country_gwcode", sa.Integer(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=True),
        sa.Column("country_name", sa.String(length=120), nullable=False),
        sa.Column("risk_level", sa.String(length=40), nullable=False),
        sa.Column("recommended_action", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_index("ix_prevention_warnings_country_gwcode", "prevention_warnings", ["country_gwcode"])
    op.create_table(
        "prevention_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["warning_id"], ["prevention_warnings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_index("ix_prevention_responses_warning_id", "prevention_responses", ["warning_id"])


def downgrade() -> None:
    op.drop_index("ix_prevention_responses_warning_id", table_name="prevention_responses")
    op.drop_table("prevention_responses")
    op.drop_index("ix_prevention_warnings_country_gwcode", table_name="prevention_warnings")
    op.drop_table("prevention_warnings")
    op.drop_index("ix_prevention_triggers_country_gwcode", table_name="prevention_triggers")
    op.drop_table("prevention_triggers")
