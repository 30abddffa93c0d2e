"""The one place the automation engine talks to the mail service (ecweb_core.mail.service)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from ecweb_core.mail import service
from ecweb_core.models import MailTemplate
from ecweb_core.outcomes import Outcome


def operator_templates(conn: Connection) -> list[tuple[int, str]]:
    """メールテンプレート管理 templates an operator created (the system ones are offered by name)."""
    t = MailTemplate.__table__.c
    rows = conn.execute(select(t.id, t.name).where(t.is_system.is_(False)).order_by(t.id))
    return [(i, n) for i, n in rows]


def send_rule_mail(engine: Engine, order_id: int, param: str, dedupe_key: str) -> Outcome:
    """Sends the rule's template to the order's customer. The mail service claims
    (dedupe_key, order) in the ledger before sending: a retry after a success, or after an unknown
    result, never sends again; a retry after a refused connection does."""
    kind, _, ref = param.partition(":")
    with engine.connect() as conn:
        template_id = service.system_template_id(conn, ref) if kind == "system" else int(ref) if ref.isdigit() else None
        if template_id is None:
            return ("failed", f"メールテンプレート「{ref}」が見つかりません。")
        try:
            content = service.content_from_template(conn, template_id)
        except LookupError as exc:
            return ("failed", str(exc))
    result = service.send_order_mails(engine, [order_id], content, dedupe_key)
    outcome, message = result.get(order_id, ("failed", "送信結果がありません。"))
    return (outcome, message or None)
