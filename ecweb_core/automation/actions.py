"""What a rule does to the orders its event matched, set-based: one statement per rule and batch.

Each action gets the matched events of one batch (at most one per order and origin) and returns
each event's outcome. Changes that are themselves events (対応状況) are written to the outbox with
the chain's origin and depth + 1, so the engine sees them in its next round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ecweb_core import events
from ecweb_core.automation.catalog import ORDER_ATTENTION, SUBSCRIPTION_PARAMS
from ecweb_core.masters import reasons
from ecweb_core.masters.shop import auto_reason
from ecweb_core.models import Order, OrderStatus, Subscription
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import SUBSCRIPTION_STATUSES

ORDERS = Order.__table__
SUBS = Subscription.__table__


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


def change_status(conn: Connection, rule_id: int, param: str, matched: list[Ev], now: datetime) -> dict[int, Outcome]:
    status_id = int(param)
    name = conn.execute(select(OrderStatus.name).where(OrderStatus.id == status_id)).scalar_one_or_none()
    if name is None:
        return {e.id: ("failed", "指定された対応状況が存在しません。") for e in matched}
    by_order = {e.order_id: e for e in matched}
    changing = set(
        conn.execute(
            select(ORDERS.c.id).where(in_ids(conn, ORDERS.c.id, list(by_order)), ORDERS.c.status_id != status_id)
        ).scalars()
    )
    if changing:
        # The new events continue the chain of the events that matched: one INSERT … SELECT.
        parents = [by_order[oid].id for oid in sorted(changing)]
        events.emit_chained(conn, events.STATUS_CHANGED, name, parents, events.rule_source(rule_id), now)
        conn.execute(
            update(ORDERS)
            .where(in_ids(conn, ORDERS.c.id, sorted(changing)))
            .values(status_id=status_id, updated_at=now)
        )
    return {
        e.id: ("ok", f"対応状況を「{name}」に変更しました。")
        if e.order_id in changing
        else ("skipped", f"対応状況は既に「{name}」です。")
        for e in matched
    }


def order_attention(conn: Connection, rule_id: int, param: str, matched: list[Ev], now: datetime) -> dict[int, Outcome]:
    on = param == "on"
    ids = sorted({e.order_id for e in matched})
    # The 要対応理由 受注/定期受注設定 names for what the system sets (「自動化設定」 when none).
    reason = auto_reason(conn, reasons.ATTENTION) if on else None
    conn.execute(
        update(ORDERS)
        .where(in_ids(conn, ORDERS.c.id, ids))
        .values(needs_attention=on, attention_reason=reason, updated_at=now)
    )
    return {e.id: ("ok", ORDER_ATTENTION[param]) for e in matched}


def subscription_status(
    conn: Connection, rule_id: int, param: str, matched: list[Ev], now: datetime
) -> dict[int, Outcome]:
    s = SUBS.c
    if param in ("attention_on", "attention_off"):
        on = param == "attention_on"
        reason = auto_reason(conn, reasons.SUB_ATTENTION) if on else None
        values: dict[str, object] = {"needs_attention": on, "attention_reason": reason}
        kind, label, differs = (
            events.SUBSCRIPTION_ATTENTION_CHANGED,
            "要対応" if on else "解除",
            s.needs_attention.is_(not on),
        )
    else:
        kind_of = {"paused": reasons.STOP, "cancelled": reasons.CANCEL}
        reason = auto_reason(conn, kind_of[param]) if param in kind_of else None
        values = {"status": param, "status_reason": reason}
        kind, differs = events.SUBSCRIPTION_STATUS_CHANGED, s.status != param
        label = SUBSCRIPTION_STATUSES[param] + (f"({reason})" if reason else "")
    by_sub: dict[int, Ev] = {}
    for e in matched:
        if e.subscription_id is not None:
            by_sub.setdefault(e.subscription_id, e)
    if by_sub:
        where = in_ids(conn, SUBS.c.id, sorted(by_sub))
        changing = conn.execute(select(s.id).where(where, differs)).scalars().all()
        parents = sorted(by_sub[sub_id].id for sub_id in changing)
        events.emit_chained(conn, kind, label, parents, events.rule_source(rule_id), now)
        conn.execute(update(SUBS).where(where).values(**values))
    return {
        e.id: ("ok", SUBSCRIPTION_PARAMS[param])
        if e.subscription_id is not None
        else ("skipped", "定期受注に紐づかない受注です。")
        for e in matched
    }


def defer(conn: Connection, rule_id: int, param: str, matched: list[Ev], now: datetime) -> dict[int, Outcome]:
    """An action that calls outside the database (a mail, a payment) is not transactional: the run is recorded
    as pending here and made after the batch commits (deferred.py), through the external-effect
    ledger, so a rollback or a retry never makes it twice."""
    return {e.id: ("pending", "実行待ち") for e in matched}


ACTION_FUNCS = {
    "change_status": change_status,
    "order_attention": order_attention,
    "subscription_status": subscription_status,
    "send_mail": defer,
    "payment": defer,
}
