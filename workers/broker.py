"""The Redis broker from REDIS_URL."""

from __future__ import annotations

import os

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage
from periodiq import PeriodiqMiddleware

from ecweb_core.settings import load_settings
from workers.sweep import SweepMiddleware


def setup_broker() -> dramatiq.Broker:
    broker = RedisBroker(
        url=load_settings().redis_url,
        # How soon a dead worker's unacked messages are requeued for another (J5): default 60 s.
        heartbeat_timeout=int(os.environ.get("ECWEB_WORKER_HEARTBEAT_MS", "60000")),
        maintenance_chance=int(os.environ.get("ECWEB_WORKER_MAINTENANCE_CHANCE", "1000")),
    )
    broker.add_middleware(CurrentMessage())
    # A tick queued longer than this is skipped: the next one catches up (run_due looks back).
    broker.add_middleware(PeriodiqMiddleware(skip_delay=300))
    # Re-sends jobs a dead runner held or whose message Redis lost (issue 19).
    broker.add_middleware(SweepMiddleware())
    dramatiq.set_broker(broker)
    return broker
