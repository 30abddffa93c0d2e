from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Reason(SQLModel, table=True):
    """One entry of an operator-managed list of reasons (要対応理由, ブラックリスト理由, 停止理由 …).

    Records keep the reason's text (orders.attention_reason, customers.blacklist_reason, …): a rename
    rewrites them, a reason still written on a record cannot be deleted (ecweb_core/masters/reasons.py)."""

    __tablename__ = "reasons"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_reason_kind_name"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)  # a key of masters.reasons.KINDS
    name: str = Field(max_length=64)
    position: int = 0
    enabled: bool = True
