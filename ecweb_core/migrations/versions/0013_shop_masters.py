"""設定: the shop's own master data in the database — 対応状況管理, 受注ラベル, the reason lists, fees
by amount / prefecture, 送料無料, and the settings row; the system rows come with the migration

Revision ID: 0013
Revises: 0012

The system statuses (fixed ids), the payment methods the gateway knows, the settings row and the
reason lists ecweb shipped in code until now are inserted here when missing, so a database has
them whether or not the demo generator ever ran (it only adds sample values).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STR = sqlmodel.sql.sqltypes.AutoString

SYSTEM_STATUSES = [
    (30, "注文中"),
    (35, "注文確定"),
    (40, "発送完了"),
    (45, "配送完了"),
    (50, "キャンセル"),
    (55, "返品"),
    (99, "不明なステータス"),
]
PAYMENT_METHODS = [
    ("credit", "クレジットカード"),
    ("np", "NP後払い"),
    ("np_wiz", "NP後払いwiz"),
    ("cod", "代金引換"),
    ("amazon_pay", "Amazon Pay"),
    ("bank", "銀行振込"),
]
# The lists ecweb_core/reasons.py held as constants: the starting lists operators now edit.
REASONS = {
    "attention": ["住所不備", "与信確認", "在庫不足", "顧客問い合わせ", "支払い確認", "その他"],
    "sub_attention": ["決済エラー", "住所不備", "配送先確認", "顧客問い合わせ", "その他"],
    "blacklist": ["未払い", "いたずら注文", "転売目的", "受取拒否", "その他"],
    "stop": ["顧客都合", "長期不在", "商品の余り", "決済エラー", "その他"],
    "cancel": ["顧客都合", "効果を感じない", "価格", "商品の余り", "その他"],
}


def upgrade() -> None:
    op.create_table(
        "reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", STR(length=16), nullable=False),
        sa.Column("name", STR(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "name", name="uq_reason_kind_name"),
    )
    op.create_index("ix_reasons_kind", "reasons", ["kind"])
    op.create_table(
        "payment_fee_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_method_id", sa.Integer(), nullable=False),
        sa.Column("min_amount", sa.Integer(), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["payment_method_id"], ["payment_methods.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payment_method_id", "min_amount", name="uq_payment_fee_tier"),
    )
    op.create_index("ix_payment_fee_tiers_payment_method_id", "payment_fee_tiers", ["payment_method_id"])
    op.create_table(
        "delivery_prefecture_fees",
        sa.Column("delivery_company_id", sa.Integer(), nullable=False),
        sa.Column("prefecture", STR(length=10), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_company_id"], ["delivery_companies.id"]),
        sa.PrimaryKeyConstraint("delivery_company_id", "prefecture"),
    )
    op.create_index(
        "ix_orders_attention_reason",
        "orders",
        ["attention_reason"],
        sqlite_where=sa.text("attention_reason IS NOT NULL"),
        postgresql_where=sa.text("attention_reason IS NOT NULL"),
    )
    # Plain ALTER TABLE … ADD COLUMN, not a batch: on SQLite a batch recreates the table, and these
    # are referenced by orders and subscriptions (SQLite refuses to drop a referenced table).
    op.add_column("order_statuses", sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("labels", sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("labels", sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("delivery_companies", sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("delivery_companies", sa.Column("free_shipping_from", sa.Integer(), nullable=True))
    with op.batch_alter_table("shop_settings") as batch:
        batch.add_column(sa.Column("subscription_run_time", STR(length=5), nullable=False, server_default="04:00"))
        for name in ("attention", "sub_attention", "stop", "cancel"):
            column = f"auto_{name}_reason_id"
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_shop_settings_{column}", "reasons", [column], ["id"])
    op.execute("UPDATE labels SET position = id")  # the order they were listed in (by id) until now
    _insert_system_rows()


def _insert_system_rows() -> None:
    conn = op.get_bind()
    statuses = sa.table(
        "order_statuses",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("is_system", sa.Boolean),
        sa.column("position", sa.Integer),
        sa.column("enabled", sa.Boolean),
    )
    have = set(conn.execute(sa.select(statuses.c.id)).scalars())
    rows = [
        {"id": i, "name": n, "is_system": True, "position": p, "enabled": True}
        for p, (i, n) in enumerate(SYSTEM_STATUSES, start=1)
        if i not in have
    ]
    if rows:
        op.bulk_insert(statuses, rows)
    methods = sa.table(
        "payment_methods",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("fee", sa.Integer),
        sa.column("position", sa.Integer),
    )
    codes = set(conn.execute(sa.select(methods.c.code)).scalars())
    rows = [
        {"code": c, "name": n, "fee": 0, "position": p}
        for p, (c, n) in enumerate(PAYMENT_METHODS, start=1)
        if c not in codes
    ]
    if rows:
        op.bulk_insert(methods, rows)
    settings = sa.table("shop_settings", sa.column("id", sa.Integer))
    if conn.execute(sa.select(settings.c.id).where(settings.c.id == 1)).first() is None:
        conn.execute(
            sa.text(
                "INSERT INTO shop_settings (id, shop_name, min_delivery_days, auto_order_days_before, "
                "survey_integration_enabled, subscription_run_time) VALUES (1, 'ecweb デモショップ', 2, 7, false, '04:00')"
            )
        )
    reasons = sa.table(
        "reasons",
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("enabled", sa.Boolean),
    )
    op.bulk_insert(
        reasons,
        [
            {"kind": kind, "name": name, "position": p, "enabled": True}
            for kind, names in REASONS.items()
            for p, name in enumerate(names, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("shop_settings") as batch:
        for name in ("attention", "sub_attention", "stop", "cancel"):
            batch.drop_constraint(f"fk_shop_settings_auto_{name}_reason_id", type_="foreignkey")
            batch.drop_column(f"auto_{name}_reason_id")
        batch.drop_column("subscription_run_time")
    # Plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35 has it), for the same reason as in upgrade().
    for table, column in (
        ("delivery_companies", "free_shipping_from"),
        ("delivery_companies", "enabled"),
        ("labels", "enabled"),
        ("labels", "position"),
        ("order_statuses", "enabled"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_orders_attention_reason", table_name="orders")
    op.drop_table("delivery_prefecture_fees")
    op.drop_index("ix_payment_fee_tiers_payment_method_id", table_name="payment_fee_tiers")
    op.drop_table("payment_fee_tiers")
    op.drop_index("ix_reasons_kind", table_name="reasons")
    op.drop_table("reasons")
