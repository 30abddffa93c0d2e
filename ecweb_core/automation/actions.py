"""What a rule does to the orders its event matched, set-based: one statement per rule and batch.

Each action gets the matched events of one batch (at most one per order and origin) and returns
each event's outcome. Changes that are themselves events (対応状況) are written to the outbox with
the chain's origin and depth + 1, so the engine sees them in its next round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, func, insert, literal, select, update
from sqlalchemy.engine import Connection

from ecweb_core.automation.catalog import ORDER_ATTENTION, SUBSCRIPTION_PARAMS
from ecweb_core.models import Order, OrderEvent, OrderStatus, Subscription
from ecweb_core.sqlutil import in_ids

Outcome = tuple[str, str | None]
ORDERS = Order.__table__
EVENTS_T = OrderEvent.__table__
SUBS = Subscription.__table__
AUTOMATION_REASON = "自動化設定"


@dataclass(slots=True)
class Ev:
    """One order event as the engine sees it."""

    id: int
    order_id: int
    kind: str
    value: str | None
    created_at: datetime
    origin: int  # the change that started the chain (the event itself for an origin)
    depth: int
    subscription_id: int | None


def change_status(conn: Connection, rule_id: int, param: str, events: list[Ev], now: datetime) -> dict[int, Outcome]:
    status_id = int(param)
    name = conn.execute(select(OrderStatus.name).where(OrderStatus.id == status_id)).scalar_one_or_none()
    if name is None:
        return {e.id: ("failed", "指定された対応状況が存在しません。") for e in events}
    by_order = {e.order_id: e for e in events}
    changing = set(
        conn.execute(
            select(ORDERS.c.id).where(in_ids(conn, ORDERS.c.id, list(by_order)), ORDERS.c.status_id != status_id)
        ).scalars()
    )
    if changing:
        # The new events continue the chain of the events that matched: one INSERT … SELECT.
        e = EVENTS_T.c
        source = select(
            e.order_id,
            literal("status_changed", String),
            literal(name, String),
            literal(f"rule:{rule_id}", String),
            literal(now, e.created_at.type),
            func.coalesce(e.origin_event_id, e.id),
            e.depth + 1,
        ).where(in_ids(conn, e.id, [by_order[oid].id for oid in sorted(changing)]))
        columns = ["order_id", "kind", "value", "source", "created_at", "origin_event_id", "depth"]
        conn.execute(insert(EVENTS_T).from_select(columns, source))
        conn.execute(
            update(ORDERS)
            .where(in_ids(conn, ORDERS.c.id, sorted(changing)))
            .values(status_id=status_id, updated_at=now)
        )
    return {
        e.id: ("ok", f"対応状況を「{name}」に変更しました。")
        if e.order_id in changing
        else ("skipped", f"対応状況は既に「{name}」です。")
        for e in events
    }


def order_attention(conn: Connection, rule_id: int, param: str, events: list[Ev], now: datetime) -> dict[int, Outcome]:
    on = param == "on"
    ids = sorted({e.order_id for e in events})
    conn.execute(
        update(ORDERS)
        .where(in_ids(conn, ORDERS.c.id, ids))
        .values(needs_attention=on, attention_reason=AUTOMATION_REASON if on else None, updated_at=now)
    )
    return {e.id: ("ok", ORDER_ATTENTION[param]) for e in events}


def subscription_status(
    conn: Connection, rule_id: int, param: str, events: list[Ev], now: datetime
) -> dict[int, Outcome]:
    if param in ("attention_on", "attention_off"):
        on = param == "attention_on"
        values: dict[str, object] = {"needs_attention": on, "attention_reason": AUTOMATION_REASON if on else None}
    else:
        values = {"status": param, "status_reason": None if param == "active" else AUTOMATION_REASON}
    subs = sorted({e.subscription_id for e in events if e.subscription_id is not None})
    if subs:
        conn.execute(update(SUBS).where(in_ids(conn, SUBS.c.id, subs)).values(**values))
    return {
        e.id: ("ok", SUBSCRIPTION_PARAMS[param])
        if e.subscription_id is not None
        else ("skipped", "定期受注に紐づかない受注です。")
        for e in events
    }


def send_mail_later(conn: Connection, rule_id: int, param: str, events: list[Ev], now: datetime) -> dict[int, Outcome]:
    """Mail is not transactional: the run is recorded as pending here and sent after the batch
    commits (mail.py), with a dedupe key, so a rollback or a retry never sends it twice."""
    return {e.id: ("pending", "送信待ち") for e in events}


ACTION_FUNCS = {
    "change_status": change_status,
    "order_attention": order_attention,
    "subscription_status": subscription_status,
    "send_mail": send_mail_later,
}
