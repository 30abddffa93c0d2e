"""One job, several workers (issue 19): the chunks of a big job claimed by every free runner.

The runner that holds the job's lease (the coordinator) plans the pending targets into chunks of
consecutive order ids, once, in one INSERT … SELECT; it sends helper messages, and it and the
helpers claim chunks until none is left — on PostgreSQL with FOR UPDATE SKIP LOCKED, so claims never
wait on each other; SQLite has one writer, its claims simply take turns. A claimed chunk is
renewed by its runner's heartbeat; a chunk whose runner died goes stale and is claimed again (its
orders already recorded are skipped: outcomes commit with the change, as for a single runner).
Only the coordinator finishes the job, once every chunk is done: progress, the result file, the
finish hook and the notes stay exactly once per job.

Kinds whose output is one ordered file (CSV / PDF) are not parallel (catalog.JobKind.parallel):
their file keeps the grid's order by being written by one runner, chunk after chunk.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine

from ecweb_core.jobs import lease
from ecweb_core.models import JobChunk, JobTarget
from ecweb_core.models.common import utcnow


def plan(engine: Engine, job_id: int, chunk_size: int) -> int:
    """Splits the job's pending targets into chunks, unless a previous coordinator already did."""
    with engine.begin() as conn:
        have = conn.execute(select(func.count()).where(JobChunk.job_id == job_id)).scalar_one()
        if have:
            return int(have)
        # Integer division groups consecutive pending targets: chunk n holds the n-th chunk_size of them.
        conn.execute(
            text(
                "INSERT INTO job_chunks (job_id, no, first_id, last_id, done) "
                "SELECT :job, grp, MIN(order_id), MAX(order_id), :no FROM ("
                "  SELECT order_id, (ROW_NUMBER() OVER (ORDER BY order_id) - 1) / :size AS grp"
                "  FROM job_targets WHERE job_id = :job AND outcome IS NULL"
                ") t GROUP BY grp"
            ),
            {"job": job_id, "size": chunk_size, "no": False},
        )
        return int(conn.execute(select(func.count()).where(JobChunk.job_id == job_id)).scalar_one())


def claim(engine: Engine, job_id: int, owner: str) -> tuple[int, list[int]] | None:
    """The next chunk no live runner holds, claimed for `owner`: its number and pending order ids."""
    now = utcnow()
    c = JobChunk.__table__.c
    free = (
        select(c.no)
        .where(
            c.job_id == job_id,
            c.done.is_(False),
            (c.owner.is_(None)) | (c.heartbeat_at < now - timedelta(seconds=lease.lease_seconds())),
        )
        .order_by(c.no)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's single writer serialises claims
        .scalar_subquery()
    )
    with engine.begin() as conn:
        row = conn.execute(
            update(JobChunk)
            .where(c.job_id == job_id, c.no == free)
            .values(owner=owner, heartbeat_at=now)
            .returning(c.no, c.first_id, c.last_id)
        ).first()
        if row is None:
            return None
        t = JobTarget.__table__.c
        ids = conn.execute(
            select(t.order_id)
            .where(t.job_id == job_id, t.outcome.is_(None), t.order_id.between(row.first_id, row.last_id))
            .order_by(t.order_id)
        ).scalars()
        return int(row.no), list(ids)


def mark_done(engine: Engine, job_id: int, no: int, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(JobChunk)
            .where(JobChunk.job_id == job_id, JobChunk.no == no, JobChunk.owner == owner)
            .values(done=True)
        )


def open_chunks(engine: Engine, job_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(JobChunk.job_id == job_id, JobChunk.done.is_(False))  # type: ignore[attr-defined]
            ).scalar_one()
        )


def renew_chunks(engine: Engine, job_id: int, owner: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(JobChunk)
            .where(JobChunk.job_id == job_id, JobChunk.owner == owner, JobChunk.done.is_(False))  # type: ignore[attr-defined]
            .values(heartbeat_at=utcnow())
        )


class ChunkHeartbeat:
    """A helper's heartbeat: it holds no job lease, only the chunk it works on."""

    def __init__(self, engine: Engine, job_id: int, owner: str) -> None:
        self.engine, self.job_id, self.owner = engine, job_id, owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-part", daemon=True)

    def __enter__(self) -> ChunkHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(lease.lease_seconds() / 4):
            try:
                renew_chunks(self.engine, self.job_id, self.owner)
            except Exception:  # noqa: BLE001 - a database hiccup: the next beat tries again
                continue
