"""The managed lists behind one screen pattern (対応状況管理, 受注ラベル管理, 理由管理): each kind's
title and the same six operations, so the state and the page are written once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from ecweb_core import permissions
from ecweb_core.errors import FormError
from ecweb_core.masters import labels, reasons, statuses
from ecweb_core.masters.lists import ListItem


@dataclass(frozen=True)
class ListKind:
    key: str
    title: str  # what one entry is called: 対応状況, 受注ラベル, 要対応理由 …
    has_color: bool = False


KINDS: dict[str, ListKind] = {
    k.key: k
    for k in (
        ListKind("status", "対応状況"),
        ListKind("label", "受注ラベル", has_color=True),
        *[ListKind(key, title) for key, title in reasons.KINDS.items()],
    )
}
REASON_KINDS = tuple(reasons.KINDS)


def list_kind(key: str) -> ListKind:
    if key not in KINDS:
        raise FormError({"kind": "一覧の種類が正しくありません。"})
    return KINDS[key]


def list_items(conn: Connection, kind: str) -> list[ListItem]:
    if list_kind(kind).key == "status":
        return statuses.list_statuses(conn)
    if kind == "label":
        return labels.list_labels(conn)
    return reasons.list_reasons(conn, kind)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "マスタ管理", "追加")
def create_item(conn: Connection, kind: str, name: str, color: str = "") -> int:
    if list_kind(kind).key == "status":
        return statuses.create_status(conn, name)
    if kind == "label":
        return labels.create_label(conn, name, color or "gray")
    return reasons.create_reason(conn, kind, name)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "マスタ管理", "変更")
def update_item(conn: Connection, kind: str, item_id: int, name: str, color: str = "") -> None:
    if list_kind(kind).key == "status":
        statuses.rename_status(conn, item_id, name)
    elif kind == "label":
        labels.update_label(conn, item_id, name, color or "gray")
    else:
        reasons.rename_reason(conn, kind, item_id, name)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "マスタ管理", "有効/無効")
def set_item_enabled(conn: Connection, kind: str, item_id: int, enabled: bool) -> None:
    if list_kind(kind).key == "status":
        statuses.set_status_enabled(conn, item_id, enabled)
    elif kind == "label":
        labels.set_label_enabled(conn, item_id, enabled)
    else:
        reasons.set_reason_enabled(conn, kind, item_id, enabled)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "マスタ管理", "並び替え")
def move_item(conn: Connection, kind: str, item_id: int, where: str) -> None:
    if list_kind(kind).key == "status":
        statuses.move_status(conn, item_id, where)
    elif kind == "label":
        labels.move_label(conn, item_id, where)
    else:
        reasons.move_reason(conn, kind, item_id, where)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "マスタ管理", "削除")
def delete_item(conn: Connection, kind: str, item_id: int) -> str:
    if list_kind(kind).key == "status":
        return statuses.delete_status(conn, item_id)
    if kind == "label":
        return labels.delete_label(conn, item_id)
    return reasons.delete_reason(conn, kind, item_id)
