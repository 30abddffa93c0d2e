"""The one place the automation engine talks to the mail service (ecweb_core.mail.service)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

Outcome = tuple[str, str | None]


def operator_templates(conn: Connection) -> list[tuple[int, str]]:
    """メールテンプレート管理 templates an operator created (system ones are offered by name)."""
    try:
        from ecweb_core.mail import service
    except ImportError:  # the mail service is not installed: system templates only
        return []
    lister = getattr(service, "operator_templates", None)
    return list(lister(conn)) if lister else []


def send_rule_mail(conn: Connection, order_id: int, param: str, dedupe_key: str) -> Outcome:
    """Sends the rule's template to the order's customer; the dedupe key makes a retry harmless."""
    try:
        from ecweb_core.mail import service
    except ImportError:
        return ("failed", "メール送信機能が利用できません。")
    kind, _, ref = param.partition(":")
    template_id = service.system_template_id(conn, ref) if kind == "system" else int(ref) if ref.isdigit() else None
    if template_id is None:
        return ("failed", f"メールテンプレート「{ref}」が見つかりません。")
    content = service.content_from_template(conn, template_id)
    result = service.send_order_mails(conn, [order_id], content, dedupe_key)
    outcome, message = result.get(order_id, ("failed", "送信結果がありません。"))
    return (outcome, message or None)
