"""The メール一括通知 dialog's preview: the mail as the first selected order's customer gets it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.mail.context import load_order_mails
from ecweb_core.mail.render import MailTemplateError, render, render_subject
from ecweb_core.mail.service import MailContent
from ecweb_core.selection import Selection


@dataclass
class Preview:
    order_number: str = ""
    to: str = ""
    subject: str = ""
    body: str = ""
    error: str = ""


def preview_first(session: Session, selection: Selection, content: MailContent) -> Preview:
    if not content.subject.strip() and not content.body.strip():
        return Preview(error="件名と本文を入力するか、テンプレートを選択してください。")
    ids = selection.ids_select().subquery()
    first = session.execute(select(ids.c.id).order_by(ids.c.id).limit(1)).scalar()
    if first is None:
        return Preview(error="処理対象の受注を選択してください。")
    mail = load_order_mails(session.connection(), [int(first)]).get(int(first))
    if mail is None:
        return Preview(error="受注が見つかりません。")
    number = mail.context["order"].number
    if mail.email is None:
        to = "(メールアドレス未登録: 送信されません)"
    elif not mail.opt_in:
        to = f"{mail.email}(メール設定「送信しない」: 送信されません)"
    else:
        to = mail.email
    try:
        subject = render_subject(content.subject, mail.context)
        body = render(content.body, mail.context)
    except MailTemplateError as exc:
        return Preview(order_number=number, to=to, error=str(exc))
    return Preview(order_number=number, to=to, subject=subject, body=body)
