"""A job's targets as a chunk sees them: two deliveries of one job (a redelivered message, a worker
thought dead) may take the same chunk at once; the second must not apply it again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ecweb_core.models import Job, JobTarget


def lock_job(conn: Connection, job_id: int) -> None:
    """Serializes the chunk transactions of one job on PostgreSQL (SQLite has one writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(Job.id).where(Job.id == job_id).with_for_update())


def already_recorded(conn: Connection, job_id: int, order_ids: list[int]) -> set[int]:
    """The chunk's orders another delivery of the job recorded while this one waited. A primary-key
    range scan of the chunk's span (`outcome IS NOT NULL` on the pending index would walk every
    recorded target: O(N) a chunk)."""
    if not order_ids:
        return set()
    t = JobTarget.__table__.c
    span = t.order_id.between(min(order_ids), max(order_ids))
    q = select(t.order_id).where(t.job_id == job_id, span, t.outcome.is_not(None))
    wanted = set(order_ids)
    return {oid for oid in conn.execute(q).scalars().all() if oid in wanted}
