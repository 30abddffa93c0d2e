"""操作ログ (issue 20): who did what, when, from which address, in the append-only `audit_log`.

One function per kind of entry. Each writes on the caller's connection / session, so the entry
commits (or rolls back) with the change it records. The address is the one of the request being
handled: the handler guard (ecweb_state/auth.py) and the download routes set it in a context
variable, so no business function needs an address parameter. Nothing secret is written: never a
password, a session token or a card number."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core.models import AuditEntry, Operator
from ecweb_core.models.common import fmt_jst, utcnow

client_address: contextvars.ContextVar[str] = contextvars.ContextVar("ecweb_client_address", default="")

JOB = "job"
SETTINGS = "settings"
ORDER_EDIT = "order_edit"
LOGIN = "login"
LOGOUT = "logout"
LOGIN_FAILED = "login_failed"
DOWNLOAD = "download"
OPERATOR = "operator"
KINDS: dict[str, str] = {
    JOB: "ジョブ登録",
    SETTINGS: "設定変更",
    ORDER_EDIT: "受注・顧客の編集",
    LOGIN: "ログイン",
    LOGOUT: "ログアウト",
    LOGIN_FAILED: "ログイン失敗",
    DOWNLOAD: "ダウンロード",
    OPERATOR: "管理者管理",
}

_T = AuditEntry.__table__  # type: ignore[attr-defined]


def _write(db: Session | Connection, kind: str, operator_id: int | None, target: str = "", detail: str = "",
           login: str = "", at: datetime | None = None) -> None:  # fmt: skip
    db.execute(
        insert(_T).values(
            at=at or utcnow(),
            operator_id=operator_id,
            login=login[:64],
            kind=kind,
            target=target[:200],
            detail=detail[:2000],
            address=client_address.get()[:64],
        )  # fmt: skip
    )


def job_registered(db: Session | Connection, operator_id: int, job_id: int, label: str, total: int) -> None:
    _write(db, JOB, operator_id, f"ジョブ #{job_id}", f"{label}({total:,}件)")


def settings_changed(db: Session | Connection, operator_id: int | None, area: str, what: str) -> None:
    """A change of 設定 (rules, formats, templates, integrations, shop masters); `what` says which."""
    if operator_id is not None:  # the system's own changes (demo seeding, migrations) are not operator actions
        _write(db, SETTINGS, operator_id, area, what)


def order_edited(db: Session | Connection, operator_id: int | None, order_id: int, what: str) -> None:
    record_edited(db, operator_id, f"受注 #{order_id}", what)


def record_edited(db: Session | Connection, operator_id: int | None, target: str, what: str) -> None:
    """A single edit of one order, customer or 定期受注 (`target` names it: 「顧客 #12」)."""
    if operator_id is not None:
        _write(db, ORDER_EDIT, operator_id, target, what)


def operator_changed(db: Session | Connection, operator_id: int | None, target_login: str, what: str) -> None:
    _write(db, OPERATOR, operator_id, target_login, what)


def logged_in(db: Session | Connection, operator_id: int, login: str) -> None:
    _write(db, LOGIN, operator_id, login=login)


def logged_out(db: Session | Connection, operator_id: int, login: str) -> None:
    _write(db, LOGOUT, operator_id, login=login)


def login_failed(db: Session | Connection, login: str, operator_id: int | None, reason: str) -> None:
    """`operator_id` when the account exists (kept for the log's reader only; the screen's message
    never says which)."""
    _write(db, LOGIN_FAILED, operator_id, detail=reason, login=login)


def downloaded(db: Session | Connection, operator_id: int, job_id: int, file_name: str) -> None:
    _write(db, DOWNLOAD, operator_id, f"ジョブ #{job_id}", file_name)


def failures_since(db: Session | Connection, since: datetime, *, login: str | None = None,
                   address: str | None = None) -> int:  # fmt: skip
    """Failed logins after `since` for one account (as typed) or one address, not counting those
    before the account's last successful login."""
    where = [_T.c.kind == LOGIN_FAILED, _T.c.at > since]
    if login is not None:
        last_ok = select(func.max(_T.c.at)).where(_T.c.kind == LOGIN, _T.c.login == login).scalar_subquery()
        where += [_T.c.login == login, or_(last_ok.is_(None), _T.c.at > last_ok)]
    if address is not None:
        where.append(_T.c.address == address)
    return int(db.execute(select(func.count()).select_from(_T).where(*where)).scalar_one())


# ---- 設定 > 操作ログ ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    operator: str
    kind: str
    target: str
    detail: str
    address: str


@dataclass(frozen=True)
class AuditFilter:
    kind: str = ""
    operator_id: int | None = None
    text: str = ""  # in 対象 / 内容 / ログインID
    days: int = 0  # the last N days; 0: all

    def where(self) -> list:  # type: ignore[type-arg]
        out = []
        if self.kind:
            out.append(_T.c.kind == self.kind)
        if self.operator_id is not None:
            out.append(_T.c.operator_id == self.operator_id)
        if self.text:
            escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            columns = (_T.c.target, _T.c.detail, _T.c.login, _T.c.address)
            out.append(or_(*(c.like(f"%{escaped}%", escape="\\") for c in columns)))
        if self.days > 0:
            out.append(_T.c.at >= utcnow() - timedelta(days=self.days))
        return out


def count_entries(db: Session | Connection, flt: AuditFilter) -> int:
    return int(db.execute(select(func.count()).select_from(_T).where(*flt.where())).scalar_one())


def list_entries(db: Session | Connection, flt: AuditFilter, page: int = 1, page_size: int = 50) -> list[AuditRow]:
    op = Operator.__table__  # type: ignore[attr-defined]
    rows = db.execute(
        select(_T, op.c.name.label("operator_name"))
        .select_from(_T.outerjoin(op, op.c.id == _T.c.operator_id))
        .where(*flt.where())
        .order_by(_T.c.id.desc())
        .limit(page_size)
        .offset(max(page - 1, 0) * page_size)
    ).all()
    return [
        AuditRow(
            id=r.id,
            at=fmt_jst(r.at),
            operator=r.operator_name or (f"({r.login})" if r.login else "-"),
            kind=KINDS.get(r.kind, r.kind),
            target=r.target,
            detail=r.detail,
            address=r.address,
        )  # fmt: skip
        for r in rows
    ]
