"""CSV管理 formats and export job file state (issue 5), with default formats

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ORDER_COLUMNS = [
    ["order.number", "受注番号"],
    ["order.ordered_at", "受注日時"],
    ["order.status", "対応状況"],
    ["order.payment_status", "決済状況"],
    ["order.payment_method", "支払方法"],
    ["customer.name", "氏名"],
    ["customer.kana", "フリガナ"],
    ["customer.email", "メールアドレス"],
    ["customer.phone", "電話番号"],
    ["order.items_summary", "商品"],
    ["order.subtotal", "小計"],
    ["order.shipping_fee", "送料"],
    ["order.payment_fee", "支払手数料"],
    ["order.total", "合計金額"],
]
SHIPPING_COLUMNS = [
    ["order.number", "受注番号"],
    ["order.delivery_company", "配送業者"],
    ["order.scheduled_ship_date", "発送予定日"],
    ["order.scheduled_delivery_date", "配送予定日"],
    ["customer.name", "お届け先氏名"],
    ["customer.postal_code", "郵便番号"],
    ["customer.prefecture", "都道府県"],
    ["customer.address", "住所"],
    ["customer.phone", "電話番号"],
    ["item.product_code", "商品コード"],
    ["item.product_name", "商品名"],
    ["item.quantity", "数量"],
    ["order.payment_method", "支払方法"],
    ["order.total", "合計金額"],
]
SURVEY_COLUMNS = [
    ["order.number", "受注番号"],
    ["order.ordered_at", "受注日時"],
    ["customer.name", "氏名"],
    ["survey.answers", "アンケート回答"],
    ["survey.answered_at", "回答日時"],
]
DEFAULTS = [
    ("受注一覧(標準)", "order", "order", ORDER_COLUMNS),
    ("出荷リスト(明細)", "order", "item", SHIPPING_COLUMNS),
    ("アンケート結果(標準)", "survey", "order", SURVEY_COLUMNS),
]


def upgrade() -> None:
    formats = op.create_table(
        "csv_formats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("columns", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "job_exports",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("bytes_written", sa.BigInteger(), nullable=False),
        sa.Column("rows_written", sa.Integer(), nullable=False),
        sa.Column("report", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.PrimaryKeyConstraint("job_id"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        formats,
        [
            {
                "name": name,
                "purpose": purpose,
                "unit": unit,
                "columns": json.dumps(cols, ensure_ascii=False),
                "created_at": now,
                "updated_at": now,
            }
            for name, purpose, unit, cols in DEFAULTS
        ],
    )


def downgrade() -> None:
    op.drop_table("job_exports")
    op.drop_table("csv_formats")
