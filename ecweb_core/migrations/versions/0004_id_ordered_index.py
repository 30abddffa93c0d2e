"""covering (id, ordered_at) index for id-yielding filters

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_id_ordered", "orders", ["id", "ordered_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_orders_id_ordered", table_name="orders")
