"""The reason lists operators choose from: 要対応理由, 要対応理由(定期), ブラックリスト理由, 停止理由,
キャンセル理由. One table (`reasons`), one kind per list; `reasons_of(conn, kind)` is what every form
and operation reads (一括更新, 受注詳細, 決済状況一括変更).

Records keep the reason's text (orders.attention_reason …), so exports and history read it as it
was chosen. Renaming a reason rewrites the records that carry it, in the same transaction; a reason
still carried by a record, or named by 受注/定期受注設定, cannot be deleted (disable it instead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.masters import lists
from ecweb_core.masters.lists import ListItem
from ecweb_core.models import Customer, Order, Reason, ShopSettings, Subscription

REASONS = Reason.__table__

ATTENTION = "attention"  # 要対応理由 (受注)
SUB_ATTENTION = "sub_attention"  # 要対応理由(定期)
BLACKLIST = "blacklist"  # ブラックリスト理由 (顧客)
STOP = "stop"  # 停止理由 (定期受注)
CANCEL = "cancel"  # キャンセル理由 (定期受注)
KINDS: dict[str, str] = {
    ATTENTION: "要対応理由",
    SUB_ATTENTION: "要対応理由(定期)",
    BLACKLIST: "ブラックリスト理由",
    STOP: "停止理由",
    CANCEL: "キャンセル理由",
}


@dataclass(frozen=True)
class _Use:
    """A column that carries a reason of a kind: what is counted, guarded and rewritten on rename."""

    what: str  # 受注 / 定期受注 / 顧客
    column: Any
    where: tuple[ColumnElement[bool], ...] = ()


_O, _S, _C = Order.__table__.c, Subscription.__table__.c, Customer.__table__.c
USES: dict[str, _Use] = {
    ATTENTION: _Use("受注", _O.attention_reason),
    SUB_ATTENTION: _Use("定期受注", _S.attention_reason),
    BLACKLIST: _Use("顧客", _C.blacklist_reason),
    STOP: _Use("定期受注", _S.status_reason, (_S.status == "paused",)),
    CANCEL: _Use("定期受注", _S.status_reason, (_S.status == "cancelled",)),
}
# 受注/定期受注設定: the reason the system writes for each kind (masters/shop.py).
SETTING_COLUMNS: dict[str, str] = {
    ATTENTION: "auto_attention_reason_id",
    SUB_ATTENTION: "auto_sub_attention_reason_id",
    STOP: "auto_stop_reason_id",
    CANCEL: "auto_cancel_reason_id",
}


def reasons_of(conn: Connection | Session, kind: str) -> list[str]:
    """The enabled reasons of `kind` (ATTENTION, SUB_ATTENTION, BLACKLIST, STOP, CANCEL), in the
    order the operator set: the choices of every select, and what a submitted reason must be one of."""
    _kind(kind)
    rows = conn.execute(
        select(REASONS.c.name)
        .where(REASONS.c.kind == kind, REASONS.c.enabled.is_(True))
        .order_by(REASONS.c.position, REASONS.c.id)
    )
    return [str(n) for n in rows.scalars()]


def list_reasons(conn: Connection, kind: str) -> list[ListItem]:
    use = USES[_kind(kind)]
    counts = dict(
        conn.execute(
            select(use.column, func.count()).where(use.column.is_not(None), *use.where).group_by(use.column)
        ).all()
    )
    settings = _setting_ids(conn, kind)
    return [
        ListItem(
            id=r.id,
            name=r.name,
            position=r.position,
            enabled=r.enabled,
            usage=" / ".join(
                p
                for p in (
                    f"{use.what} {counts[r.name]:,}件" if counts.get(r.name) else "",
                    "受注/定期受注設定" if r.id in settings else "",
                )
                if p
            ),
        )
        for r in conn.execute(select(REASONS).where(REASONS.c.kind == kind).order_by(REASONS.c.position, REASONS.c.id))
    ]


def create_reason(conn: Connection, kind: str, raw_name: str) -> int:
    label = KINDS[_kind(kind)]
    errors: dict[str, str] = {}
    name = lists.clean_name(raw_name, label, errors)
    lists.check_unique(conn, REASONS, name, label, errors, scope=(REASONS.c.kind == kind,))
    lists.raise_if(errors)
    position = lists.next_position(conn, REASONS, (REASONS.c.kind == kind,))
    try:
        result = conn.execute(insert(REASONS).values(kind=kind, name=name, position=position, enabled=True))
    except IntegrityError:
        raise FormError({"name": f"{label}「{name}」は既に登録されています。"}) from None
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def rename_reason(conn: Connection, kind: str, reason_id: int, raw_name: str) -> int:
    """Renames the reason and rewrites the records that carry the old text; returns how many."""
    row = _reason(conn, kind, reason_id)
    label = KINDS[kind]
    errors: dict[str, str] = {}
    name = lists.clean_name(raw_name, label, errors)
    lists.check_unique(conn, REASONS, name, label, errors, exclude_id=row.id, scope=(REASONS.c.kind == kind,))
    lists.raise_if(errors)
    if name == row.name:
        return 0
    conn.execute(update(REASONS).where(REASONS.c.id == row.id).values(name=name))
    use = USES[kind]
    table = use.column.table
    result = conn.execute(update(table).where(use.column == row.name, *use.where).values({use.column.name: name}))
    return max(result.rowcount, 0)


def set_reason_enabled(conn: Connection, kind: str, reason_id: int, enabled: bool) -> None:
    row = _reason(conn, kind, reason_id)
    if not enabled and row.id in _setting_ids(conn, kind):
        raise FormError({"form": f"「{row.name}」は受注/定期受注設定で使われているため無効にできません。"})
    conn.execute(update(REASONS).where(REASONS.c.id == row.id).values(enabled=enabled))


def move_reason(conn: Connection, kind: str, reason_id: int, where: str) -> None:
    lists.move(conn, REASONS, int(reason_id), where, (REASONS.c.kind == _kind(kind),))


def delete_reason(conn: Connection, kind: str, reason_id: int) -> str:
    row = _reason(conn, kind, reason_id)
    if row.id in _setting_ids(conn, kind):
        raise FormError({"form": f"「{row.name}」は受注/定期受注設定で使われているため削除できません。"})
    use = USES[kind]
    used = conn.execute(select(func.count()).where(use.column == row.name, *use.where)).scalar_one()
    if used:
        raise FormError(
            {
                "form": f"「{row.name}」は{use.what} {used:,}件に設定されているため削除できません。"
                "無効にすると選択肢に表示されなくなります。"
            }
        )
    conn.execute(REASONS.delete().where(REASONS.c.id == row.id))
    lists.renumber(conn, REASONS, lists.ids_in_order(conn, REASONS, (REASONS.c.kind == kind,)))
    return str(row.name)


def check_reason(conn: Connection | Session, kind: str, name: str) -> bool:
    """True when `name` is an enabled reason of `kind` (what a submitted form may carry)."""
    return name in reasons_of(conn, kind)


def reason_name(conn: Connection, reason_id: int | None) -> str | None:
    if reason_id is None:
        return None
    return conn.execute(select(REASONS.c.name).where(REASONS.c.id == reason_id)).scalar_one_or_none()


def _setting_ids(conn: Connection, kind: str) -> set[int]:
    column = SETTING_COLUMNS.get(kind)
    if column is None:
        return set()
    value = conn.execute(select(ShopSettings.__table__.c[column]).where(ShopSettings.__table__.c.id == 1)).scalar()
    return {int(value)} if value is not None else set()


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise FormError({"kind": "理由の種類が正しくありません。"})
    return kind


def _reason(conn: Connection, kind: str, reason_id: int):  # type: ignore[no-untyped-def]
    row = conn.execute(select(REASONS).where(REASONS.c.id == int(reason_id), REASONS.c.kind == _kind(kind))).first()
    if row is None:
        raise lists.not_found(KINDS[kind])
    return row
