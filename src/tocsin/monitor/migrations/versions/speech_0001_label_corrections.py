"""Speech label corrections: an analyst's label for an incident's text, used as training data.

Model: tocsin.monitor.speech.corrections.LabelCorrection (shares the monitor's declarative Base).

Revision ID: speech_0001
Revises: 0002_accounts
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "speech_0001"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_label_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("model_label", sa.String(length=16), nullable=True),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["monitor_incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitor_label_corrections_incident_id", "monitor_label_corrections", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_monitor_label_corrections_incident_id", table_name="monitor_label_corrections")
    op.drop_table("monitor_label_corrections")
