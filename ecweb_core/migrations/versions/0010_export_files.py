"""One export-file helper for every export job: job_exports says its file name and media type

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_exports") as batch:
        batch.add_column(
            sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                      server_default="export.csv")
        )  # fmt: skip
        batch.add_column(
            sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False,
                      server_default="text/csv; charset=utf-8")
        )  # fmt: skip
    # The CSV exports so far chose their encoding in the job's params.
    op.execute(
        "UPDATE job_exports SET media_type = 'text/csv; charset=Shift_JIS' WHERE job_id IN "
        "(SELECT id FROM jobs WHERE params LIKE '%\"encoding\": \"cp932\"%')"
    )


def downgrade() -> None:
    with op.batch_alter_table("job_exports") as batch:
        batch.drop_column("media_type")
        batch.drop_column("file_name")
