"""The automation middleware on a real Redis broker: a bulk job's events are drained right after
the job's message, and the app's automation_drain message drains a single edit's events."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.rules import create_rule, set_enabled
from ecweb_core.jobs.catalog import job_message
from ecweb_core.jobs.register import register_job
from ecweb_core.models import AutomationRun, Operator, Order, OrderEvent
from ecweb_core.order_edit import edit_order, parse_edit
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.statuses import CONFIRMED, SHIPPED
from ecweb_state import dispatch
from workers.actors import declare_actors
from workers.automation import declare_automation


@pytest.fixture
def redis_broker(engine: Engine, env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisBroker]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    broker = RedisBroker(url=env)
    broker.add_middleware(CurrentMessage())
    declare_actors(broker)
    declare_automation(broker)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    dispatch._broker.cache_clear()
    yield broker
    worker.stop()
    broker.close()
    dispatch._broker.cache_clear()


def _confirm_all(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(Order).values(status_id=CONFIRMED, ordered_at=Order.created_at, needs_attention=False))


def _wait_for_runs(engine: Engine, rule_id: int, n: int, timeout_s: float = 60) -> list[AutomationRun]:
    """The worker threads process the message; the test polls the database (the truth)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with Session(engine) as s:
            runs = list(s.execute(select(AutomationRun).where(AutomationRun.rule_id == rule_id)).scalars())
        if len(runs) >= n or time.monotonic() > deadline:
            return runs
        time.sleep(0.1)


def _rule(engine: Engine) -> int:
    with engine.begin() as conn:
        rule_id = create_rule(
            conn, {"event": "status", "event_value": str(SHIPPED), "action": "order_attention", "param": "on"}
        )
        set_enabled(conn, rule_id, True)
    return rule_id


def test_middleware_drains_the_events_of_a_bulk_job(engine: Engine, redis_broker) -> None:  # type: ignore[no-untyped-def]
    broker = redis_broker
    _confirm_all(engine)
    rule_id = _rule(engine)
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        ids = list(s.execute(select(Order.id).order_by(Order.id).limit(30)).scalars())
        sel = Selection(filter=OrderFilter(), ticked=set(ids))
        job_id = register_job(s, "bulk_update", op, sel, {"status_id": str(SHIPPED)}).id  # type: ignore[arg-type]
    broker.enqueue(dramatiq.Message(**job_message("bulk_update", job_id)))
    runs = _wait_for_runs(engine, rule_id, len(ids))
    with Session(engine) as s:
        assert sorted(r.order_id for r in runs) == ids and {r.outcome for r in runs} == {"ok"}
        assert s.execute(select(OrderEvent.id).where(OrderEvent.processed_at.is_(None))).first() is None
        flagged = s.execute(select(Order.id).where(Order.needs_attention.is_(True)).order_by(Order.id)).scalars().all()
        assert list(flagged) == ids


def test_single_edit_sends_automation_drain(engine: Engine, redis_broker) -> None:  # type: ignore[no-untyped-def]
    _confirm_all(engine)
    rule_id = _rule(engine)
    with engine.begin() as conn:
        order_id = conn.execute(select(Order.id).limit(1)).scalar_one()
        edit_order(conn, order_id, parse_edit(conn, {"status_id": str(SHIPPED)}), None)
    dispatch.send_automation_drain()  # what the order detail page does after saving
    runs = _wait_for_runs(engine, rule_id, 1)
    with Session(engine) as s:
        assert [(r.order_id, r.outcome) for r in runs] == [(order_id, "ok")]
        assert s.get(Order, order_id).needs_attention  # type: ignore[union-attr]
