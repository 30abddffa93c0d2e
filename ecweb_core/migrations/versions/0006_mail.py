"""mail templates (with the four system ones), mail log (dedupe claims), captured mails

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ecweb_core.mail.defaults import SYSTEM_TEMPLATES

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    templates = op.create_table(
        "mail_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cc", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("bcc", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
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
    op.create_table(
        "captured_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_from", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("rcpt_tos", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("to_header", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cc_header", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_captured_mails_received_at", "captured_mails", ["received_at"])
    now = datetime.now(UTC)
    op.bulk_insert(
        templates,
        [
            {**t, "cc": "", "bcc": "", "is_system": True, "created_at": now, "updated_at": now}
            for t in SYSTEM_TEMPLATES
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_captured_mails_received_at", table_name="captured_mails")
    op.drop_table("captured_mails")
    op.drop_index("ix_mail_log_claim", table_name="mail_log")
    op.drop_index("ix_mail_log_order", table_name="mail_log")
    op.drop_table("mail_log")
    op.drop_table("mail_templates")
