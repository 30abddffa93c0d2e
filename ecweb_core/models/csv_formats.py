from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class CsvFormat(SQLModel, table=True):
    """CSV管理: an operator-defined export format (SPEC B2, B7)."""

    __tablename__ = "csv_formats"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    purpose: str = Field(default="order", max_length=16)  # order (CSV一括出力) | survey (アンケート結果)
    unit: str = Field(default="order", max_length=16)  # order (受注単位) | item (受注明細単位)
    columns: str = "[]"  # JSON: [[column key, header label], ...] in output order
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
