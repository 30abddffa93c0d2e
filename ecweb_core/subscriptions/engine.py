"""The 定期受注 engine (SPEC S1): each active subscription's next order, once a day.

The daily run (run_due, called every few minutes by the scheduler; it runs once the shop's run time
has passed) takes every day since the last run within LOOK_BACK_DAYS, oldest first. A day's run
(run_for) creates, for each active subscription whose next delivery is within 「自動受注作成日の指定」
days of that day, ONE order for that delivery, then moves the next dates on by one cycle. A
subscription whose next delivery is further in the past therefore gets one order per day until its
next delivery lies ahead (the seed's rule); 停止 and キャンセル get none.

Never twice: orders.subscription_cycle_date is unique per subscription. Each batch of
subscriptions is one transaction of set-based statements: INSERT … SELECT … ON CONFLICT DO NOTHING
of the orders (its WHERE re-checks status and due date at that instant, so a stale or concurrent
run finds nothing to do), then the items, fees, events and the subscriptions' next dates for exactly
the orders it inserted. The authorizations go to the payment provider afterwards, with no
transaction open, through the ledger (payments/service.py, process "authorize"): an order left
仮売上依頼中 by a crash is authorized by the next run, never twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from ecweb_core import audit, events, permissions
from ecweb_core.errors import FormError
from ecweb_core.fees import recompute_fees
from ecweb_core.masters.shop import shop_config
from ecweb_core.models import Order, OrderItem, Product, Subscription, SubscriptionItem, SubscriptionRun
from ecweb_core.models.common import JST, utcnow
from ecweb_core.payments import service as payments
from ecweb_core.payments.processes import AUTHORIZE
from ecweb_core.sqlutil import in_ids
from ecweb_core.statuses import CONFIRMED
from ecweb_core.subscriptions.changes import recalculate
from ecweb_core.subscriptions.cycles import Cycle

log = logging.getLogger(__name__)
ORDERS, SUBS, ITEMS = Order.__table__, Subscription.__table__, SubscriptionItem.__table__
RUNS = SubscriptionRun.__table__
LOOK_BACK_DAYS = 7  # a scheduler down for longer catches up this many days, not more
BATCH = 1000
PAYMENT_KEY = "subscription"  # the ledger key of the created orders' authorizations


@dataclass
class RunResult:
    run_date: date
    created: int = 0
    authorized: int = 0


def today_jst(now: datetime) -> date:
    return now.astimezone(JST).date()


def run_due(engine: Engine, now: datetime | None = None) -> list[RunResult]:
    """The days to run now: from the day after the last finished run (at most LOOK_BACK_DAYS back)
    to today once the shop's run time has passed, oldest first."""
    now = now or utcnow()
    with engine.connect() as conn:
        config = shop_config(conn)
        last = conn.execute(select(func.max(RUNS.c.run_date)).where(RUNS.c.finished_at.is_not(None))).scalar()
    today = today_jst(now)
    hour, minute = (int(x) for x in config.subscription_run_time.split(":"))
    latest = today if now.astimezone(JST).time() >= time(hour, minute) else today - timedelta(days=1)
    first = max(latest - timedelta(days=LOOK_BACK_DAYS - 1), (last + timedelta(days=1)) if last else latest)
    results = []
    day = first
    while day <= latest:
        results.append(run_for(engine, day, now))
        day += timedelta(days=1)
    if not results:  # a 手動作成 whose authorize message was lost waits no longer than a tick
        authorize_pending(engine)
    return results


def run_for(engine: Engine, run_date: date, now: datetime | None = None) -> RunResult:
    """One day's run; running it again (a retry, a second scheduler) creates nothing more."""
    now = now or utcnow()
    _start(engine, run_date, now)
    result = RunResult(run_date)
    after = 0
    while True:
        with engine.begin() as conn:
            ids = _due(conn, run_date, after)
            if not ids:
                break
            result.created += len(create_orders(conn, ids, run_date, now, source=events.SUBSCRIPTION_ENGINE))
        after = ids[-1]
    result.authorized = authorize_pending(engine)
    with engine.begin() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.run_date == run_date)
            .values(finished_at=utcnow(), orders_created=RUNS.c.orders_created + result.created)
        )
    log.info("定期受注 run %s: %d orders created, %d authorized", run_date, result.created, result.authorized)
    return result


def _start(engine: Engine, run_date: date, now: datetime) -> None:
    with engine.begin() as conn:
        ins = pg_insert(RUNS) if conn.dialect.name == "postgresql" else sqlite_insert(RUNS)
        conn.execute(ins.values(run_date=run_date, started_at=now, orders_created=0).on_conflict_do_nothing())


def _is_due(run_date: date, days_before: int) -> Any:
    return and_(
        SUBS.c.status == "active",
        SUBS.c.next_delivery_date.is_not(None),
        SUBS.c.next_delivery_date <= run_date + timedelta(days=days_before),
    )


def _due(conn: Connection, run_date: date, after: int) -> list[int]:
    days_before = shop_config(conn).auto_order_days_before
    q = select(SUBS.c.id).where(_is_due(run_date, days_before), SUBS.c.id > after).order_by(SUBS.c.id).limit(BATCH)
    return list(conn.execute(q).scalars())


def create_orders(
    conn: Connection,
    sub_ids: list[int],
    run_date: date | None,
    now: datetime,
    *,
    source: str,
    operator_id: int | None = None,
) -> list[int]:
    """Creates each subscription's order for its next delivery, set-based; returns the new order ids.
    `run_date` None is 手動作成: no due-date check (the status is still checked)."""
    if not sub_ids:
        return []
    recalculate(conn, sub_ids)  # the items at their price for this delivery count, its 同梱品
    s = SUBS.c
    where = [in_ids(conn, s.id, sub_ids), s.next_delivery_date.is_not(None)]
    if run_date is None:
        where.append(s.status.in_(("active", "cancelled")))  # the seed: 停止 creates no manual order
    else:
        where.append(_is_due(run_date, shop_config(conn).auto_order_days_before))
    rows = select(
        literal("S") + s.id.cast(String) + literal("-") + s.next_delivery_date.cast(String),
        s.customer_id, s.id, s.payment_method_id, s.delivery_company_id, literal(CONFIRMED, Integer),
        literal("auth_requested", String), literal(now, ORDERS.c.ordered_at.type), s.next_ship_date,
        s.next_delivery_date, s.next_delivery_date, s.next_subtotal, s.next_subtotal,
        literal(now, ORDERS.c.created_at.type), literal(now, ORDERS.c.updated_at.type),
    ).where(*where)  # fmt: skip
    columns = ["number", "customer_id", "subscription_id", "payment_method_id", "delivery_company_id", "status_id",
               "payment_status", "ordered_at", "scheduled_ship_date", "scheduled_delivery_date",
               "subscription_cycle_date", "subtotal", "total", "created_at", "updated_at"]  # fmt: skip
    ins = pg_insert(ORDERS) if conn.dialect.name == "postgresql" else sqlite_insert(ORDERS)
    stmt = ins.from_select(columns, rows).on_conflict_do_nothing(
        index_elements=["subscription_id", "subscription_cycle_date"]
    )
    created = {sub: oid for oid, sub in conn.execute(stmt.returning(ORDERS.c.id, ORDERS.c.subscription_id))}
    if not created:
        return []
    new_ids = sorted(created.values())
    mine = in_ids(conn, ORDERS.c.id, new_ids)
    _number(conn, new_ids)
    _items(conn, new_ids)
    recompute_fees(conn, mine)
    # One event per order, its value the order's own delivery count (定期N回目), in one SELECT.
    count = select(s.delivery_count + 1).where(s.id == ORDERS.c.subscription_id).scalar_subquery()
    value = literal("定期", String) + count.cast(String) + literal("回目", String)
    events.EventBatch(source, operator_id, now).add(events.SUBSCRIPTION_ORDER_CREATED, value, mine).write(conn)
    _advance(conn, list(created))
    recalculate(conn, list(created))  # the next delivery's prices and 同梱品
    return new_ids


def _number(conn: Connection, order_ids: list[int]) -> None:
    """The shop's numbering (EC + the id, zero-padded), which the placeholder S<id>-<date> kept unique."""
    o = ORDERS.c
    if conn.dialect.name == "sqlite":
        padded = func.printf("EC%08d", o.id)
    else:
        padded = literal("EC") + func.lpad(o.id.cast(String), 8, "0")
    conn.execute(update(ORDERS).where(in_ids(conn, o.id, order_ids)).values(number=padded))


def _items(conn: Connection, order_ids: list[int]) -> None:
    o, si, p = ORDERS.c, ITEMS.c, Product.__table__.c
    rows = (
        select(o.id, si.product_id, p.name, si.unit_price, si.quantity, p.tax_rate)
        .select_from(
            ORDERS.join(ITEMS, si.subscription_id == o.subscription_id).join(Product.__table__, p.id == si.product_id)
        )
        .where(in_ids(conn, o.id, order_ids))
        .order_by(o.id, si.bundled, si.id)
    )
    columns = ["order_id", "product_id", "product_name", "unit_price", "quantity", "tax_rate"]
    conn.execute(insert(OrderItem.__table__).from_select(columns, rows))


def _advance(conn: Connection, sub_ids: list[int]) -> None:
    """定期回数 + 1 and the next delivery one cycle on from the one just ordered (the ship date keeps
    its distance to it)."""
    s = SUBS.c
    rows = conn.execute(
        select(
            s.id,
            s.cycle_kind,
            s.cycle_count,
            s.cycle_day,
            s.cycle_week,
            s.cycle_weekday,
            s.next_ship_date,
            s.next_delivery_date,
        ).where(in_ids(conn, s.id, sub_ids))  # fmt: skip
    ).all()
    values = []
    for r in rows:
        cycle = Cycle(r.cycle_kind, r.cycle_count, r.cycle_day, r.cycle_week, r.cycle_weekday)
        nxt = cycle.next_after(r.next_delivery_date)
        gap = (r.next_delivery_date - r.next_ship_date) if r.next_ship_date else timedelta(0)
        values.append({"b_id": r.id, "b_delivery": nxt, "b_ship": nxt - gap})
    conn.execute(
        update(SUBS)
        .where(s.id == bindparam("b_id"))
        .values(
            delivery_count=s.delivery_count + 1,
            next_delivery_date=bindparam("b_delivery"),
            next_ship_date=bindparam("b_ship"),
        ),  # fmt: skip
        values,
    )


def authorize_pending(engine: Engine) -> int:
    """Authorizes the created orders still 仮売上依頼中 (this run's, or a crashed run's), outside any
    transaction, through the ledger; their 決済状況 events fire the automation rules."""
    done, after = 0, 0
    while True:
        with engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(ORDERS.c.id)
                    .where(
                        ORDERS.c.subscription_cycle_date.is_not(None),
                        ORDERS.c.payment_status == "auth_requested",
                        ORDERS.c.id > after,
                    )  # fmt: skip
                    .order_by(ORDERS.c.id)
                    .limit(BATCH)
                ).scalars()
            )
        if not ids:
            return done
        after = ids[-1]
        effects = payments.call_outside(engine, AUTHORIZE, ids, PAYMENT_KEY)
        with engine.begin() as conn:
            source = events.SUBSCRIPTION_ENGINE
            outcomes = payments.apply(conn, AUTHORIZE, effects, ids, source=source, operator_id=None)
        done += sum(1 for outcome, _ in outcomes.values() if outcome == "ok")


PAUSED = "停止中の定期受注は手動作成できません。"


def create_manual(conn: Connection, sub_id: int, operator_id: int | None) -> int:
    """手動作成 of a subscription's next order (its next delivery), in the caller's transaction;
    returns the order id. Its authorization is `authorize_pending`, after the commit, in a worker
    (the app does not call the provider from a websocket handler)."""
    permissions.require(conn, operator_id, permissions.ORDERS_EDIT)
    status = conn.execute(select(SUBS.c.status).where(SUBS.c.id == sub_id).with_for_update()).scalar_one_or_none()
    if status is None:
        raise FormError({"form": "定期受注が見つかりません。"})
    if status == "paused":
        raise FormError({"form": PAUSED})
    ids = create_orders(conn, [sub_id], None, utcnow(), source=events.UI, operator_id=operator_id)
    if not ids:
        raise FormError({"form": "この次回配送予定日の受注は作成済みです。"})
    audit.record_edited(conn, operator_id, f"定期受注 #{sub_id}", f"受注 #{ids[0]} を手動作成")
    return ids[0]
