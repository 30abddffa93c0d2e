"""Sends a job's Dramatiq message by actor name: the app never imports the workers package."""

from __future__ import annotations

from functools import lru_cache

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy.engine import Engine

from ecweb_core.db import get_engine
from ecweb_core.jobs.catalog import job_message
from ecweb_core.jobs.lease import record_message
from ecweb_core.settings import load_settings


@lru_cache(maxsize=1)
def _broker() -> RedisBroker:
    return RedisBroker(url=load_settings().redis_url)


def send_job(kind: str, job_id: int, engine: Engine | None = None) -> None:
    message = _broker().enqueue(dramatiq.Message(**job_message(kind, job_id)))
    # The sweep asks Redis for this message before it takes the job for lost (workers/sweep.py).
    record_message(engine or get_engine(), job_id, message.options["redis_message_id"])


def send_automation_drain() -> None:
    """After a single edit: the workers apply the automation rules to the events it wrote."""
    from ecweb_core.automation import AUTOMATION_QUEUE, DRAIN_ACTOR

    _send(AUTOMATION_QUEUE, DRAIN_ACTOR)


def send_subscription_authorize() -> None:
    """After 手動作成: a worker authorizes the created order through the gateway."""
    from ecweb_core.subscriptions import AUTHORIZE_ACTOR, SUBSCRIPTIONS_QUEUE

    _send(SUBSCRIPTIONS_QUEUE, AUTHORIZE_ACTOR)


def _send(queue: str, actor: str) -> None:
    _broker().enqueue(dramatiq.Message(queue_name=queue, actor_name=actor, args=(), kwargs={}, options={}))
