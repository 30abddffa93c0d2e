"""One ledger for calls to outside services: external_effects replaces mail_log (its rows move over)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# mail_log.status → external_effects.state
STATES = {"sending": "requested", "sent": "succeeded", "failed": "failed", "unknown": "unknown"}


def upgrade() -> None:
    op.create_table(
        "external_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("provider_ref", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "dedupe_key", "order_id", name="uq_external_effects_key"),
    )
    op.create_index("ix_external_effects_order", "external_effects", ["order_id"])
    op.create_index("ix_external_effects_claim", "external_effects", ["claim_token"])
    state = sa.case(*[(sa.column("status") == old, new) for old, new in STATES.items()], else_="unknown")
    mail_log = sa.table(
        "mail_log",
        *[sa.column(c) for c in ("dedupe_key", "order_id", "status", "claim_token", "recipient", "subject",
                                 "error", "created_at", "sent_at")],
    )  # fmt: skip
    op.execute(
        sa.table("external_effects", *[sa.column(c) for c in COLUMNS]).insert().from_select(
            COLUMNS,
            sa.select(
                sa.literal("mail"), mail_log.c.dedupe_key, mail_log.c.order_id, state, sa.literal(1),
                mail_log.c.claim_token, mail_log.c.recipient, mail_log.c.subject, mail_log.c.error,
                mail_log.c.created_at, mail_log.c.sent_at,
            ),
        )
    )  # fmt: skip
    op.drop_index("ix_mail_log_claim", table_name="mail_log")
    op.drop_index("ix_mail_log_order", table_name="mail_log")
    op.drop_table("mail_log")


COLUMNS = ["kind", "dedupe_key", "order_id", "state", "attempts", "claim_token", "target", "summary", "error",
           "requested_at", "finished_at"]  # fmt: skip


def downgrade() -> None:
    op.create_table(
        "mail_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("claim_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key", "order_id", name="uq_mail_log_key_order"),
    )
    op.create_index("ix_mail_log_order", "mail_log", ["order_id"])
    op.create_index("ix_mail_log_claim", "mail_log", ["claim_token"])
    op.drop_index("ix_external_effects_claim", table_name="external_effects")
    op.drop_index("ix_external_effects_order", table_name="external_effects")
    op.drop_table("external_effects")
