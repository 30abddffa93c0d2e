"""Issue 18: customers' search keys (氏名+カナ, e-mail and phone folded as operators type them —
NFKC widths, hiragana = katakana, no spaces / hyphens, lower case — each with a covering index), and
a job's 中止 request and the job it re-runs (失敗分を再実行).

Revision ID: 0015
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from ecweb_core.textfold import customer_keys

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    # Plain ADD COLUMN: on SQLite a batch would recreate the referenced customers table.
    op.add_column("customers", sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(length=210), nullable=True))
    op.add_column("customers", sa.Column("search_email", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
    op.add_column("customers", sa.Column("search_phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    # The existing customers' keys, computed in Python (NFKC is not SQL), a batch of ids at a time.
    conn = op.get_bind()
    upd = sa.text("UPDATE customers SET search_name = :n, search_email = :e, search_phone = :p WHERE id = :i")
    last = 0
    while True:
        rows = conn.execute(
            sa.text("SELECT id, name, kana, email, phone FROM customers WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        params = []
        for r in rows:
            k = customer_keys(r.name, r.kana, r.email, r.phone)
            params.append({"i": r.id, "n": k["search_name"], "e": k["search_email"], "p": k["search_phone"]})
        conn.execute(upd, params)
        last = rows[-1].id
    op.create_index("ix_customers_search_name", "customers", ["search_name"])
    op.create_index("ix_customers_search_email", "customers", ["search_email"])
    op.create_index("ix_customers_search_phone", "customers", ["search_phone"])
    op.add_column("jobs", sa.Column("stop_requested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column("jobs", sa.Column("rerun_of", sa.Integer(), nullable=True))
    op.create_index("ix_jobs_rerun_of", "jobs", ["rerun_of"])


def downgrade() -> None:
    op.drop_index("ix_jobs_rerun_of", table_name="jobs")
    op.drop_column("jobs", "rerun_of")
    op.drop_column("jobs", "stop_requested_at")
    op.drop_index("ix_customers_search_phone", table_name="customers")
    op.drop_index("ix_customers_search_email", table_name="customers")
    op.drop_index("ix_customers_search_name", table_name="customers")
    op.drop_column("customers", "search_phone")
    op.drop_column("customers", "search_email")
    op.drop_column("customers", "search_name")
