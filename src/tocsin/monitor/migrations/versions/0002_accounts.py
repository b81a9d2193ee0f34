"""Accounts: token expiry, user deactivation, incident receipts; incidents can never be deleted.

- monitor_api_tokens.expires_at: a token stops working after it (NULL only for rows made before this
  revision, which get created_at + 30 days here, so no old token lives forever).
- monitor_users.deactivated_at: when an admin deactivated the user (every token is revoked at that moment).
- monitor_incidents.receipt: a random identifier handed to the reporter once the incident is committed;
  unique, never derived from the row id, so a receipt can never point at someone else's report.
- monitor_incidents.idempotency_key: a client's key for one submission, unique per reporter, so a retried
  request (after a timeout or a 503) stores the incident once and answers with the same row.
- A database trigger refuses DELETE on monitor_incidents: with no deletes, SQLite's max(rowid)+1 never goes
  back, so an acknowledged id is never given to another report (PostgreSQL sequences never go back anyway).

Revision ID: 0002_accounts
Revises: prevention_0001
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "prevention_0001"
branch_labels = None
depends_on = None

_PG_NO_DELETE = """
CREATE OR REPLACE FUNCTION monitor_incidents_no_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'monitor_incidents rows are never deleted (% refused): mark them rejected or duplicate', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    with op.batch_alter_table("monitor_api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("monitor_users") as batch:
        batch.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("monitor_incidents") as batch:
        batch.add_column(sa.Column("receipt", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("idempotency_key", sa.String(length=80), nullable=True))
        batch.create_index("ix_monitor_incidents_receipt", ["receipt"], unique=True)
        batch.create_index("ix_monitor_incidents_idempotency", ["reporter_id", "idempotency_key"], unique=True)

    bind = op.get_bind()
    tokens = sa.table("monitor_api_tokens", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime),
                      sa.column("expires_at", sa.DateTime))
    for tid, created in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        bind.execute(tokens.update().where(tokens.c.id == tid).values(expires_at=created + timedelta(days=30)))
    incidents = sa.table("monitor_incidents", sa.column("id", sa.Integer), sa.column("receipt", sa.String))
    for (iid,) in bind.execute(sa.select(incidents.c.id)).all():
        bind.execute(incidents.update().where(incidents.c.id == iid).values(receipt=secrets.token_hex(16)))

    if bind.dialect.name == "postgresql":
        op.execute(_PG_NO_DELETE)
        op.execute(
            "CREATE TRIGGER monitor_incidents_no_delete BEFORE DELETE OR TRUNCATE ON monitor_incidents "
            "FOR EACH STATEMENT EXECUTE FUNCTION monitor_incidents_no_delete()"
        )
    elif bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER monitor_incidents_no_delete BEFORE DELETE ON monitor_incidents "
            "BEGIN SELECT RAISE(ABORT, 'monitor_incidents rows are never deleted'); END"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS monitor_incidents_no_delete ON monitor_incidents")
        op.execute("DROP FUNCTION IF EXISTS monitor_incidents_no_delete()")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS monitor_incidents_no_delete")
    with op.batch_alter_table("monitor_incidents") as batch:
        batch.drop_index("ix_monitor_incidents_idempotency")
        batch.drop_index("ix_monitor_incidents_receipt")
        batch.drop_column("idempotency_key")
        batch.drop_column("receipt")
    with op.batch_alter_table("monitor_users") as batch:
        batch.drop_column("deactivated_at")
    with op.batch_alter_table("monitor_api_tokens") as batch:
        batch.drop_column("expires_at")
