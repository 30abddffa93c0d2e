from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow
from ecweb_core.textfold import email_key_default, name_key_default, phone_key_default


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    # 氏名・カナ are searched with LIKE '%…%': a covering index is scanned instead of the table.
    __table_args__ = (
        Index("ix_customers_name_kana", "name", "kana"),
        Index("ix_customers_search_name", "search_name"),
        Index("ix_customers_search_email", "search_email"),
        Index("ix_customers_search_phone", "search_phone"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kana: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=255, index=True)
    phone: str | None = Field(default=None, max_length=32, index=True)
    postal_code: str | None = Field(default=None, max_length=10)
    prefecture: str | None = Field(default=None, max_length=10)
    address: str | None = Field(default=None, max_length=255)
    mail_opt_in: bool = True  # メール送信する / しない
    blacklisted: bool = False
    blacklist_reason: str | None = Field(default=None, max_length=255)
    points_balance: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    # Search keys (ecweb_core.textfold), filled on insert from the columns above; the indexes are
    # covering, so a substring LIKE scans one small index instead of the table.
    search_name: str | None = Field(default=None, max_length=210, sa_column_kwargs={"default": name_key_default})
    search_email: str | None = Field(default=None, max_length=255, sa_column_kwargs={"default": email_key_default})
    search_phone: str | None = Field(default=None, max_length=32, sa_column_kwargs={"default": phone_key_default})


class CustomerMemo(SQLModel, table=True):
    __tablename__ = "customer_memos"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    body: str
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)


class PointLedger(SQLModel, table=True):
    __tablename__ = "point_ledger"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    delta: int
    reason: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
