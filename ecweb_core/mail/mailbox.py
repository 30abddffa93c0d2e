"""送信メール: the mails the local capture server received, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.models import CapturedMail
from ecweb_core.models.common import fmt_jst


@dataclass
class MailboxRow:
    id: int
    received_at: str
    to_header: str
    cc: str
    rcpt_tos: str
    subject: str
    body: str


def count_captured(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(CapturedMail)).scalar_one())


def list_captured(session: Session, page: int, page_size: int) -> list[MailboxRow]:
    c = CapturedMail.__table__.c
    rows = session.execute(
        select(c.id, c.received_at, c.to_header, c.cc_header, c.rcpt_tos, c.subject, c.body)
        .order_by(c.id.desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    )
    return [
        MailboxRow(id=r.id, received_at=fmt_jst(r.received_at), to_header=r.to_header, cc=r.cc_header,
                   rcpt_tos=r.rcpt_tos, subject=r.subject, body=r.body)
        for r in rows
    ]  # fmt: skip
