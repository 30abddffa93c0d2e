"""The order-event outbox: what happened to an order, written in the same transaction as the change.

Every writer goes through this module (one function per way of writing, as Saleor's order/events.py):
`EventBatch` for a change applied to a set of orders (一括更新, CSV一括出力, 一括督促, a single edit — a
set of one), `emit_chained` for the changes automation rules make. The events are the history that
受注詳細 shows and the outbox the automation engine drains (automation/engine.py).

Conditions are evaluated on the orders' old values, so a batch is written *before* the UPDATE that
applies the change, and an order whose value does not really change gets no event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, exists, func, insert, literal, not_, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from ecweb_core.models import Order, OrderEvent
from ecweb_core.models.common import utcnow
from ecweb_core.sqlutil import in_ids

ORDERS = Order.__table__
EVENTS = OrderEvent.__table__

# ---- the kinds -------------------------------------------------------------------------------------
CREATED = "created"
STATUS_CHANGED = "status_changed"  # value: the new 対応状況's name
PAYMENT_STATUS_CHANGED = "payment_status_changed"  # value: the new 決済状況's label
PAYMENT_METHOD_CHANGED = "payment_method_changed"  # value: the new 支払方法's name
SHIPPED_AT_SET = "shipped_at_set"  # value: the date, ISO
DELIVERED_AT_SET = "delivered_at_set"
TRACKING_NUMBER_SET = "tracking_number_set"  # value: the number
FIRST_SHIPMENT = "first_shipment"
SHIPPING_LIST_EXPORTED = "shipping_list_exported"
DUNNING = "dunning"  # value: the payment due date, or ""
# The order's subscription (定期受注), changed through this order (一括更新, a rule) or by the engine.
RECALCULATED = "recalculated"  # value: the new 合計 (受注商品管理's 再計算)
SUBSCRIPTION_STATUS_CHANGED = "subscription_status_changed"  # value: 有効 / 停止(理由) / キャンセル(理由)
SUBSCRIPTION_ATTENTION_CHANGED = "subscription_attention_changed"  # value: 要対応 / 解除
SUBSCRIPTION_DATES_CHANGED = "subscription_dates_changed"  # value: the new next ship / delivery dates
SUBSCRIPTION_ORDER_CREATED = "subscription_order_created"  # on the order the subscription engine created

LABELS: dict[str, str] = {
    CREATED: "受注作成",
    STATUS_CHANGED: "対応状況変更",
    PAYMENT_STATUS_CHANGED: "決済状況変更",
    PAYMENT_METHOD_CHANGED: "支払方法変更",
    SHIPPED_AT_SET: "発送完了日セット",
    DELIVERED_AT_SET: "配送完了日セット",
    TRACKING_NUMBER_SET: "配送伝票番号セット",
    FIRST_SHIPMENT: "初回発送",
    SHIPPING_LIST_EXPORTED: "出荷リスト出力済",
    DUNNING: "督促",
    RECALCULATED: "再計算",
    SUBSCRIPTION_STATUS_CHANGED: "定期受注ステータス変更",
    SUBSCRIPTION_ATTENTION_CHANGED: "要対応定期受注変更",
    SUBSCRIPTION_DATES_CHANGED: "定期受注の次回予定日変更",
    SUBSCRIPTION_ORDER_CREATED: "定期受注から受注作成",
}

# ---- who changed it (order_events.source) -----------------------------------------------------------
UI = "ui"
SUBSCRIPTION_ENGINE = "subscription"


def job_source(job_id: int) -> str:
    return f"job:{job_id}"


def rule_source(rule_id: int) -> str:
    return f"rule:{rule_id}"


COLUMNS = ["order_id", "kind", "value", "source", "operator_id", "created_at"]


class EventBatch:
    """The events of one change to a set of orders, written by ONE INSERT … SELECT (a UNION ALL of
    one SELECT over `orders` per kind), whatever the number of orders."""

    def __init__(self, source: str, operator_id: int | None = None, now: datetime | None = None) -> None:
        self.source, self.operator_id, self.now = source, operator_id, now or utcnow()
        self._selects: list[Any] = []

    def add(self, kind: str, value: str | ColumnElement[Any] | None, where: ColumnElement[bool]) -> EventBatch:
        """An event of `kind` for every order matching `where` (on its values before the change)."""
        assert kind in LABELS, kind
        self._selects.append(
            select(
                ORDERS.c.id,
                literal(kind, String),
                value if isinstance(value, ColumnElement) else literal(value, String),
                literal(self.source, String),
                literal(self.operator_id, Integer),
                literal(self.now, EVENTS.c.created_at.type),
            ).where(where)
        )
        return self

    def write(self, conn: Connection) -> int:
        """Writes the batch; returns how many events were written."""
        if not self._selects:
            return 0
        source = self._selects[0] if len(self._selects) == 1 else union_all(*self._selects)
        written = conn.execute(insert(EVENTS).from_select(COLUMNS, source)).rowcount
        self._selects = []
        return max(written, 0)


def first_shipment(where: ColumnElement[bool]) -> ColumnElement[bool]:
    """受注が初めて発送されたとき: the orders of `where` that have no 発送完了日 yet and never shipped
    before (a 発送完了日 cleared and set again is not a first shipment)."""
    shipped_before = exists().where(EVENTS.c.order_id == ORDERS.c.id, EVENTS.c.kind == FIRST_SHIPMENT)
    return and_(where, ORDERS.c.shipped_at.is_(None), not_(shipped_before))


def emit_chained(conn: Connection, kind: str, value: str | None, parents: list[int], source: str, now: datetime) -> int:
    """Events that continue the automation chains of `parents` (the events a rule matched), on the
    parents' orders: the chain's origin and one level deeper (the engine's cycle and depth checks)."""
    assert kind in LABELS, kind
    if not parents:
        return 0
    e = EVENTS.c
    rows = select(
        e.order_id,
        literal(kind, String),
        literal(value, String),
        literal(source, String),
        literal(now, e.created_at.type),
        func.coalesce(e.origin_event_id, e.id),
        e.depth + 1,
    ).where(in_ids(conn, e.id, parents))
    columns = ["order_id", "kind", "value", "source", "created_at", "origin_event_id", "depth"]
    return max(conn.execute(insert(EVENTS).from_select(columns, rows)).rowcount, 0)
