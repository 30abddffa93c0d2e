"""決済状況一括変更: the provider transaction an order's 決済状況 refers to, the points reversal, and
the subscription prices per delivery count and 同梱品 that 定期受注を再計算する uses

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("payment_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("payment_ref_method", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("points_reversed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("next_subtotal", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("subscription_items") as batch:
        batch.add_column(sa.Column("unit_price", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("bundled", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "product_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("from_count", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("product_id", "from_count", name="uq_product_prices_count"),
    )
    op.create_index("ix_product_prices_product_id", "product_prices", ["product_id"])
    op.create_table(
        "product_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("delivery_count", sa.Integer(), nullable=False),
        sa.Column("bundled_product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.ForeignKeyConstraint(["bundled_product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_product_bundles_product_id", "product_bundles", ["product_id"])
    # The items of the subscriptions so far cost their product's price.
    op.execute(
        "UPDATE subscription_items SET unit_price = (SELECT price FROM products WHERE products.id = product_id)"
    )
    op.execute(
        "UPDATE subscriptions SET next_subtotal = COALESCE((SELECT sum(unit_price * quantity) FROM subscription_items"
        " WHERE subscription_items.subscription_id = subscriptions.id), 0)"
    )


def downgrade() -> None:
    op.drop_index("ix_product_bundles_product_id", table_name="product_bundles")
    op.drop_table("product_bundles")
    op.drop_index("ix_product_prices_product_id", table_name="product_prices")
    op.drop_table("product_prices")
    with op.batch_alter_table("subscription_items") as batch:
        batch.drop_column("bundled")
        batch.drop_column("unit_price")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("next_subtotal")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("points_reversed_at")
        batch.drop_column("payment_ref_method")
        batch.drop_column("payment_ref")
