"""定期受注 engine: cycles (every N days / weeks / months on a day / on the n-th weekday), the
cycle delivery each created order is (unique per subscription), and the days the engine ran

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN: on SQLite a batch would recreate these referenced tables.
    op.add_column("subscriptions", sa.Column("cycle_kind", sqlmodel.sql.sqltypes.AutoString(length=16),
                                             nullable=False, server_default="month_day"))  # fmt: skip
    op.add_column("subscriptions", sa.Column("cycle_day", sa.Integer(), nullable=True))
    op.add_column("subscriptions", sa.Column("cycle_week", sa.Integer(), nullable=True))
    op.add_column("subscriptions", sa.Column("cycle_weekday", sa.Integer(), nullable=True))
    # The cycles so far: monthly on the day of the next delivery, or every N days.
    op.execute(
        "UPDATE subscriptions SET cycle_kind = CASE WHEN cycle_unit = 'day' THEN 'days' ELSE 'month_day' END"
    )
    day = "CAST(strftime('%d', next_delivery_date) AS INTEGER)"
    if op.get_bind().dialect.name == "postgresql":
        day = "EXTRACT(DAY FROM next_delivery_date)::int"
    op.execute(f"UPDATE subscriptions SET cycle_day = COALESCE({day}, 1) WHERE cycle_kind = 'month_day'")
    op.execute("ALTER TABLE subscriptions DROP COLUMN cycle_unit")
    op.add_column("orders", sa.Column("subscription_cycle_date", sa.Date(), nullable=True))
    op.create_index("uq_orders_subscription_cycle", "orders", ["subscription_id", "subscription_cycle_date"],
                    unique=True)  # fmt: skip
    op.create_table(
        "subscription_runs",
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("orders_created", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run_date"),
    )


def downgrade() -> None:
    op.drop_table("subscription_runs")
    op.drop_index("uq_orders_subscription_cycle", table_name="orders")
    op.execute("ALTER TABLE orders DROP COLUMN subscription_cycle_date")
    op.add_column("subscriptions", sa.Column("cycle_unit", sqlmodel.sql.sqltypes.AutoString(length=8),
                                             nullable=False, server_default="month"))  # fmt: skip
    op.execute("UPDATE subscriptions SET cycle_unit = CASE WHEN cycle_kind = 'days' THEN 'day' ELSE 'month' END")
    for column in ("cycle_weekday", "cycle_week", "cycle_day", "cycle_kind"):
        op.execute(f"ALTER TABLE subscriptions DROP COLUMN {column}")
