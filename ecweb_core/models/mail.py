from __future__ import annotations

from datetime import datetime

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
