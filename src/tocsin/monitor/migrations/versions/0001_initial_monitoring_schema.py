"""Initial monitoring schema, with triggers that make the audit log append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 03:38:24.917710
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("country_iso3", "category", "week_start", name="uq_alert_week"),
    )
    op.create_table(
        "monitor_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "monitor_import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=400), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("n_imported", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "monitor_lexicon_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("country_iso3", sa.String(length=3), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "monitor_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "monitor_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["monitor_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "monitor_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_gwcode", sa.Integer(), nullable=True),
        sa.Column("country_iso3", sa.String(length=3), nullable=False),
        sa.Column("country_name", sa.String(length=120), nullable=False),
        sa.Column("admin1", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=400), nullable=True),
        sa.Column("target_group", sa.String(length=400), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("danger_label", sa.String(length=16), nullable=True),
        sa.Column("danger_score", sa.Float(), nullable=True),
        sa.Column("danger_reasons", sa.JSON(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["monitor_import_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["monitor_incidents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["monitor_users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitor_incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incident_country_date", ["country_iso3", "event_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitor_incidents_reporter_id"), ["reporter_id"], unique=False)

    op.create_table(
        "monitor_reporter_contacts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.String(length=400), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["monitor_users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "monitor_incident_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["monitor_incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitor_incident_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitor_incident_history_incident_id"), ["incident_id"], unique=False)

    _audit_triggers()


# The database, not just the app, refuses to rewrite history: anyone with a SQL shell still cannot.
_PG_TRIGGER = """
CREATE OR REPLACE FUNCTION monitor_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'monitor_audit_log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_PG_TRIGGER)
        op.execute(
            "CREATE TRIGGER monitor_audit_no_change BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON monitor_audit_log FOR EACH STATEMENT EXECUTE FUNCTION monitor_audit_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER monitor_audit_no_{verb.lower()} BEFORE {verb} ON monitor_audit_log "
                f"BEGIN SELECT RAISE(ABORT, 'monitor_audit_log is append-only ({verb} refused)'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS monitor_audit_no_change ON monitor_audit_log")
        op.execute("DROP FUNCTION IF EXISTS monitor_audit_append_only()")
    with op.batch_alter_table("monitor_incident_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitor_incident_history_incident_id"))

    op.drop_table("monitor_incident_history")
    op.drop_table("monitor_reporter_contacts")
    with op.batch_alter_table("monitor_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitor_incidents_reporter_id"))
        batch_op.drop_index("ix_incident_country_date")

    op.drop_table("monitor_incidents")
    op.drop_table("monitor_api_tokens")
    op.drop_table("monitor_users")
    op.drop_table("monitor_lexicon_terms")
    op.drop_table("monitor_import_batches")
    op.drop_table("monitor_audit_log")
    op.drop_table("monitor_alerts")
