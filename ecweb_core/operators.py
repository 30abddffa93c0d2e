"""設定 > 管理者管理 (issue 20): the operators, their roles, disabling and password resets.

Every change needs the `operators` permission, is written to the 操作ログ and keeps at least one
enabled 管理者; nobody disables or demotes themselves. Disabling or resetting a password ends the
operator's sessions at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.auth import end_sessions, hash_password, password_problem
from ecweb_core.errors import FormError
from ecweb_core.models import Operator
from ecweb_core.models.common import fmt_jst

LOGIN_MAX, NAME_MAX = 64, 100
LOGIN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
NOT_FOUND = "管理者が見つかりません。"
LAST_ADMIN = "有効な管理者が1人もいなくなるため、この変更はできません。"


@dataclass(frozen=True)
class OperatorRow:
    id: int
    login: str
    name: str
    role: str
    role_label: str
    disabled: bool
    created_at: str


def list_operators(session: Session) -> list[OperatorRow]:
    rows = session.execute(select(Operator).order_by(Operator.id)).scalars()
    return [
        OperatorRow(
            id=int(o.id or 0),
            login=o.login,
            name=o.name,
            role=o.role,
            role_label=permissions.role_label(o.role),
            disabled=o.disabled,
            created_at=fmt_jst(o.created_at),
        )  # fmt: skip
        for o in rows
    ]


def _operator(session: Session, operator_id: int) -> Operator:
    op = session.get(Operator, operator_id) if 0 < operator_id <= 2**31 - 1 else None
    if op is None:
        raise FormError({"id": NOT_FOUND})
    return op


def _check_role(role: str) -> str:
    if role not in permissions.ROLES:
        raise FormError({"role": "権限を選択してください。"})
    return role


def _other_enabled_admins(session: Session, operator_id: int) -> int:
    return int(
        session.execute(
            select(func.count()).where(
                Operator.role == permissions.ADMIN, Operator.disabled.is_(False), Operator.id != operator_id
            )  # fmt: skip
        ).scalar_one()
    )


def create_operator(session: Session, actor_id: int | None, login: str, name: str, password: str, role: str) -> int:
    permissions.require(session, actor_id, permissions.OPERATORS)
    login, name = login.strip(), name.strip()
    errors: dict[str, str] = {}
    if not login:
        errors["login"] = "ログインIDを入力してください。"
    elif len(login) > LOGIN_MAX or not set(login) <= LOGIN_CHARS:
        errors["login"] = f"ログインIDは半角英数字と . _ - @ で{LOGIN_MAX}文字以内で入力してください。"
    elif session.execute(select(Operator.id).where(Operator.login == login)).first():
        errors["login"] = f"ログインID「{login}」は既に使われています。"
    if not name:
        errors["name"] = "名前を入力してください。"
    elif len(name) > NAME_MAX:
        errors["name"] = f"名前は{NAME_MAX}文字以内で入力してください。"
    if problem := password_problem(password, login):
        errors["password"] = problem
    if role not in permissions.ROLES:
        errors["role"] = "権限を選択してください。"
    if errors:
        raise FormError(errors)
    op = Operator(login=login, name=name, password_hash=hash_password(password), role=role)
    session.add(op)
    session.flush()
    audit.operator_changed(session, actor_id, login, f"作成(権限: {permissions.role_label(role)})")
    session.commit()
    return int(op.id or 0)


def set_role(session: Session, actor_id: int | None, operator_id: int, role: str) -> None:
    permissions.require(session, actor_id, permissions.OPERATORS)
    op = _operator(session, operator_id)
    _check_role(role)
    if role == op.role:
        return
    if op.role == permissions.ADMIN:
        if operator_id == actor_id:
            raise FormError({"role": "自分自身の権限は変更できません。"})
        if not op.disabled and _other_enabled_admins(session, operator_id) == 0:
            raise FormError({"role": LAST_ADMIN})
    before = op.role
    op.role = role
    session.add(op)
    what = f"権限を変更({permissions.role_label(before)} → {permissions.role_label(role)})"
    audit.operator_changed(session, actor_id, op.login, what)
    session.commit()


def set_disabled(session: Session, actor_id: int | None, operator_id: int, disabled: bool) -> None:
    """Disabling ends the operator's sessions at once; their tabs are refused at their next event."""
    permissions.require(session, actor_id, permissions.OPERATORS)
    op = _operator(session, operator_id)
    if disabled == op.disabled:
        return
    if disabled:
        if operator_id == actor_id:
            raise FormError({"id": "自分自身は無効にできません。"})
        if op.role == permissions.ADMIN and _other_enabled_admins(session, operator_id) == 0:
            raise FormError({"id": LAST_ADMIN})
        end_sessions(session, operator_id)
    op.disabled = disabled
    session.add(op)
    audit.operator_changed(session, actor_id, op.login, "無効化" if disabled else "有効化")
    session.commit()


def reset_password(session: Session, actor_id: int | None, operator_id: int, password: str) -> None:
    """A new password set by an administrator; the operator's sessions end (they log in again)."""
    permissions.require(session, actor_id, permissions.OPERATORS)
    op = _operator(session, operator_id)
    if problem := password_problem(password, op.login):
        raise FormError({"password": problem})
    op.password_hash = hash_password(password)
    session.add(op)
    end_sessions(session, operator_id)
    audit.operator_changed(session, actor_id, op.login, "パスワードを再設定")
    session.commit()
