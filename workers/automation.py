"""自動化設定 in the workers: a middleware that drains the order-event outbox after every message,
and the small `automation_drain` actor the app sends after a single edit.

Errors raised in a Dramatiq after-hook are only logged and the message is acked anyway, so the
middleware catches everything itself and, on failure, schedules a drain instead of losing it."""

from __future__ import annotations

import logging
from datetime import datetime

import dramatiq
from dramatiq.middleware import Retries

from ecweb_core.automation import AUTOMATION_QUEUE, DRAIN_ACTOR
from ecweb_core.automation.engine import drain, next_retry_at
from ecweb_core.db import get_engine
from ecweb_core.models.common import utcnow

log = logging.getLogger(__name__)
RETRY_AFTER_ERROR_MS = 5000


def schedule_drain(broker: dramatiq.Broker, delay_ms: int) -> None:
    message = dramatiq.Message(queue_name=AUTOMATION_QUEUE, actor_name=DRAIN_ACTOR, args=(), kwargs={}, options={})
    broker.enqueue(message, delay=max(0, delay_ms))


def drain_and_schedule(broker: dramatiq.Broker) -> None:
    """Drains to a fixed point; when a mail run now waits for a retry, a drain is scheduled for it."""
    try:
        summary = drain(get_engine())
        if summary.runs.get("retry"):
            with get_engine().connect() as conn:
                due: datetime | None = next_retry_at(conn)
            if due is not None:
                schedule_drain(broker, int((due - utcnow()).total_seconds() * 1000) + 100)
    except Exception:  # noqa: BLE001 - an after-hook must not raise; the events stay in the outbox
        log.exception("automation drain failed; retrying in %d ms", RETRY_AFTER_ERROR_MS)
        try:
            schedule_drain(broker, RETRY_AFTER_ERROR_MS)
        except Exception:  # noqa: BLE001 - the next message's drain will pick the events up
            log.exception("could not schedule the automation drain")


class AutomationMiddleware(dramatiq.Middleware):
    """After each processed message (job chunks, payments, subscriptions …), apply the rules to
    the events it wrote. Failed messages too: what their committed chunks changed did happen."""

    def after_process_message(self, broker, message, *, result=None, exception=None):  # type: ignore[no-untyped-def]
        if message.actor_name != DRAIN_ACTOR:  # the drain actor drains in its own body
            drain_and_schedule(broker)


def declare_automation(broker: dramatiq.Broker) -> dramatiq.Actor:  # type: ignore[type-arg]
    broker.add_middleware(AutomationMiddleware(), before=Retries)

    def automation_drain() -> None:
        drain_and_schedule(broker)

    return dramatiq.actor(
        automation_drain,
        actor_name=DRAIN_ACTOR,
        queue_name=AUTOMATION_QUEUE,
        max_retries=3,
        time_limit=10 * 60 * 1000,
        broker=broker,
    )
