"""A single edit of one order (受注詳細): the change and its order events in one transaction.

The events go to the same outbox as 一括更新's, with source "ui"; the caller then asks the workers
to drain it (automation_drain), so rules fire for single edits exactly as for bulk jobs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from ecweb_core import audit, events, permissions
from ecweb_core.errors import FormError
from ecweb_core.fees import recompute_fees
from ecweb_core.masters import labels, reasons, statuses
from ecweb_core.memos import write_memo
from ecweb_core.models import Order, OrderItem, OrderLabel, OrderMemo, OrderStatus
from ecweb_core.models.common import jst_midnight, utcnow
from ecweb_core.statuses import PAYMENT_STATUSES

ORDERS = Order.__table__


def parse_edit(conn: Connection, form: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the form filled in; an empty field means "leave as is"."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if status := str(form.get("status_id") or "").strip():
        problem = (
            statuses.check_assignable(conn, int(status)) if status.isdigit() else "指定された対応状況が存在しません。"
        )
        changes["status_id"] = int(status) if not problem else None
        if problem:
            errors["status_id"] = problem
    if pay := str(form.get("payment_status") or "").strip():
        if pay in PAYMENT_STATUSES:
            changes["payment_status"] = pay
        else:
            errors["payment_status"] = "指定された決済状況が存在しません。"
    if tracking := str(form.get("tracking_number") or "").strip():
        if len(tracking) > 64:
            errors["tracking_number"] = "配送伝票番号は64文字以内で入力してください。"
        changes["tracking_number"] = tracking
    for key, label in (("shipped_at", "発送完了日"), ("delivered_at", "配送完了日")):
        if raw := str(form.get(key) or "").strip():
            try:
                changes[key] = jst_midnight(date.fromisoformat(raw.replace("/", "-")))
            except ValueError:
                errors[key] = f"{label}は YYYY-MM-DD の形式で入力してください。"
    attention = str(form.get("needs_attention") or "").strip()
    reason = str(form.get("attention_reason") or "").strip()
    if attention not in ("", "yes", "no"):
        errors["needs_attention"] = "要対応受注は選択肢から選んでください。"
    elif reason and attention != "yes":
        errors["attention_reason"] = "要対応理由は「要対応にする」を選んだ場合のみ指定できます。"
    elif reason and not reasons.check_reason(conn, reasons.ATTENTION, reason):
        errors["attention_reason"] = "要対応理由は選択肢から選んでください。"
    elif attention:
        changes["needs_attention"] = attention == "yes"
        changes["attention_reason"] = reason or None
    if errors:
        raise FormError(errors)
    if not changes:
        raise FormError({"form": "変更する項目を入力してください。"})
    return changes


def edit_order(conn: Connection, order_id: int, changes: dict[str, Any], operator_id: int | None) -> int:
    """Applies `changes` (from parse_edit) and writes one event per real change; returns how many."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(ORDERS.c.id).where(ORDERS.c.id == order_id)).first() is None:
        raise FormError({"form": "受注が見つかりません。"})
    now = utcnow()
    this = ORDERS.c.id == order_id
    batch = events.EventBatch(events.UI, operator_id, now)
    if "status_id" in changes:
        name = conn.execute(select(OrderStatus.name).where(OrderStatus.id == changes["status_id"])).scalar_one()
        batch.add(events.STATUS_CHANGED, name, and_(this, ORDERS.c.status_id != changes["status_id"]))
    if pay := changes.get("payment_status"):
        batch.add(events.PAYMENT_STATUS_CHANGED, PAYMENT_STATUSES[pay], and_(this, ORDERS.c.payment_status != pay))
    if tracking := changes.get("tracking_number"):
        differs = or_(ORDERS.c.tracking_number.is_(None), ORDERS.c.tracking_number != tracking)
        batch.add(events.TRACKING_NUMBER_SET, tracking, and_(this, differs))
    for key, kind in (("shipped_at", events.SHIPPED_AT_SET), ("delivered_at", events.DELIVERED_AT_SET)):
        if key in changes:
            differs = or_(ORDERS.c[key].is_(None), ORDERS.c[key] != changes[key])
            batch.add(kind, changes[key].date().isoformat(), and_(this, differs))
    if "shipped_at" in changes:
        batch.add(events.FIRST_SHIPMENT, changes["shipped_at"].date().isoformat(), events.first_shipment(this))
    written = batch.write(conn)
    conn.execute(update(ORDERS).where(this).values(**changes, updated_at=now))
    audit.order_edited(conn, operator_id, order_id, f"受注情報を編集({', '.join(sorted(changes))})")
    return written


def set_order_labels(conn: Connection, order_id: int, label_ids: list[int], *, operator_id: int | None = None) -> None:
    """The order carries exactly `label_ids` afterwards. A label being added must be enabled; a
    disabled one the order already has may stay."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(ORDERS.c.id).where(ORDERS.c.id == order_id)).first() is None:
        raise FormError({"form": "受注が見つかりません。"})
    ol = OrderLabel.__table__
    have = set(conn.execute(select(ol.c.label_id).where(ol.c.order_id == order_id)).scalars())
    wanted = set(label_ids)
    if problem := labels.check_assignable(conn, sorted(wanted - have)):
        raise FormError({"label_ids": problem})
    if gone := have - wanted:
        conn.execute(ol.delete().where(ol.c.order_id == order_id, ol.c.label_id.in_(gone)))
    if new := wanted - have:
        conn.execute(insert(ol), [{"order_id": order_id, "label_id": i} for i in sorted(new)])
    if gone or new:
        conn.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(updated_at=utcnow()))
        audit.order_edited(conn, operator_id, order_id, f"受注ラベルを変更(追加 {len(new)}・解除 {len(gone)})")


def add_order_memo(conn: Connection, order_id: int, body: str, operator_id: int | None) -> None:
    """メモ管理 of 受注詳細 (一括更新's 受注メモ lands here too)."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(ORDERS.c.id).where(ORDERS.c.id == order_id)).first() is None:
        raise FormError({"form": "受注が見つかりません。"})
    write_memo(conn, OrderMemo, body, operator_id, order_id=order_id)
    audit.order_edited(conn, operator_id, order_id, "メモを追加")


def recalculate_order(conn: Connection, order_id: int, operator_id: int | None) -> int:
    """受注商品管理's 再計算: the fees (支払い手数料, 送料) and 合計 from the order's items and its
    current 支払方法 / 配送業者 — what the seed asks for after 一括更新 changed the 配送業者."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    if conn.execute(select(ORDERS.c.id).where(ORDERS.c.id == order_id)).first() is None:
        raise FormError({"form": "受注が見つかりません。"})
    items = OrderItem.__table__.c
    subtotal = (
        select(func.coalesce(func.sum(items.unit_price * items.quantity), 0))
        .where(items.order_id == ORDERS.c.id)
        .scalar_subquery()
    )
    mine = ORDERS.c.id == order_id
    now = utcnow()
    conn.execute(update(ORDERS).where(mine).values(subtotal=subtotal, updated_at=now))
    recompute_fees(conn, mine)
    total = int(conn.execute(select(ORDERS.c.total).where(mine)).scalar_one())
    events.EventBatch(events.UI, operator_id, now).add(events.RECALCULATED, f"¥{total:,}", mine).write(conn)
    audit.order_edited(conn, operator_id, order_id, f"再計算(合計 ¥{total:,})")
    return total
