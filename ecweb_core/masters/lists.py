"""What every operator-managed list of the 設定 screens shares: the row a screen shows, names and
yen amounts checked with Japanese messages, and dense positions (1..n) so 先頭 / 末尾 / ↑ / ↓ are one
renumbering."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from ecweb_core.errors import FormError

NAME_MAX = 64
YEN_MAX = 9_999_999
MOVES = ("top", "up", "down", "bottom")


@dataclass
class ListItem:
    """One entry of a managed list as its screen shows it."""

    id: int
    name: str
    position: int
    enabled: bool
    system: bool = False  # a system entry: fixed name, never disabled or deleted
    color: str = ""  # 受注ラベル only
    usage: str = ""  # where it is used (「受注 12件」, 「自動化設定 ルールID 3」), "" when unused


def clean_name(raw: Any, label: str, errors: dict[str, str], key: str = "name") -> str:
    """The name as it will be stored (NFKC: half-width kana and full-width ASCII folded), or an error."""
    name = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not name:
        errors[key] = f"{label}を入力してください。"
    elif len(name) > NAME_MAX:
        errors[key] = f"{label}は{NAME_MAX}文字以内で入力してください。"
    elif any(ch in name for ch in "\r\n\t"):
        errors[key] = f"{label}に改行やタブは使えません。"
    return name


def check_unique(
    conn: Connection,
    table: Table,
    name: str,
    label: str,
    errors: dict[str, str],
    *,
    exclude_id: int | None = None,
    scope: tuple[ColumnElement[bool], ...] = (),
    key: str = "name",
) -> None:
    if key in errors or not name:
        return
    query = select(table.c.id).where(table.c.name == name, *scope)
    if exclude_id is not None:
        query = query.where(table.c.id != exclude_id)
    if conn.execute(query).first() is not None:
        errors[key] = f"{label}「{name}」は既に登録されています。"


def parse_yen(raw: Any, label: str, errors: dict[str, str], key: str, *, optional: bool = False) -> int | None:
    """An amount in whole yen: 「1,200」「1200円」「¥1,200」「１２００」 are 1200. Empty is None when `optional`."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip()
    text = text.replace(",", "").removeprefix("¥").removeprefix("\\").removesuffix("円").strip()
    if not text:
        if not optional:
            errors[key] = f"{label}を入力してください。"
        return None
    if re.fullmatch(r"-\s*\d+(\.\d*)?", text):
        errors[key] = f"{label}は0円以上で入力してください。"
        return None
    if re.fullmatch(r"\d+\.\d*", text):
        errors[key] = f"{label}は1円単位の整数で入力してください。"
        return None
    if not re.fullmatch(r"\d+", text, re.ASCII):
        errors[key] = f"{label}は円単位の整数(半角数字)で入力してください。"
        return None
    value = int(text)
    if value > YEN_MAX:
        errors[key] = f"{label}は{YEN_MAX:,}円以下で入力してください。"
        return None
    return value


def parse_int(raw: Any, label: str, errors: dict[str, str], key: str, low: int, high: int, unit: str) -> int:
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else "")).strip().removesuffix(unit).strip()
    if not re.fullmatch(r"\d+", text, re.ASCII) or not low <= int(text) <= high:
        errors[key] = f"{label}は{low}〜{high}{unit}の整数で入力してください。"
        return low
    return int(text)


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise FormError(errors)


def next_position(conn: Connection, table: Table, scope: tuple[ColumnElement[bool], ...] = ()) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.position), 0)).where(*scope)).scalar_one()) + 1


def ids_in_order(conn: Connection, table: Table, scope: tuple[ColumnElement[bool], ...] = ()) -> list[int]:
    return list(conn.execute(select(table.c.id).where(*scope).order_by(table.c.position, table.c.id)).scalars())


def move(conn: Connection, table: Table, item_id: int, where: str, scope: tuple[ColumnElement[bool], ...] = ()) -> None:
    """where: "top" (先頭), "up", "down", "bottom" (末尾)."""
    ids = ids_in_order(conn, table, scope)
    if item_id not in ids or where not in MOVES:
        return
    index = ids.index(item_id)
    ids.remove(item_id)
    target = {"top": 0, "up": max(0, index - 1), "down": min(len(ids), index + 1), "bottom": len(ids)}[where]
    ids.insert(target, item_id)
    renumber(conn, table, ids)


def renumber(conn: Connection, table: Table, ids: list[int]) -> None:
    for position, item_id in enumerate(ids, start=1):
        conn.execute(update(table).where(table.c.id == item_id, table.c.position != position).values(position=position))


def not_found(label: str) -> FormError:
    return FormError({"form": f"指定された{label}が見つかりません。"})
