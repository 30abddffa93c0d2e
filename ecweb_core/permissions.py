"""Operators' roles and what each may do (issue 20, SPEC X1).

The check happens where the action happens, in ecweb_core: registering a job, saving a rule / format /
template / integration, editing one order, downloading a file, managing operators. The UI hides what a
role cannot do, but only for clarity; `require` is what refuses. A refusal is a FormError with a
Japanese message, raised before anything is written.

`operator_id=None` is the system itself (workers, the automation engine, the demo seeder), which is
not an operator and is not checked."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.models import Operator

F = TypeVar("F", bound=Callable[..., Any])
ADMIN, STAFF, VIEWER = "admin", "staff", "viewer"
ROLES: dict[str, str] = {ADMIN: "管理者", STAFF: "一般", VIEWER: "閲覧のみ"}

ORDERS_EDIT = "orders.edit"  # one order's fields, labels, memos, 再計算
AUTOMATION = "automation"  # 自動化設定
SETTINGS_CSV = "settings.csv"  # CSV管理
SETTINGS_DOCUMENTS = "settings.documents"  # 帳票管理
SETTINGS_MAIL = "settings.mail_templates"  # メールテンプレート管理
SETTINGS_INTEGRATIONS = "settings.integrations"  # 外部連携サービスアカウント管理
SETTINGS_MASTERS = "settings.masters"  # 対応状況 / ラベル / 理由 / 受注設定 / 配送 / 支払方法 / 商品手数料
OPERATORS = "operators"  # 管理者管理
AUDIT = "audit"  # 操作ログ
DOWNLOAD = "download"  # files with customer data: exports, result CSVs

# The 設定 menu's areas: a role with none of them sees no 設定 menu.
SETTINGS_AREAS = frozenset({AUTOMATION, SETTINGS_CSV, SETTINGS_DOCUMENTS, SETTINGS_MAIL, SETTINGS_INTEGRATIONS,
                            SETTINGS_MASTERS, OPERATORS, AUDIT})  # fmt: skip


def job_permission(kind: str) -> str:
    """Each bulk job kind has its own permission (決済状況一括変更 = jobs.payment)."""
    return f"jobs.{kind}"


_JOB_KINDS = ("bulk_update", "csv_export", "pdf_export", "dunning", "mail", "payment", "survey_csv")
_EVERYTHING = frozenset(
    {ORDERS_EDIT, AUTOMATION, SETTINGS_CSV, SETTINGS_DOCUMENTS, SETTINGS_MAIL, SETTINGS_INTEGRATIONS,
     SETTINGS_MASTERS, OPERATORS, AUDIT, DOWNLOAD} | {job_permission(k) for k in _JOB_KINDS}
)  # fmt: skip
GRANTS: dict[str, frozenset[str]] = {
    ADMIN: _EVERYTHING,
    # Orders and every bulk job except moving money (決済状況一括変更); no settings, no operators.
    STAFF: frozenset({ORDERS_EDIT, DOWNLOAD} | {job_permission(k) for k in _JOB_KINDS if k != "payment"}),
    # Reads; no job, no change, no download of customer data.
    VIEWER: frozenset(),
}
DENIED = "この操作を行う権限がありません。"
SIGNED_OUT = "ログインしてください。"


class PermissionDenied(FormError):
    """The operator's role does not allow the action; nothing was changed."""

    def __init__(self, message: str = DENIED) -> None:
        super().__init__({"permission": message})


def allowed(role: str, permission: str) -> bool:
    return permission in GRANTS.get(role, frozenset())


def role_label(role: str) -> str:
    return ROLES.get(role, role)


def operator_role(db: Session | Connection, operator_id: int) -> str | None:
    """The role of an enabled operator; None for a disabled or unknown one."""
    t = Operator.__table__  # type: ignore[attr-defined]
    row = db.execute(select(t.c.role, t.c.disabled).where(t.c.id == operator_id)).first()
    if row is None or row.disabled:
        return None
    return str(row.role)


def can(db: Session | Connection, operator_id: int | None, permission: str) -> bool:
    if operator_id is None:
        return True
    role = operator_role(db, operator_id)
    return role is not None and allowed(role, permission)


def require(db: Session | Connection, operator_id: int | None, permission: str) -> None:
    """Raises PermissionDenied unless the operator (read from the database now, so a role change or a
    disabling counts at once) may do `permission`."""
    if operator_id is None:
        return
    role = operator_role(db, operator_id)
    if role is None:
        raise PermissionDenied(SIGNED_OUT)
    if not allowed(role, permission):
        raise PermissionDenied()


def setting_change(permission: str, area: str, action: str) -> Callable[[F], F]:
    """For a settings function `fn(db, *args, operator_id=None)`: the permission is checked before it
    runs, and the change is written to the 操作ログ (with the function's arguments) after it, on the
    same connection, so both commit together."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def checked(db: Any, *args: Any, operator_id: int | None = None, **kwargs: Any) -> Any:
            from ecweb_core import audit  # audit imports the models, as this module; no circle at import

            require(db, operator_id, permission)
            result = fn(db, *args, **kwargs)
            shown = [_short(a) for a in (*args, *kwargs.values())]
            audit.settings_changed(db, operator_id, area, f"{action}({', '.join(shown)})")
            return result

        return checked  # type: ignore[return-value]

    return wrap


def _short(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"
