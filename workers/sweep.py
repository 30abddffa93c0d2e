"""The sweep (issue 19): every worker process looks, every few seconds, for work that no live
message or runner carries any more, and re-sends it — so no job needs an operator to touch the
database or Redis after a kill -9, a lost host or a Redis that restarted without its data.

- A job whose runner holds the lease but stopped renewing it (died): re-sent at once. Dramatiq
  would redeliver the dead worker's message only at a random maintenance, minutes later; when that
  old copy does arrive, the lease or the finished job makes it do nothing.
- A job no runner holds, whose message Redis no longer has (neither queued nor waiting for a
  retry): re-sent. A job still queued behind others is left alone.
- Events in the automation outbox that no drain took for a while, with no drain queued: a drain.
The 定期受注 ticks need nothing here: periodiq sends one every 5 minutes and each catches up.

Several workers sweep at once: the re-send is claimed in the database (lease.claim_resend), so
one of them sends it. A re-sent job resumes where its chunks stopped (the runner skips recorded
orders), so nothing is done twice.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta
from typing import Any

import dramatiq
import redis
from sqlalchemy import exists, select
from sqlalchemy.engine import Engine

from ecweb_core.automation import AUTOMATION_QUEUE, DRAIN_ACTOR
from ecweb_core.db import get_engine
from ecweb_core.jobs import lease
from ecweb_core.jobs.catalog import JOB_ACTOR, job_message
from ecweb_core.models import OrderEvent
from ecweb_core.models.common import utcnow

log = logging.getLogger(__name__)


def sweep_seconds() -> float:
    return float(os.environ.get("ECWEB_SWEEP_S", "5"))


def _message_exists(client: redis.Redis, namespace: str, queue: str, message_id: str | None) -> bool:
    """Queued, delayed for a retry, or fetched by a worker and not yet acked: Redis still holds it."""
    if message_id is None:
        return False
    return bool(
        client.hexists(f"{namespace}:{queue}.msgs", message_id)
        or client.hexists(f"{namespace}:{dramatiq.common.dq_name(queue)}.msgs", message_id)
    )


def sweep_jobs(engine: Engine, broker: Any, client: redis.Redis) -> list[int]:
    """Re-sends the jobs that a dead runner held or whose message is lost; returns their ids."""
    now = utcnow()
    resent: list[int] = []
    for job in lease.unfinished(engine):
        spec = job_message(job.kind, job.id)
        lost = lease.is_idle(job, now) and not _message_exists(
            client, broker.namespace, spec["queue_name"], job.message_id
        )
        if not (lease.is_stale(job, now) or lost):
            continue
        if lease.claim_resend(engine, job):
            broker.enqueue(dramatiq.Message(**spec))  # SweepMiddleware.after_enqueue records its id
            resent.append(job.id)
            log.warning("job %s re-sent (%s)", job.id, "runner died" if job.lease_owner else "message lost")
    return resent


def sweep_outbox(engine: Engine, broker: Any, client: redis.Redis) -> bool:
    """A drain for events left waiting, unless one is already queued."""
    cutoff = utcnow() - timedelta(seconds=lease.lease_seconds())
    with engine.connect() as conn:
        waiting = conn.execute(
            select(exists().where(OrderEvent.processed_at.is_(None), OrderEvent.created_at < cutoff))  # type: ignore[union-attr]
        ).scalar()
    if not waiting or client.llen(f"{broker.namespace}:{AUTOMATION_QUEUE}"):
        return False
    drain = dramatiq.Message(queue_name=AUTOMATION_QUEUE, actor_name=DRAIN_ACTOR, args=(), kwargs={}, options={})
    broker.enqueue(drain)
    return True


def sweep_once(engine: Engine, broker: Any) -> list[int]:
    client = broker.client
    resent = sweep_jobs(engine, broker, client)
    sweep_outbox(engine, broker, client)
    return resent


class SweepMiddleware(dramatiq.Middleware):
    """Starts the sweep thread in each worker process (not in the app, not in the scheduler)."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None) -> None:
        """A job's message sent from a worker (the sweep's re-send, Dramatiq's retry): its Redis id."""
        if message.actor_name == JOB_ACTOR and "redis_message_id" in message.options:
            lease.record_message(get_engine(), int(message.args[0]), message.options["redis_message_id"])

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self._loop, args=(broker,), name="ecweb-sweep", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()

    def _loop(self, broker: dramatiq.Broker) -> None:
        while not self._stop.wait(sweep_seconds()):
            try:
                sweep_once(get_engine(), broker)
            except Exception:  # noqa: BLE001 - Redis or the database is away: the next sweep tries again
                log.exception("sweep failed")
