"""The job actors: one actor runs every kind of the catalog, a thin call into ecweb_core's runner.

Each kind's retry policy and time limit travel as options of its message (catalog.JobKind), which
Dramatiq's Retries and TimeLimit middleware read per message. When the retries are used up, Retries
sends the message to `job_retries_exhausted`, which marks the job 失敗 and says so."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.db import get_engine
from ecweb_core.jobs.catalog import JOB_ACTOR, JOB_EXHAUSTED_ACTOR, JOB_PART_ACTOR, JOBS_QUEUE, job_kind, queues
from ecweb_core.jobs.runner import mark_failed, run_job
from ecweb_core.jobs.runner import run_part as run_job_part
from ecweb_core.models import Job
from ecweb_core.notes import push_note
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)


def _notify(note: dict[str, Any]) -> None:
    try:
        push_note(load_settings().redis_url, note)
    except Exception:  # noqa: BLE001 - a lost toast must not fail the job; the Job row is the truth
        log.exception("could not queue note %s", note)


def run(job_id: int) -> None:
    """Runs or resumes the job. An exception makes Dramatiq retry the message with backoff."""
    settings = load_settings()
    run_job(
        get_engine(),
        job_id,
        notify=_notify,
        chunk_size=settings.job_chunk_size,
        pause_s=settings.job_chunk_pause_ms / 1000,
        send_parts=_send_parts,
        parts=settings.job_parallelism - 1,
    )


def _send_parts(job_id: int, n: int) -> None:
    """Asks n other runners (any free worker) to share the job's chunks."""
    with Session(get_engine()) as s:
        kind = s.execute(select(Job.kind).where(Job.id == job_id)).scalar_one()
    broker = dramatiq.get_broker()
    for _ in range(n):
        broker.enqueue(dramatiq.Message(**job_kind(kind).part_message(job_id)))


def run_part(job_id: int) -> None:
    run_job_part(get_engine(), job_id, pause_s=load_settings().job_chunk_pause_ms / 1000)


def retries_exhausted(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """The job could not run to its end: what its chunks recorded stays, the rest is 未処理."""
    job_id = int(message["args"][0])
    trace = str(message.get("options", {}).get("traceback") or "").strip()
    error = trace.splitlines()[-1] if trace else "リトライの上限に達しました。"
    mark_failed(get_engine(), job_id, f"{error} ({retry_info.get('retries', 0)} 回再試行しました)", notify=_notify)


def declare_actors(broker: dramatiq.Broker) -> dramatiq.Actor:  # type: ignore[type-arg]
    """Declares the job actor (and the queues of every kind) on the broker; returns the job actor."""
    actor = dramatiq.actor(run, actor_name=JOB_ACTOR, queue_name=JOBS_QUEUE, broker=broker)
    dramatiq.actor(run_part, actor_name=JOB_PART_ACTOR, queue_name=JOBS_QUEUE, max_retries=0, broker=broker)
    dramatiq.actor(
        retries_exhausted, actor_name=JOB_EXHAUSTED_ACTOR, queue_name=JOBS_QUEUE, max_retries=3, broker=broker
    )
    for queue in queues() - {JOBS_QUEUE}:
        broker.declare_queue(queue)  # a kind on its own queue: this worker consumes it too
    return actor
