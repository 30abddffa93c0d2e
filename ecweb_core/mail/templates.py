"""メールテンプレート管理: list, save (validated by rendering a sample) and delete templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.errors import FormError
from ecweb_core.mail.addresses import address_error
from ecweb_core.mail.context import DEFAULT_SHOP_NAME, shop_name
from ecweb_core.mail.render import validate
from ecweb_core.models import MailTemplate
from ecweb_core.models.common import fmt_jst, utcnow

AREA = "メールテンプレート管理"
NAME_MAX = 100
SUBJECT_MAX = 255


class TemplateFormError(FormError):
    """Bad template input: {field: 日本語メッセージ}."""


@dataclass
class TemplateRow:
    id: int
    name: str
    subject: str
    body: str
    cc: str
    bcc: str
    is_system: bool
    updated_at: str


def _row(t: MailTemplate) -> TemplateRow:
    return TemplateRow(
        id=int(t.id or 0), name=t.name, subject=t.subject, body=t.body, cc=t.cc, bcc=t.bcc,
        is_system=t.is_system, updated_at=fmt_jst(t.updated_at),
    )  # fmt: skip


def list_templates(session: Session) -> list[TemplateRow]:
    """System templates first (in their fixed order), then the operators' by name."""
    rows = session.execute(select(MailTemplate).order_by(MailTemplate.is_system.desc(), MailTemplate.id)).scalars()  # type: ignore[attr-defined]
    return [_row(t) for t in rows]


def get_template(session: Session, template_id: int) -> TemplateRow | None:
    t = session.get(MailTemplate, template_id)
    return _row(t) if t else None


def check_content(subject: str, body: str, cc: str, bcc: str, shop: str = DEFAULT_SHOP_NAME) -> dict[str, str]:
    """Errors by field for a mail's content: the template checks and the CC / BCC addresses."""
    errors = validate(subject, body, shop)
    if len(subject) > SUBJECT_MAX:
        errors["subject"] = f"件名は{SUBJECT_MAX}文字以内で入力してください。"
    for field, label, value in (("cc", "CC", cc), ("bcc", "BCC", bcc)):
        if message := address_error(value, label):
            errors[field] = message
    return errors


def save_template(
    session: Session, template_id: int | None, form: dict[str, Any], *, operator_id: int | None = None
) -> int:
    """Creates (template_id None) or updates a template; raises TemplateFormError, writing nothing.
    A system template keeps its name: automation rules find it by that name."""
    permissions.require(session, operator_id, permissions.SETTINGS_MAIL)
    name = str(form.get("name") or "").strip()
    subject, body = str(form.get("subject") or "").strip(), str(form.get("body") or "")
    cc, bcc = str(form.get("cc") or "").strip(), str(form.get("bcc") or "").strip()
    existing = session.get(MailTemplate, template_id) if template_id else None
    if template_id and existing is None:
        raise TemplateFormError({"id": "メールテンプレートが見つかりません。"})
    if existing is not None and existing.is_system:
        name = existing.name
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "テンプレート名を入力してください。"
    elif len(name) > NAME_MAX:
        errors["name"] = f"テンプレート名は{NAME_MAX}文字以内で入力してください。"
    elif _name_taken(session, name, template_id):
        errors["name"] = f"「{name}」という名前のテンプレートは既にあります。"
    errors.update(check_content(subject, body, cc, bcc, shop_name(session)))
    if errors:
        raise TemplateFormError(errors)
    t = existing or MailTemplate(name=name, subject=subject, body=body)
    t.name, t.subject, t.body, t.cc, t.bcc, t.updated_at = name, subject, body, cc, bcc, utcnow()
    session.add(t)
    session.flush()
    audit.settings_changed(session, operator_id, AREA, f"テンプレート「{name}」(#{t.id})を保存")
    session.commit()
    return int(t.id or 0)


def _name_taken(session: Session, name: str, template_id: int | None) -> bool:
    q = select(func.count()).select_from(MailTemplate).where(MailTemplate.name == name)
    if template_id:
        q = q.where(MailTemplate.id != template_id)
    return bool(session.execute(q).scalar_one())


def delete_template(session: Session, template_id: int, *, operator_id: int | None = None) -> None:
    permissions.require(session, operator_id, permissions.SETTINGS_MAIL)
    t = session.get(MailTemplate, template_id)
    if t is None:
        raise TemplateFormError({"id": "メールテンプレートが見つかりません。"})
    if t.is_system:
        raise TemplateFormError({"id": f"システムテンプレート「{t.name}」は削除できません。"})
    audit.settings_changed(session, operator_id, AREA, f"テンプレート「{t.name}」(#{template_id})を削除")
    session.delete(t)
    session.commit()
