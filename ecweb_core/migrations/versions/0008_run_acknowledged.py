"""自動化設定: an operator acknowledges the problem runs (循環・失敗・連鎖上限) the screen reports

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("automation_runs") as batch:
        batch.add_column(sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("automation_runs") as batch:
        batch.drop_column("acknowledged_at")
