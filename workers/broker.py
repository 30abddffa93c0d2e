"""The Redis broker from REDIS_URL. Actors (one per bulk job kind) register against it."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from ecweb_core.settings import load_settings


def setup_broker() -> dramatiq.Broker:
    broker = RedisBroker(url=load_settings().redis_url)
    dramatiq.set_broker(broker)
    return broker
