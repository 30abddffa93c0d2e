"""対応状況管理: the system statuses (fixed ids and names, statuses.py) and the operator's own.

Operators create, rename, reorder and disable their statuses. A status orders carry or a 自動化設定
rule names can be neither deleted nor disabled; the screen says where it is used. A disabled status
stays on its orders and in the grid's filter, but is no longer offered for a change (一括更新, 受注詳細,
対応状況を変更する)."""

from __future__ import annotations

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ecweb_core.errors import FormError
from ecweb_core.masters import lists
from ecweb_core.masters.lists import ListItem
from ecweb_core.models import AutomationRule, Order, OrderStatus
from ecweb_core.statuses import FIRST_CUSTOM_STATUS_ID, IN_PROGRESS

STATUSES = OrderStatus.__table__
LABEL = "対応状況名"
SYSTEM_FIXED = "システムの対応状況は名称の変更・無効化・削除ができません。"


def list_statuses(conn: Connection) -> list[ListItem]:
    rows = conn.execute(select(STATUSES).order_by(STATUSES.c.position, STATUSES.c.id)).all()
    return [
        ListItem(
            id=r.id,
            name=r.name,
            position=r.position,
            enabled=r.enabled,
            system=r.is_system,
            usage="" if r.is_system else usage_text(*status_usage(conn, r.id)),
        )
        for r in rows
    ]


def assignable_statuses(conn: Connection) -> list[tuple[int, str]]:
    """The statuses an operator or a rule may set now: enabled ones, in the list's order."""
    rows = conn.execute(
        select(STATUSES.c.id, STATUSES.c.name)
        .where(STATUSES.c.enabled.is_(True))
        .order_by(STATUSES.c.position, STATUSES.c.id)
    )
    return [(int(i), str(n)) for i, n in rows]


def status_usage(conn: Connection, status_id: int) -> tuple[int, list[int]]:
    """How many orders carry the status (the status index answers it) and which rules name it."""
    orders = conn.execute(select(func.count()).where(Order.__table__.c.status_id == status_id)).scalar_one()
    r = AutomationRule.__table__.c
    rules = conn.execute(
        select(r.id)
        .where(
            or_(
                (r.action == "change_status") & (r.param == str(status_id)),
                (r.event == "status") & (r.event_value == str(status_id)),
            )
        )
        .order_by(r.position, r.id)
    ).scalars()
    return int(orders), list(rules)


def usage_text(orders: int, rules: list[int]) -> str:
    parts = []
    if orders:
        parts.append(f"受注 {orders:,}件")
    if rules:
        parts.append("自動化設定 ルールID " + ", ".join(str(i) for i in rules))
    return " / ".join(parts)


def create_status(conn: Connection, raw_name: str) -> int:
    errors: dict[str, str] = {}
    name = lists.clean_name(raw_name, LABEL, errors)
    lists.check_unique(conn, STATUSES, name, "対応状況", errors)
    lists.raise_if(errors)
    # Operator statuses take ids from 100 up, clear of the system ids (the seed names 35..99).
    new_id = max(FIRST_CUSTOM_STATUS_ID, int(conn.execute(select(func.max(STATUSES.c.id))).scalar() or 0) + 1)
    try:
        conn.execute(
            insert(STATUSES).values(
                id=new_id, name=name, is_system=False, enabled=True, position=lists.next_position(conn, STATUSES)
            )
        )
    except IntegrityError:  # another operator saved the same name (or took the id) at the same moment;
        # the caller's transaction rolls back with the error
        raise FormError({"name": f"対応状況「{name}」は既に登録されています。"}) from None
    return new_id


def rename_status(conn: Connection, status_id: int, raw_name: str) -> None:
    row = _operator_status(conn, status_id)
    errors: dict[str, str] = {}
    name = lists.clean_name(raw_name, LABEL, errors)
    lists.check_unique(conn, STATUSES, name, "対応状況", errors, exclude_id=row.id)
    lists.raise_if(errors)
    conn.execute(update(STATUSES).where(STATUSES.c.id == row.id).values(name=name))


def set_status_enabled(conn: Connection, status_id: int, enabled: bool) -> None:
    row = _operator_status(conn, status_id)
    if not enabled:
        _, rules = status_usage(conn, row.id)
        if rules:
            ids = ", ".join(str(i) for i in rules)
            message = f"「{row.name}」は自動化設定のルール(ID: {ids})で使われているため無効にできません。"
            raise FormError({"form": message})
    conn.execute(update(STATUSES).where(STATUSES.c.id == row.id).values(enabled=enabled))


def move_status(conn: Connection, status_id: int, where: str) -> None:
    lists.move(conn, STATUSES, int(status_id), where)


def delete_status(conn: Connection, status_id: int) -> str:
    """Deletes an unused operator status; returns its name."""
    row = _operator_status(conn, status_id)
    orders, rules = status_usage(conn, row.id)
    if orders or rules:
        raise FormError({"form": f"「{row.name}」は使用中のため削除できません({usage_text(orders, rules)})。"})
    conn.execute(STATUSES.delete().where(STATUSES.c.id == row.id))
    lists.renumber(conn, STATUSES, lists.ids_in_order(conn, STATUSES))
    return str(row.name)


def check_assignable(conn: Connection, status_id: int) -> str | None:
    """None when `status_id` may be set now, else the Japanese reason."""
    row = conn.execute(select(STATUSES.c.enabled).where(STATUSES.c.id == status_id)).first()
    if row is None:
        return "指定された対応状況が存在しません。"
    if not row.enabled:
        return "指定された対応状況は無効になっています。"
    return None


def _operator_status(conn: Connection, status_id: int):  # type: ignore[no-untyped-def]
    row = conn.execute(select(STATUSES).where(STATUSES.c.id == int(status_id))).first()
    if row is None:
        raise lists.not_found("対応状況")
    if row.is_system or row.id == IN_PROGRESS:
        raise FormError({"form": SYSTEM_FIXED})
    return row
