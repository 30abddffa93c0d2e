"""Who runs a job right now (issue 19): a lease the runner takes, renews and gives back.

Dramatiq redelivers a dead worker's messages only during its randomly triggered maintenance (minutes
after a kill -9), and a Redis that restarts without its data forgets the messages not yet fetched.
The database therefore says which jobs are in hand: a runner takes the job's lease before its first
chunk and renews it from a heartbeat thread; a sweep (workers/sweep.py) re-sends a job whose lease
went stale (its runner died) or whose message Redis no longer holds. A second delivery of a job in
hand finds the lease taken and leaves — so one job never has two runners at once, and a stale
message arriving after the sweep re-sent the job does nothing.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from ecweb_core.models import Job
from ecweb_core.models.common import utcnow

UNFINISHED = ("registered", "running")


def lease_seconds() -> float:
    """A runner silent this long is taken for dead (its heartbeat renews every quarter of it)."""
    return float(os.environ.get("ECWEB_JOB_LEASE_S", "20"))


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def acquire(engine: Engine, job_id: int, owner: str) -> bool:
    """Takes the lease of an unfinished job unless a live runner holds it."""
    now = utcnow()
    with engine.begin() as conn:
        taken = conn.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.status.in_(UNFINISHED),  # type: ignore[attr-defined]
                or_(Job.lease_owner.is_(None), Job.heartbeat_at < now - _lease()),  # type: ignore[union-attr, operator]
            )
            .values(lease_owner=owner, heartbeat_at=now)
        )
    return taken.rowcount == 1


def renew(engine: Engine, job_id: int, owner: str) -> bool:
    """False when the lease is no longer this runner's (it was silent too long and was swept)."""
    with engine.begin() as conn:
        kept = conn.execute(update(Job).where(Job.id == job_id, Job.lease_owner == owner).values(heartbeat_at=utcnow()))
    return kept.rowcount == 1


def release(engine: Engine, job_id: int, owner: str) -> None:
    """Gives the lease back (the job ended, or the runner leaves it to Dramatiq's retry)."""
    with engine.begin() as conn:
        conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == owner)
            .values(lease_owner=None, heartbeat_at=utcnow())
        )


class Heartbeat:
    """Renews the lease every quarter of its length from a daemon thread, while the runner works.

    A chunk may take longer than the lease (a slow provider, a big PDF): the thread, not the chunk
    loop, keeps the lease fresh. `lost` is set when the lease was taken away; the runner stops at the
    next chunk boundary, leaving the rest to the runner that holds it now."""

    def __init__(self, engine: Engine, job_id: int, owner: str, also: Callable[[], None] | None = None) -> None:
        self.engine, self.job_id, self.owner, self.also = engine, job_id, owner, also
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(lease_seconds() / 4):
            try:
                if not renew(self.engine, self.job_id, self.owner):
                    self.lost.set()
                    return
                if self.also is not None:
                    self.also()  # the chunk the coordinator works on, when workers share the job
            except Exception:  # noqa: BLE001 - a database hiccup: try again at the next beat
                continue


@dataclass(frozen=True)
class Unfinished:
    id: int
    kind: str
    status: str
    lease_owner: str | None
    heartbeat_at: datetime | None
    created_at: datetime
    message_id: str | None


def unfinished(engine: Engine, limit: int = 500) -> list[Unfinished]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Job.id, Job.kind, Job.status, Job.lease_owner, Job.heartbeat_at, Job.created_at, Job.message_id)
            .where(Job.status.in_(UNFINISHED))  # type: ignore[attr-defined]
            .order_by(Job.id)
            .limit(limit)
        ).all()
    return [Unfinished(*row) for row in rows]


def is_stale(job: Unfinished, now: datetime) -> bool:
    """A runner holds the lease but has not renewed it in time: it died (kill -9, lost host)."""
    return job.lease_owner is not None and (job.heartbeat_at is None or job.heartbeat_at < now - _lease())


def is_idle(job: Unfinished, now: datetime) -> bool:
    """No runner holds it, for longer than a lease: queued, waiting for a retry, or forgotten."""
    since = job.heartbeat_at or job.created_at
    return job.lease_owner is None and since < now - _lease()


def claim_resend(engine: Engine, job: Unfinished) -> bool:
    """Marks the job as re-sent, if no one changed it since it was read: of several sweeping
    workers exactly one re-sends it. The fresh heartbeat keeps it off the next sweeps for one
    lease, while the new message (its id recorded once enqueued) reaches a worker."""
    with engine.begin() as conn:
        claimed = conn.execute(
            update(Job)
            .where(
                Job.id == job.id,
                Job.status.in_(UNFINISHED),  # type: ignore[attr-defined]
                Job.lease_owner.is_(None) if job.lease_owner is None else Job.lease_owner == job.lease_owner,  # type: ignore[union-attr]
                Job.heartbeat_at.is_(None) if job.heartbeat_at is None else Job.heartbeat_at == job.heartbeat_at,  # type: ignore[union-attr]
            )
            .values(lease_owner=None, heartbeat_at=utcnow(), message_id=None, resent=Job.resent + 1)
        )
    return claimed.rowcount == 1


def record_message(engine: Engine, job_id: int, message_id: str) -> None:
    """The Redis message that carries the job now (Dramatiq gives each enqueue, a retry too, its own
    id), so the sweep can ask Redis whether it still exists."""
    with engine.begin() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(message_id=message_id))


def _lease() -> timedelta:
    return timedelta(seconds=lease_seconds())
