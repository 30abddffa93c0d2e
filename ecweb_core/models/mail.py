from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class MailTemplate(SQLModel, table=True):
    """メールテンプレート: subject and body are Jinja2 sources rendered in a sandbox (mail/render.py).

    The four system templates (注文完了メール …) keep their name and cannot be deleted."""

    __tablename__ = "mail_templates"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    subject: str = Field(max_length=255)
    body: str
    cc: str = Field(default="", max_length=1000)
    bcc: str = Field(default="", max_length=1000)
    is_system: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MailLog(SQLModel, table=True):
    """One row per (dedupe_key, order): the claim taken before a mail is sent, so that a retried
    job or rule never mails the same order twice (mail/service.py). No foreign key to orders on
    purpose: the claim commits on its own connection and must never wait on the caller's row locks."""

    __tablename__ = "mail_log"
    __table_args__ = (
        UniqueConstraint("dedupe_key", "order_id", name="uq_mail_log_key_order"),
        Index("ix_mail_log_order", "order_id"),
        Index("ix_mail_log_claim", "claim_token"),
    )
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=100)
    order_id: int
    recipient: str = Field(default="", max_length=255)
    subject: str = Field(default="", max_length=255)
    status: str = Field(default="sending", max_length=16)  # sending | sent | failed
    error: str | None = Field(default=None, max_length=500)
    claim_token: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class CapturedMail(SQLModel, table=True):
    """A mail received by the local capture SMTP server (mail/capture.py), shown on 送信メール."""

    __tablename__ = "captured_mails"
    id: int | None = Field(default=None, primary_key=True)
    mail_from: str = Field(default="", max_length=255)
    rcpt_tos: str = ""  # envelope recipients, comma separated (includes BCC)
    to_header: str = ""
    cc_header: str = ""
    subject: str = ""
    body: str = ""
    received_at: datetime = Field(default_factory=utcnow, index=True)
