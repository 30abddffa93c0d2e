"""The 定期受注 engine on real databases with the real sandbox provider: the next order with its
prices per delivery count, 同梱品, fees and authorization; the seed's catch-up (one order a day until
the next delivery lies ahead); 停止 / キャンセル / resume; never twice (the run repeated, two runs at
once); missed days caught up within the look-back; 手動作成; automation for the created orders."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.engine import drain
from ecweb_core.automation.rules import create_rule, set_enabled
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.models import (
    AutomationRun,
    Order,
    OrderEvent,
    OrderItem,
    PaymentMethod,
    Product,
    ShopSettings,
    Subscription,
    SubscriptionItem,
    SubscriptionRun,
)
from ecweb_core.subscriptions.engine import LOOK_BACK_DAYS, authorize_pending, create_manual, run_due, run_for
from tests.conftest import DEMO_NOW
from tests.payment_provider import Provider

DAY = date(2026, 11, 10)
PICKED = "test"  # marks the subscriptions a test set up


@pytest.fixture
def engine(empty_engine: Engine, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    generate(empty_engine, 60, seed=19, now=DEMO_NOW)
    with empty_engine.begin() as conn:  # only the subscriptions a test sets up run
        conn.execute(update(Subscription).values(status="paused"))
        conn.execute(update(ShopSettings).values(auto_order_days_before=0, subscription_run_time="04:00"))
    return empty_engine


def _sub(engine: Engine, **values: Any) -> int:
    """An active card subscription of one SKN-001 (初回 1980 / 2回目以降 3980 / 同梱品 at the 2nd)."""
    with engine.begin() as conn:
        free = Subscription.attention_reason.is_(None) | (Subscription.attention_reason != PICKED)
        sub_id = conn.execute(select(Subscription.id).where(free).order_by(Subscription.id)).scalars().first()
        assert sub_id is not None
        credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        skn = conn.execute(select(Product.id).where(Product.code == "SKN-001")).scalar_one()
        conn.execute(update(SubscriptionItem).where(SubscriptionItem.subscription_id == sub_id).values(product_id=skn))
        base = {
            "status": "active",
            "attention_reason": PICKED,
            "payment_method_id": credit,
            "delivery_count": 1,
            "cycle_kind": "month_day",
            "cycle_count": 1,
            "cycle_day": DAY.day,
            "next_delivery_date": DAY,
            "next_ship_date": DAY - timedelta(2),
        }
        conn.execute(update(Subscription).where(Subscription.id == sub_id).values(**{**base, **values}))  # fmt: skip
    return int(sub_id or 0)


def _orders(engine: Engine, sub_id: int) -> list[Order]:
    with Session(engine) as s:
        q = select(Order).where(Order.subscription_id == sub_id, Order.subscription_cycle_date.is_not(None))
        return list(s.execute(q.order_by(Order.id)).scalars())


def _sub_row(engine: Engine, sub_id: int) -> Subscription:
    with Session(engine) as s:
        sub = s.get(Subscription, sub_id)
        assert sub is not None
        return sub


def test_the_next_order_with_its_prices_bundles_fees_and_authorization(engine: Engine, provider: Provider) -> None:
    sub_id = _sub(engine)
    result = run_for(engine, DAY)
    assert (result.created, result.authorized) == (1, 1)
    (order,) = _orders(engine, sub_id)
    assert order.number == f"EC{order.id:08d}" and order.ordered_at is not None and order.status_id == 35
    assert (order.subscription_cycle_date, order.scheduled_delivery_date) == (DAY, DAY)
    assert order.scheduled_ship_date == DAY - timedelta(2)
    assert order.payment_status == "authorized" and order.payment_ref
    assert provider.operations(order.number) == {(order.number, "authorize"): 1}
    with Session(engine) as s:
        items = s.execute(select(OrderItem.unit_price, OrderItem.quantity).where(OrderItem.order_id == order.id)
                          .order_by(OrderItem.id)).all()  # fmt: skip
        kinds = s.execute(select(OrderEvent.kind, OrderEvent.value).where(OrderEvent.order_id == order.id)).all()
    # The 2nd delivery: 2回目以降 ¥3,980 and that delivery's 同梱品 at ¥0.
    assert [tuple(i) for i in items] == [(3980, 1), (0, 1)]
    assert order.subtotal == 3980 and order.total == order.subtotal + order.shipping_fee + order.payment_fee
    assert ("subscription_order_created", "定期2回目") in kinds and ("payment_status_changed", "仮売上完了") in kinds
    sub = _sub_row(engine, sub_id)
    assert (sub.delivery_count, sub.next_delivery_date, sub.next_ship_date) == (
        2,
        date(2026, 12, 10),
        date(2026, 12, 8),
    )
    assert sub.next_subtotal == 3980  # the 3rd delivery, priced for it
    assert run_for(engine, DAY).created == 0  # the same day again: nothing more


def test_a_past_delivery_date_creates_one_order_a_day_until_it_lies_ahead(engine: Engine) -> None:
    """The seed: 当日以前の日付 → an order the next day, and every day one per cycle until the next
    delivery date is after the day."""
    sub_id = _sub(engine, cycle_kind="days", cycle_count=2, next_delivery_date=DAY - timedelta(days=5),
                  next_ship_date=DAY - timedelta(days=7))  # fmt: skip
    per_day = [run_for(engine, DAY + timedelta(days=k)).created for k in range(4)]
    dates = [o.subscription_cycle_date for o in _orders(engine, sub_id)]
    assert per_day == [1, 1, 1, 1]
    assert dates == [DAY - timedelta(days=5), DAY - timedelta(days=3), DAY - timedelta(days=1), DAY + timedelta(days=1)]
    assert _sub_row(engine, sub_id).next_delivery_date == DAY + timedelta(days=3)
    assert run_for(engine, DAY + timedelta(days=2)).created == 0  # the next one, the 3rd, is still ahead


def test_paused_and_cancelled_create_nothing_and_resume_from_the_next_delivery(engine: Engine) -> None:
    paused, cancelled = _sub(engine, status="paused"), _sub(engine, status="cancelled")
    assert paused != cancelled
    assert run_for(engine, DAY).created == 0
    with engine.begin() as conn:
        conn.execute(update(Subscription).where(Subscription.id == paused).values(status="active"))
    assert run_for(engine, DAY + timedelta(days=1)).created == 1
    assert [o.subscription_cycle_date for o in _orders(engine, paused)] == [DAY]
    assert _orders(engine, cancelled) == []


def test_two_runs_at_once_create_each_order_once(engine: Engine) -> None:
    subs = [_sub(engine) for _ in range(4)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_for(engine, DAY)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Session(engine) as s:
        per = s.execute(
            select(Order.subscription_id, Order.subscription_cycle_date, func.count())
            .where(Order.subscription_id.in_(subs), Order.subscription_cycle_date.is_not(None))
            .group_by(Order.subscription_id, Order.subscription_cycle_date)
        ).all()
    assert sorted((sub, n) for sub, _, n in per) == [(sub, 1) for sub in sorted(subs)]
    assert all(_sub_row(engine, sub).delivery_count == 2 for sub in subs)  # advanced once


def test_missed_days_are_caught_up_within_the_look_back(engine: Engine) -> None:
    sub_id = _sub(engine, cycle_kind="days", cycle_count=1, next_delivery_date=DAY - timedelta(days=30),
                  next_ship_date=DAY - timedelta(days=30))  # fmt: skip
    with engine.begin() as conn:  # the last run finished 20 days ago: the scheduler was down
        conn.execute(SubscriptionRun.__table__.insert().values(run_date=DAY - timedelta(days=20),
                                                              started_at=DEMO_NOW, finished_at=DEMO_NOW))  # fmt: skip
    now = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 12:00 JST: today's run time has passed
    results = run_due(engine, now)
    assert [r.run_date for r in results] == [
        DAY - timedelta(days=LOOK_BACK_DAYS - 1 - k) for k in range(LOOK_BACK_DAYS)
    ]
    assert len(_orders(engine, sub_id)) == LOOK_BACK_DAYS  # one order per day run, no more
    assert run_due(engine, now) == []  # today ran: nothing to do until tomorrow's run time
    before = datetime(2026, 11, 10, 18, 0, tzinfo=UTC)  # 03:00 JST the next day: before 04:00
    assert run_due(engine, before) == []


def test_manual_creation_and_its_refusals(engine: Engine) -> None:
    sub_id = _sub(engine, next_delivery_date=DAY + timedelta(days=20), next_ship_date=DAY + timedelta(days=18))
    with engine.begin() as conn:
        order_id = create_manual(conn, sub_id, None)
    assert [(o.id, o.payment_status) for o in _orders(engine, sub_id)] == [(order_id, "auth_requested")]
    assert _sub_row(engine, sub_id).next_delivery_date == date(2026, 12, 10)
    assert authorize_pending(engine) == 1  # what the worker's subscription_authorize runs
    assert [o.payment_status for o in _orders(engine, sub_id)] == ["authorized"]
    with engine.begin() as conn:
        conn.execute(update(Subscription).where(Subscription.id == sub_id).values(status="paused"))
    with pytest.raises(FormError) as info, engine.begin() as conn:
        create_manual(conn, sub_id, None)
    assert info.value.errors == {"form": "停止中の定期受注は手動作成できません。"}
    assert len(_orders(engine, sub_id)) == 1
    with pytest.raises(FormError), engine.begin() as conn:
        create_manual(conn, 999_999, None)


def test_a_declined_authorization_of_a_created_order_fires_the_rule(engine: Engine, provider: Provider) -> None:
    """The seed's example: 仮売上失敗 → a rule — it works for orders the engine creates (they have a 受注日)."""
    provider.faults(decline_amount_at_least=1)
    with engine.begin() as conn:
        rule = create_rule(conn, {"event": "payment_status|auth_failed", "action": "order_attention", "param": "on"})
        set_enabled(conn, rule, True)
    sub_id = _sub(engine)
    run_for(engine, DAY)
    drain(engine)
    (order,) = _orders(engine, sub_id)
    assert order.payment_status == "auth_failed"
    with Session(engine) as s:
        runs = s.execute(
            select(AutomationRun.order_id, AutomationRun.outcome).where(AutomationRun.rule_id == rule)
        ).all()
        assert [tuple(r) for r in runs] == [(order.id, "ok")]
        assert s.get(Order, order.id).needs_attention  # type: ignore[union-attr]
