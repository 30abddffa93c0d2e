"""帳票管理 > 受注帳票管理: the document templates (納品書・請求書・領収書 and the operators' copies),
their logos, and each order's issue history (what makes a second 領収書 a 再発行)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class DocumentTemplate(SQLModel, table=True):
    __tablename__ = "document_templates"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)  # 帳票名, as the PDF一括出力 dialog lists it
    kind: str = Field(max_length=16)  # delivery_note | invoice | receipt (documents/kinds.py)
    is_system: bool = False  # the three that come with the migration: edited, never deleted
    title: str = Field(max_length=50)  # printed at the top: 納品書, 御請求書 …
    fields: str = "[]"  # JSON: the blocks printed, in order (documents/kinds.py FIELDS)
    shop_name: str = Field(default="", max_length=100)
    shop_postal_code: str = Field(default="", max_length=10)
    shop_address: str = Field(default="", max_length=255)
    shop_phone: str = Field(default="", max_length=32)
    registration_number: str = Field(default="", max_length=14)  # 適格請求書発行事業者 登録番号: T + 13 digits
    logo_sha: str | None = Field(default=None, max_length=64)  # a DocumentLogo
    remarks: str = ""  # 備考: Jinja2 in the mail templates' sandbox
    receipt_addressee: str = Field(default="", max_length=255)  # 領収書 宛名 (Jinja2)
    receipt_note: str = Field(default="", max_length=255)  # 領収書 但し書き (Jinja2)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentLogo(SQLModel, table=True):
    """An uploaded logo, stored once by its content's hash: a job snapshots the hash, so it prints
    the logo the operator saw even if the template gets another one while the job runs."""

    __tablename__ = "document_logos"
    sha256: str = Field(primary_key=True, max_length=64)
    media_type: str = Field(max_length=32)  # image/png | image/jpeg
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class DocumentIssue(SQLModel, table=True):
    """One issued document of an order (per kind): the 2nd 領収書 of an order is marked 再発行.

    (order, kind, issue_no) is unique: two jobs issuing the same order's receipt at once cannot both
    print it as the first one; the later chunk fails, is redone order by order, and prints 再発行."""

    __tablename__ = "document_issues"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", "issue_no", name="uq_document_issues_order_kind_no"),
        Index("ix_document_issues_order", "order_id", "kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = Field(max_length=16)
    issue_no: int  # 1 = 初回, 2.. = 再発行
    template_name: str = Field(max_length=100)
    issue_date: date  # 発行日 printed on it
    job_id: int | None = Field(default=None, foreign_key="jobs.id")
    operator_id: int | None = Field(default=None, foreign_key="operators.id")
    created_at: datetime = Field(default_factory=utcnow)
