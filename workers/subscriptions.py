"""The 定期受注 engine in the workers: a periodic tick (periodiq, one scheduler process) that runs
every day due — once the shop's run time has passed, each missed day within the look-back — and
the subscription engine's own checks make a second tick, scheduler or delivery create nothing more."""

from __future__ import annotations

import dramatiq
from periodiq import cron

from ecweb_core.db import get_engine
from ecweb_core.subscriptions import AUTHORIZE_ACTOR, SUBSCRIPTIONS_QUEUE, TICK_ACTOR
from ecweb_core.subscriptions.engine import authorize_pending, run_due


def tick() -> None:
    run_due(get_engine())


def authorize() -> None:
    """After a 手動作成: authorizes the created orders still 仮売上依頼中 (the ledger makes a second
    delivery, or a tick doing the same, call the provider once per order)."""
    authorize_pending(get_engine())


def declare_subscriptions(broker: dramatiq.Broker) -> tuple[dramatiq.Actor, dramatiq.Actor]:  # type: ignore[type-arg]
    authorizer = dramatiq.actor(
        authorize,
        actor_name=AUTHORIZE_ACTOR,
        queue_name=SUBSCRIPTIONS_QUEUE,
        max_retries=5,
        time_limit=10 * 60 * 1000,
        broker=broker,
    )
    ticker = dramatiq.actor(
        tick,
        actor_name=TICK_ACTOR,
        queue_name=SUBSCRIPTIONS_QUEUE,
        # Every 5 minutes: the run time is a shop setting, so the tick itself decides when a day runs.
        periodic=cron("*/5 * * * *"),
        max_retries=3,
        time_limit=60 * 60 * 1000,
        broker=broker,
    )
    return ticker, authorizer
