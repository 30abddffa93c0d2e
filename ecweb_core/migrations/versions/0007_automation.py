"""自動化設定: automation rules, rule runs, and the chain columns of order events

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_DT = sqlmodel.sql.sqltypes.UTCDateTime
STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "automation_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event", STR(length=32), nullable=False),
        sa.Column("event_value", STR(length=64), nullable=False),
        sa.Column("action", STR(length=32), nullable=False),
        sa.Column("param", STR(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("enabled_at", UTC_DT(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DT(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event", "event_value", "action", name="uq_automation_rule_event_action"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_automation_rules_position", "automation_rules", ["position"])
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("rule_label", STR(length=255), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("origin_event_id", sa.Integer(), nullable=False),
        sa.Column("outcome", STR(length=16), nullable=False),
        sa.Column("message", STR(length=1000), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DT(), nullable=True),
        sa.Column("created_at", UTC_DT(), nullable=False),
        sa.Column("finished_at", UTC_DT(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["order_events.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_automation_runs_rule_id", "automation_runs", ["rule_id"])
    op.create_index("ix_automation_runs_order_id", "automation_runs", ["order_id"])
    op.create_index("ix_automation_runs_created_at", "automation_runs", ["created_at"])
    op.create_index("ix_automation_runs_origin", "automation_runs", ["origin_event_id", "order_id", "rule_id"])
    op.create_index("ix_automation_runs_pending", "automation_runs", ["outcome", "next_attempt_at"])
    with op.batch_alter_table("order_events") as batch_op:
        batch_op.add_column(sa.Column("origin_event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("depth", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("order_events") as batch_op:
        batch_op.drop_column("depth")
        batch_op.drop_column("origin_event_id")
    op.drop_table("automation_runs")
    op.drop_table("automation_rules")
