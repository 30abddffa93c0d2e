"""One actor per job kind, each a thin call into ecweb_core's job runner."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from ecweb_core.db import get_engine
from ecweb_core.jobs.kinds import JOBS_QUEUE, actor_name
from ecweb_core.jobs.operations import OPERATIONS, get_operation
from ecweb_core.jobs.runner import mark_failed, run_job
from ecweb_core.notes import push_note
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)
MAX_RETRIES = 5
# A bulk job may legitimately run long; progress is kept per chunk, so a retry resumes.
TIME_LIMIT_MS = 6 * 60 * 60 * 1000


def _notify(note: dict) -> None:  # type: ignore[type-arg]
    try:
        push_note(load_settings().redis_url, note)
    except Exception:  # noqa: BLE001 - a lost toast must not fail the job; the Job row is the truth
        log.exception("could not queue note %s", note)


def execute(job_id: int) -> None:
    engine = get_engine()
    try:
        settings = load_settings()
        run_job(
            engine,
            job_id,
            notify=_notify,
            chunk_size=settings.job_chunk_size,
            pause_s=settings.job_chunk_pause_ms / 1000,
        )
    except Exception as exc:
        message = CurrentMessage.get_current_message()
        retries = message.options.get("retries", 0) if message else MAX_RETRIES
        if retries >= (message.options.get("max_retries", MAX_RETRIES) if message else MAX_RETRIES):
            mark_failed(engine, job_id, f"{type(exc).__name__}: {exc}", notify=_notify)
            return
        raise


def _make_actor(kind: str, broker: dramatiq.Broker) -> dramatiq.Actor:  # type: ignore[type-arg]
    def run(job_id: int) -> None:
        execute(job_id)

    run.__name__ = actor_name(kind)
    return dramatiq.actor(
        run,
        actor_name=actor_name(kind),
        queue_name=JOBS_QUEUE,
        max_retries=MAX_RETRIES,
        min_backoff=1000,
        max_backoff=30000,
        time_limit=TIME_LIMIT_MS,
        broker=broker,
    )


def declare_actors(broker: dramatiq.Broker) -> dict[str, dramatiq.Actor]:  # type: ignore[type-arg]
    get_operation("dunning")  # loads every operation module
    return {kind: _make_actor(kind, broker) for kind in OPERATIONS}
