"""A single edit of one order (受注詳細): the change and its order events in one transaction.

The events go to the same outbox as 一括更新's, with source "ui"; the caller then asks the workers
to drain it (automation_drain), so rules fire for single edits exactly as for bulk jobs."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, insert, select, update
from sqlalchemy.engine import Connection

from ecweb_core.errors import FormError
from ecweb_core.models import Order, OrderEvent, OrderStatus
from ecweb_core.models.common import jst_midnight, utcnow
from ecweb_core.statuses import PAYMENT_STATUSES

ORDERS = Order.__table__
EVENTS_T = OrderEvent.__table__


def parse_edit(conn: Connection, form: dict[str, Any]) -> dict[str, Any]:
    """Only the fields the form filled in; an empty field means "leave as is"."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if status := str(form.get("status_id") or "").strip():
        ok = status.isdigit() and conn.execute(select(OrderStatus.id).where(OrderStatus.id == int(status))).first()
        changes["status_id"] = int(status) if ok else None
        if not ok:
            errors["status_id"] = "指定された対応状況が存在しません。"
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
    if errors:
        raise FormError(errors)
    if not changes:
        raise FormError({"form": "変更する項目を入力してください。"})
    return changes


def edit_order(conn: Connection, order_id: int, changes: dict[str, Any], operator_id: int | None) -> list[str]:
    """Applies `changes` (from parse_edit) and writes one event per real change; returns their kinds."""
    row = conn.execute(select(ORDERS).where(ORDERS.c.id == order_id)).first()
    if row is None:
        raise FormError({"form": "受注が見つかりません。"})
    now = utcnow()
    events: list[tuple[str, str]] = []
    if "status_id" in changes and changes["status_id"] != row.status_id:
        name = conn.execute(select(OrderStatus.name).where(OrderStatus.id == changes["status_id"])).scalar_one()
        events.append(("status_changed", name))
    if "payment_status" in changes and changes["payment_status"] != row.payment_status:
        events.append(("payment_status_changed", PAYMENT_STATUSES[changes["payment_status"]]))
    if "tracking_number" in changes and changes["tracking_number"] != row.tracking_number:
        events.append(("tracking_number_set", changes["tracking_number"]))
    for key, kind in (("shipped_at", "shipped_at_set"), ("delivered_at", "delivered_at_set")):
        if key in changes and changes[key] != row._mapping[key]:
            events.append((kind, changes[key].date().isoformat()))
    if "shipped_at" in changes and row.shipped_at is None and not _shipped_before(conn, order_id):
        events.append(("first_shipment", changes["shipped_at"].date().isoformat()))
    if events:
        conn.execute(
            insert(EVENTS_T),
            [
                {
                    "order_id": order_id,
                    "kind": k,
                    "value": v,
                    "source": "ui",
                    "operator_id": operator_id,
                    "created_at": now,
                }
                for k, v in events
            ],
        )
    conn.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(**changes, updated_at=now))
    return [k for k, _ in events]


def _shipped_before(conn: Connection, order_id: int) -> bool:
    e = EVENTS_T.c
    return bool(conn.execute(select(exists().where(e.order_id == order_id, e.kind == "first_shipment"))).scalar())
