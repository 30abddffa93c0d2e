"""The 定期受注 engine in the workers: the periodic tick runs the due day through Dramatiq, and a run
killed with SIGKILL (mid-way through its authorizations) then run again leaves exactly one order per
subscription and delivery, each authorized at the provider once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from periodiq import PeriodiqMiddleware
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.db import make_engine
from ecweb_core.demo import generate
from ecweb_core.migrate import upgrade
from ecweb_core.models import Order, PaymentMethod, ShopSettings, Subscription
from ecweb_core.models.common import JST
from ecweb_core.settings import PROJECT_ROOT
from ecweb_core.subscriptions.engine import run_for
from tests.conftest import DEMO_NOW
from tests.payment_provider import Provider
from workers.subscriptions import SUBSCRIPTIONS_QUEUE, TICK_ACTOR, declare_subscriptions

DAY = date(2026, 11, 10)


def _due_subscriptions(engine: Engine) -> int:
    """Every subscription active, by card, due on DAY; returns how many."""
    with engine.begin() as conn:
        credit = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        conn.execute(
            update(Subscription).values(
                status="active",
                payment_method_id=credit,
                cycle_kind="month_day",
                cycle_count=1,
                cycle_day=DAY.day,
                next_delivery_date=DAY,
                next_ship_date=DAY - timedelta(days=2),
            )  # fmt: skip
        )
        conn.execute(update(ShopSettings).values(auto_order_days_before=0, subscription_run_time="00:00"))
        return int(conn.execute(select(func.count()).select_from(Subscription)).scalar_one())


def _per_subscription(engine: Engine) -> list[int]:
    with Session(engine) as s:
        rows = s.execute(
            select(func.count())
            .where(Order.subscription_cycle_date.is_not(None))
            .group_by(Order.subscription_id, Order.subscription_cycle_date)
        ).scalars()
        return sorted(set(rows))


def test_the_periodic_tick_runs_the_due_day(
    empty_engine: Engine, provider: Provider, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    generate(empty_engine, 40, seed=4, now=DEMO_NOW)
    with empty_engine.begin() as conn:  # due today (in Japan), whatever today is
        today = datetime.now(JST).date()
        conn.execute(update(Subscription).values(status="active", next_delivery_date=today, next_ship_date=today))
        conn.execute(update(ShopSettings).values(auto_order_days_before=0, subscription_run_time="00:00"))
        subs = int(conn.execute(select(func.count()).select_from(Subscription)).scalar_one())
    broker = StubBroker()
    broker.add_middleware(PeriodiqMiddleware(skip_delay=300))
    declare_subscriptions(broker)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        for _ in range(2):  # the tick twice (two schedulers, a redelivery): the same orders
            broker.enqueue(dramatiq.Message(queue_name=SUBSCRIPTIONS_QUEUE, actor_name=TICK_ACTOR, args=(),
                                            kwargs={}, options={}))  # fmt: skip
            broker.join(SUBSCRIPTIONS_QUEUE, fail_fast=True)
    finally:
        worker.stop()
        broker.close()
    with Session(empty_engine) as s:
        created = s.execute(select(func.count()).where(Order.subscription_cycle_date.is_not(None))).scalar_one()
    assert created == subs and _per_subscription(empty_engine) == [1]


def test_a_run_killed_mid_way_then_run_again_orders_and_authorizes_once(
    tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'subs.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    generate(engine, 4000, seed=8, now=DEMO_NOW)  # ~200 subscriptions
    n = _due_subscriptions(engine)
    provider.faults(latency_ms=40)  # the authorizations take a while: the kill lands among them
    env = {**os.environ, "DATABASE_URL": db_url, "PAYMENT_PROVIDER_URL": provider.url, "ECWEB_PAYMENT_IN_FLIGHT": "4"}
    script = ("from datetime import date\nfrom ecweb_core.db import get_engine\n"
              "from ecweb_core.subscriptions.engine import run_for\n"
              f"run_for(get_engine(), date.fromisoformat('{DAY.isoformat()}'))\n")  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while sum(provider.operations().values()) < 10:  # orders created, some authorized
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    with Session(engine) as s:
        created = Order.subscription_cycle_date.is_not(None)
        pending = s.execute(select(func.count()).where(Order.payment_status == "auth_requested", created)).scalar_one()
    assert pending > 0  # killed before every authorization was made
    provider.faults()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("PAYMENT_PROVIDER_URL", provider.url)
    run_for(engine, DAY)
    assert _per_subscription(engine) == [1]
    with Session(engine) as s:
        orders = s.execute(
            select(Order.number, Order.payment_status).where(Order.subscription_cycle_date.is_not(None))
        ).all()
    assert len(orders) == n and {status for _, status in orders} == {"authorized"}
    ops = provider.operations()
    assert {ops.get((number, "authorize"), 0) for number, _ in orders} == {1}
    assert provider.operations(outcome="invalid") == {}
    with Session(engine) as s:  # every subscription advanced once: its next delivery is the next month's
        assert set(s.execute(select(Subscription.next_delivery_date)).scalars()) == {date(2026, 12, 10)}
    engine.dispose()
