"""受注ラベル: name and colour, created, renamed, reordered, disabled; deleted only when no order
carries it. A disabled label stays on its orders and in the grid's filter but is not offered to add."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ecweb_core.errors import FormError
from ecweb_core.masters import lists
from ecweb_core.masters.lists import ListItem
from ecweb_core.models import Label, OrderLabel

LABELS = Label.__table__
LABEL = "ラベル名"
# Radix colour names, as the badges of the grid and 受注詳細 draw them.
COLORS: dict[str, str] = {
    "gray": "グレー",
    "red": "赤",
    "orange": "オレンジ",
    "amber": "黄",
    "green": "緑",
    "teal": "青緑",
    "blue": "青",
    "indigo": "藍",
    "purple": "紫",
    "pink": "ピンク",
    "brown": "茶",
}


def list_labels(conn: Connection) -> list[ListItem]:
    ol = OrderLabel.__table__.c
    counts = dict(conn.execute(select(ol.label_id, func.count()).group_by(ol.label_id)).all())
    return [
        ListItem(
            id=r.id,
            name=r.name,
            position=r.position,
            enabled=r.enabled,
            color=r.color,
            usage=f"受注 {counts[r.id]:,}件" if counts.get(r.id) else "",
        )
        for r in conn.execute(select(LABELS).order_by(LABELS.c.position, LABELS.c.id))
    ]


def assignable_labels(conn: Connection) -> list[tuple[int, str, str]]:
    """(id, name, colour) of the labels that may be added now."""
    rows = conn.execute(
        select(LABELS.c.id, LABELS.c.name, LABELS.c.color)
        .where(LABELS.c.enabled.is_(True))
        .order_by(LABELS.c.position, LABELS.c.id)
    )
    return [(int(i), str(n), str(c)) for i, n, c in rows]


def _clean(conn: Connection, raw_name: str, color: str, exclude_id: int | None) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = lists.clean_name(raw_name, LABEL, errors)
    lists.check_unique(conn, LABELS, name, "受注ラベル", errors, exclude_id=exclude_id)
    color = (color or "gray").strip()
    if color not in COLORS:
        errors["color"] = "色は選択肢から選んでください。"
    lists.raise_if(errors)
    return name, color


def create_label(conn: Connection, raw_name: str, color: str = "gray") -> int:
    name, color = _clean(conn, raw_name, color, None)
    try:
        result = conn.execute(
            insert(LABELS).values(name=name, color=color, enabled=True, position=lists.next_position(conn, LABELS))
        )
    except IntegrityError:
        raise FormError({"name": f"受注ラベル「{name}」は既に登録されています。"}) from None
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_label(conn: Connection, label_id: int, raw_name: str, color: str) -> None:
    row = _label(conn, label_id)
    name, color = _clean(conn, raw_name, color, row.id)
    conn.execute(update(LABELS).where(LABELS.c.id == row.id).values(name=name, color=color))


def set_label_enabled(conn: Connection, label_id: int, enabled: bool) -> None:
    row = _label(conn, label_id)
    conn.execute(update(LABELS).where(LABELS.c.id == row.id).values(enabled=enabled))


def move_label(conn: Connection, label_id: int, where: str) -> None:
    lists.move(conn, LABELS, int(label_id), where)


def delete_label(conn: Connection, label_id: int) -> str:
    row = _label(conn, label_id)
    ol = OrderLabel.__table__.c
    used = conn.execute(select(func.count()).where(ol.label_id == row.id)).scalar_one()
    if used:
        raise FormError(
            {
                "form": f"「{row.name}」は受注 {used:,}件に付いているため削除できません。"
                "無効にすると選択肢に表示されなくなります。"
            }
        )
    conn.execute(LABELS.delete().where(LABELS.c.id == row.id))
    lists.renumber(conn, LABELS, lists.ids_in_order(conn, LABELS))
    return str(row.name)


def check_assignable(conn: Connection, label_ids: list[int]) -> str | None:
    if not label_ids:
        return None
    rows = dict(conn.execute(select(LABELS.c.id, LABELS.c.enabled).where(LABELS.c.id.in_(label_ids))).all())
    if len(rows) != len(set(label_ids)):
        return "指定された受注ラベルが存在しません。"
    if not all(rows.values()):
        return "指定された受注ラベルは無効になっています。"
    return None


def _label(conn: Connection, label_id: int):  # type: ignore[no-untyped-def]
    row = conn.execute(select(LABELS).where(LABELS.c.id == int(label_id))).first()
    if row is None:
        raise lists.not_found("受注ラベル")
    return row
