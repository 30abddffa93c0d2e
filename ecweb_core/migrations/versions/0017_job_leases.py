"""Job leases (issue 19): which runner holds a job, its last heartbeat, and the Dramatiq message
that carries it, so a sweep can tell a dead runner or a lost message from a job that is queued;
and the chunks of a job that several workers share, each claimed by one runner at a time

Revision ID: 0017
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("jobs", sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("jobs", sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("jobs", sa.Column("resent", sa.Integer(), nullable=False, server_default="0"))
    # The sweep's question: the unfinished jobs, a handful among millions of finished ones.
    unfinished = sa.text("status IN ('registered', 'running')")
    op.create_index("ix_jobs_unfinished", "jobs", ["status"], sqlite_where=unfinished, postgresql_where=unfinished)


    op.create_table(
        "job_chunks",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.PrimaryKeyConstraint("job_id", "no"),
    )


def downgrade() -> None:
    op.drop_table("job_chunks")
    op.drop_index("ix_jobs_unfinished", "jobs")
    for column in ("resent", "message_id", "heartbeat_at", "lease_owner"):
        op.drop_column("jobs", column)
