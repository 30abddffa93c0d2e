"""帳票管理 (受注帳票管理) with the three system documents, tax rates on products and items, each
order's document issue history, and paged exports (PDF parts and where each order's pages are)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ecweb_core.documents.kinds import DEFAULT_ADDRESSEE, DEFAULT_RECEIPT_NOTE, DEFAULT_REMARKS, SYSTEM_TEMPLATES

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # 消費税率: every existing product and item is at the standard 10 % until an operator says otherwise;
    # an item carries its product's rate (the rate it was sold at).
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("tax_rate", sa.Integer(), nullable=False, server_default="10"))
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(sa.Column("tax_rate", sa.Integer(), nullable=False, server_default="10"))
    op.execute("UPDATE order_items SET tax_rate = (SELECT tax_rate FROM products WHERE products.id = product_id)")
    with op.batch_alter_table("job_exports") as batch:
        batch.add_column(sa.Column("parts_written", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "job_export_pages",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("part_no", sa.Integer(), nullable=False),
        sa.Column("first_page", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.PrimaryKeyConstraint("job_id", "order_id"),
    )
    templates = op.create_table(
        "document_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", S(length=100), nullable=False),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("title", S(length=50), nullable=False),
        sa.Column("fields", S(), nullable=False),
        sa.Column("shop_name", S(length=100), nullable=False),
        sa.Column("shop_postal_code", S(length=10), nullable=False),
        sa.Column("shop_address", S(length=255), nullable=False),
        sa.Column("shop_phone", S(length=32), nullable=False),
        sa.Column("registration_number", S(length=14), nullable=False),
        sa.Column("logo_sha", S(length=64), nullable=True),
        sa.Column("remarks", S(), nullable=False),
        sa.Column("receipt_addressee", S(length=255), nullable=False),
        sa.Column("receipt_note", S(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "document_logos",
        sa.Column("sha256", S(length=64), nullable=False),
        sa.Column("media_type", S(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "document_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=16), nullable=False),
        sa.Column("issue_no", sa.Integer(), nullable=False),
        sa.Column("template_name", S(length=100), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"]),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "kind", "issue_no", name="uq_document_issues_order_kind_no"),
    )
    op.create_index("ix_document_issues_order", "document_issues", ["order_id", "kind"])
    now = datetime.now(UTC)
    op.bulk_insert(
        templates,
        [
            {
                "name": t["name"], "kind": t["kind"], "is_system": True, "title": t["title"],
                "fields": json.dumps(t["fields"]), "shop_name": "", "shop_postal_code": "", "shop_address": "",
                "shop_phone": "", "registration_number": "", "logo_sha": None, "remarks": DEFAULT_REMARKS,
                "receipt_addressee": DEFAULT_ADDRESSEE if t["kind"] == "receipt" else "",
                "receipt_note": DEFAULT_RECEIPT_NOTE if t["kind"] == "receipt" else "",
                "created_at": now, "updated_at": now,
            }
            for t in SYSTEM_TEMPLATES
        ],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_document_issues_order", table_name="document_issues")
    op.drop_table("document_issues")
    op.drop_table("document_logos")
    op.drop_table("document_templates")
    op.drop_table("job_export_pages")
    with op.batch_alter_table("job_exports") as batch:
        batch.drop_column("parts_written")
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("tax_rate")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("tax_rate")
