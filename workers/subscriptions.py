"""The 定期受注 engine in the workers: a periodic tick (periodiq, one scheduler process) that runs
every day due — once the shop's run time has passed, each missed day within the look-back — and
the subscription engine's own checks make a second tick, scheduler or delivery create nothing more."""

from __future__ import annotations

import dramatiq
from periodiq import cron

from ecweb_core.db import get_engine
from ecweb_core.subscriptions.engine import run_due

SUBSCRIPTIONS_QUEUE = "subscriptions"
TICK_ACTOR = "subscription_tick"


def tick() -> None:
    run_due(get_engine())


def declare_subscriptions(broker: dramatiq.Broker) -> dramatiq.Actor:  # type: ignore[type-arg]
    return dramatiq.actor(
        tick,
        actor_name=TICK_ACTOR,
        queue_name=SUBSCRIPTIONS_QUEUE,
        # Every 5 minutes: the run time is a shop setting, so the tick itself decides when a day runs.
        periodic=cron("*/5 * * * *"),
        max_retries=3,
        time_limit=60 * 60 * 1000,
        broker=broker,
    )
