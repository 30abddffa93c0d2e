"""Runs a registered job in chunks (SPEC J4, J5, X3).

Each chunk is one transaction holding the operation's set-based change *and* the outcome of
every order in it. A worker killed at any point therefore leaves each order either done and
recorded, or untouched and pending: running the job again skips what is recorded.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.jobs import lease, parallel
from ecweb_core.jobs.catalog import cancelled_message, done_message, failed_message, job_kind
from ecweb_core.jobs.files import expire_job_files, write_result_csv
from ecweb_core.jobs.operations import ExternalOperation, JobContext, Operation
from ecweb_core.models import Job, JobChunk, JobTarget
from ecweb_core.models.common import utcnow
from ecweb_core.notes import job_note
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids

log = logging.getLogger(__name__)
Notify = Callable[[dict[str, Any]], None]
# Asks (job id, n) other runners to share a job's chunks: the worker sends n messages.
SendParts = Callable[[int, int], None]
PROGRESS_EVERY_S = 0.5
FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class RunSummary:
    status: str
    total: int
    succeeded: int
    failed: int
    skipped: int


def _summary(conn: Connection, job_id: int) -> RunSummary:
    row = conn.execute(
        select(Job.status, Job.total, Job.succeeded, Job.failed, Job.skipped).where(Job.id == job_id)
    ).one()
    return RunSummary(*row)


def _load(engine: Engine, job_id: int) -> Job:
    with Session(engine, expire_on_commit=False) as s:
        job = s.get(Job, job_id)
    if job is None:
        raise LookupError(f"job {job_id} does not exist")
    return job


def _pending(conn: Connection, job_id: int, limit: int, after: int = 0) -> list[int]:
    """The next chunk: the first pending targets above `after`, the last id of the previous chunk.

    Every target up to that id got its outcome with its chunk, so seeking past it is exact; it
    spares PostgreSQL walking the dead index entries of every target already done (MVCC keeps them
    until vacuum), which made each chunk slower than the one before."""
    t = JobTarget.__table__.c
    q = (
        select(t.order_id)
        .where(t.job_id == job_id, t.outcome.is_(None), t.order_id > after)
        .order_by(t.order_id)
        .limit(limit)
    )
    return list(conn.execute(q).scalars().all())


def _record(conn: Connection, job_id: int, outcomes: dict[int, Outcome]) -> None:
    """Writes the outcomes grouped by (outcome, message): one UPDATE per group, not per order.

    A chunk is the first pending ids in order, so every pending target between its lowest and
    highest id belongs to it: the largest group (usually the whole chunk, all ok) is written last
    by that id range, which walks the primary key instead of joining a list of ids.

    The job's counters grow by the rows each UPDATE actually recorded: a second delivery of the same
    chunk (which waited on the first one's row locks) finds them recorded and counts nothing."""
    groups: dict[Outcome, list[int]] = defaultdict(list)
    for order_id, outcome in outcomes.items():
        groups[outcome].append(order_id)
    now = utcnow()
    t = JobTarget.__table__.c
    ordered = sorted(groups.items(), key=lambda g: len(g[1]))
    added = {"ok": 0, "failed": 0, "skipped": 0}
    for n, ((outcome, message), ids) in enumerate(ordered):
        in_group = (
            t.order_id.between(min(outcomes), max(outcomes)) if n == len(ordered) - 1 else in_ids(conn, t.order_id, ids)
        )
        recorded = conn.execute(
            update(JobTarget)
            .where(t.job_id == job_id, in_group, t.outcome.is_(None))
            .values(outcome=outcome, message=(message or None) and message[:500], processed_at=now)
        )
        added[outcome] += max(recorded.rowcount, 0)
    conn.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            done_count=Job.done_count + sum(added.values()),
            succeeded=Job.succeeded + added["ok"],
            failed=Job.failed + added["failed"],
            skipped=Job.skipped + added["skipped"],
        )
    )


def _process_chunk(engine: Engine, ctx: JobContext, op: Operation, ids: list[int]) -> None:
    """One chunk; when it fails, its halves, and so on: a poison order costs about 2·log2(chunk)
    transactions to find instead of one per order of its chunk, and the others keep their
    set-based change (one bad order made a 100k 一括更新 9× slower when every order of its chunk
    was retried alone)."""
    try:
        _run(engine, ctx, op, ids)
        return
    except Exception as exc:  # noqa: BLE001 - isolated below; one order must not stop the others
        if len(ids) == 1:
            log.exception("job %s: order %s failed", ctx.job_id, ids[0])
            with engine.begin() as conn:
                _record(conn, ctx.job_id, {ids[0]: ("failed", order_failure(exc))})
            return
        log.warning("job %s: chunk of %d failed (%s), splitting it", ctx.job_id, len(ids), type(exc).__name__)
    half = len(ids) // 2
    _process_chunk(engine, ctx, op, ids[:half])
    _process_chunk(engine, ctx, op, ids[half:])


def order_failure(exc: Exception) -> str:
    """The result CSV's reason: Japanese, never the SQL or its parameters (those go to the log)."""
    if isinstance(exc, FormError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, DBAPIError):
        return "データベースの処理でエラーが発生しました。時間をおいて再度お試しください。"
    return "処理中に予期しないエラーが発生しました。"


def _run(engine: Engine, ctx: JobContext, op: Operation, ids: list[int]) -> None:
    """One chunk (or one order of it): the outside calls first, with no transaction open, then the
    change and every outcome in one transaction."""
    if op.calls_outside:
        ctx = ctx.with_effects(cast(ExternalOperation, op).call_outside(engine, ctx, ids))
    with engine.begin() as conn:
        outcomes = op.process(conn, ctx, ids)
        # _record writes the largest group by id range: every order of the chunk needs its outcome.
        for order_id in set(ids) - outcomes.keys():
            outcomes[order_id] = ("failed", "処理結果が記録されませんでした。")
        _record(conn, ctx.job_id, outcomes)


def run_job(
    engine: Engine,
    job_id: int,
    notify: Notify = lambda note: None,
    chunk_size: int = 1000,
    max_chunks: int | None = None,
    pause_s: float = 0.0,
    send_parts: SendParts | None = None,
    parts: int = 0,
) -> RunSummary:
    """Runs (or resumes) a job to its end. `max_chunks` stops early, for tests of resuming.

    The runner holds the job's lease while it works (lease.py): a delivery that finds it held by a
    live runner, or finished, does nothing. With `parts` > 0 and a parallel kind, `send_parts` asks
    that many other runners to share its chunks (parallel.py)."""
    job = _load(engine, job_id)
    owner = lease.new_owner()
    if job.status in FINISHED or not lease.acquire(engine, job_id, owner):
        with engine.connect() as conn:
            return _summary(conn, job_id)
    shared = send_parts is not None and parts > 0 and job_kind(job.kind).parallel
    also = (lambda: parallel.renew_chunks(engine, job_id, owner)) if shared else None
    try:
        with lease.Heartbeat(engine, job_id, owner, also) as beat:
            return _run_held(
                engine, job, notify, chunk_size, max_chunks, pause_s, beat, send_parts if shared else None, parts
            )
    finally:
        lease.release(engine, job_id, owner)


def _context(job: Job) -> JobContext:
    return JobContext(
        job_id=int(job.id or 0), operator_id=job.operator_id, params=json.loads(job.params or "{}"),
        created_at=job.created_at,
    )  # fmt: skip


def _run_held(
    engine: Engine,
    job: Job,
    notify: Notify,
    chunk_size: int,
    max_chunks: int | None,
    pause_s: float,
    beat: lease.Heartbeat,
    send_parts: SendParts | None,
    parts: int,
) -> RunSummary:
    job_id = int(job.id or 0)
    with engine.begin() as conn:
        started = conn.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("registered", "running")))  # type: ignore[attr-defined]
            .values(
                status="running",
                started_at=case((Job.started_at.is_(None), utcnow()), else_=Job.started_at),  # type: ignore[union-attr]
                attempts=Job.attempts + 1,
            )
        )
        if started.rowcount == 0:  # 中止 before it started (request_stop ended it)
            return _summary(conn, job_id)
    kind = job_kind(job.kind)
    op = kind.operation
    chunk_size = min(chunk_size, kind.chunk_limit or chunk_size)
    ctx = _context(job)
    notify(job_note("started", job_id, job.operator_id, job.kind, done=job.done_count, total=job.total))
    if send_parts is not None:
        parallel.plan(engine, job_id, chunk_size)
        send_parts(job_id, parts)
    last_note, chunks, after = 0.0, 0, 0
    while True:
        with engine.connect() as conn:
            stop = _stop_requested(conn, job_id)
        if stop:
            while send_parts is not None and _busy_chunks(engine, job_id, beat.owner):
                time.sleep(0.2)  # a helper's chunk in progress finishes (helpers claim no more)
            return _cancel(engine, job, ctx, op, notify)
        if send_parts is None:
            with engine.connect() as conn:
                ids = _pending(conn, job_id, chunk_size, after)
            if not ids:
                break
            _process_chunk(engine, ctx, op, ids)
            after = ids[-1]
        else:
            claimed = parallel.claim(engine, job_id, beat.owner)
            if claimed is None:
                if not parallel.open_chunks(engine, job_id):
                    break
                time.sleep(0.2)  # the last chunks are in other runners' hands (or go stale and come back)
            else:
                no, ids = claimed
                if ids:
                    _process_chunk(engine, ctx, op, ids)
                parallel.mark_done(engine, job_id, no, beat.owner)
        chunks += 1
        if pause_s:
            time.sleep(pause_s)
        if time.monotonic() - last_note >= PROGRESS_EVERY_S:
            last_note = time.monotonic()
            with engine.connect() as conn:
                done = conn.execute(select(Job.done_count).where(Job.id == job_id)).scalar_one()
            notify(job_note("progress", job_id, job.operator_id, job.kind, done=done, total=job.total))
        if (max_chunks is not None and chunks >= max_chunks) or beat.lost.is_set():
            # Stopped early (a test), or the lease went to another runner, which does the rest.
            with engine.connect() as conn:
                return _summary(conn, job_id)
    with engine.begin() as conn:
        op.finish(conn, ctx)
        path = write_result_csv(conn, job_id)
        conn.execute(
            update(Job).where(Job.id == job_id).values(status="done", finished_at=utcnow(), result_path=str(path))
        )
        summary = _summary(conn, job_id)
    notify(
        job_note(
            "done", job_id, job.operator_id, job.kind, done_message(job.kind),
            done=summary.total, total=summary.total, succeeded=summary.succeeded, failed=summary.failed,
        )
    )  # fmt: skip
    expire_job_files(engine)
    return summary


def run_part(engine: Engine, job_id: int, pause_s: float = 0.0) -> int:
    """A helper of a shared job: claims and runs chunks until none is left; returns how many it ran.
    The coordinator finishes the job; a helper that dies leaves a chunk that goes stale and returns."""
    job = _load(engine, job_id)
    if job.status != "running":
        return 0
    op, ctx, owner, ran = job_kind(job.kind).operation, _context(job), lease.new_owner(), 0
    with parallel.ChunkHeartbeat(engine, job_id, owner):
        while not _stop_asked(engine, job_id) and (claimed := parallel.claim(engine, job_id, owner)) is not None:
            no, ids = claimed
            if ids:
                _process_chunk(engine, ctx, op, ids)
            parallel.mark_done(engine, job_id, no, owner)
            ran += 1
            if pause_s:
                time.sleep(pause_s)
    return ran


def _stop_requested(conn: Connection, job_id: int) -> bool:
    return conn.execute(select(Job.stop_requested_at).where(Job.id == job_id)).scalar_one() is not None


def _stop_asked(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        return _stop_requested(conn, job_id)


def _busy_chunks(engine: Engine, job_id: int, owner: str) -> int:
    """Chunks of a shared job another live runner is working on now."""
    c = JobChunk.__table__.c
    fresh = utcnow() - timedelta(seconds=lease.lease_seconds())
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    c.job_id == job_id, c.done.is_(False), c.owner.is_not(None), c.owner != owner,
                    c.heartbeat_at >= fresh,
                )
            ).scalar_one()
        )  # fmt: skip


def _cancel(engine: Engine, job: Job, ctx: JobContext, op: Operation, notify: Notify) -> RunSummary:
    """中止 between chunks: what is done stays done (an export publishes the part written so far), the
    orders never reached keep no outcome and the result CSV lists them as 未処理."""
    job_id = int(job.id or 0)
    with engine.begin() as conn:
        op.finish(conn, ctx)
        end_cancelled(conn, job_id)
        summary = _summary(conn, job_id)
    notify(
        job_note(
            "cancelled", job_id, job.operator_id, job.kind, cancelled_message(job.kind),
            done=summary.succeeded + summary.failed + summary.skipped, total=summary.total,
        )
    )  # fmt: skip
    return summary


def end_cancelled(conn: Connection, job_id: int) -> None:
    path = write_result_csv(conn, job_id)
    conn.execute(
        update(Job).where(Job.id == job_id).values(status="cancelled", finished_at=utcnow(), result_path=str(path))
    )


def mark_failed(engine: Engine, job_id: int, error: str, notify: Notify = lambda note: None) -> None:
    """The job could not run to its end (retries exhausted): what was recorded stays recorded."""
    job = _load(engine, job_id)
    if job.status in ("done", "cancelled"):
        return
    with engine.begin() as conn:
        path = write_result_csv(conn, job_id)
        conn.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="failed", finished_at=utcnow(), error=error[:2000], result_path=str(path))
        )
    notify(job_note("failed", job_id, job.operator_id, job.kind, failed_message(job.kind), total=job.total))


def pending_count(conn: Connection, job_id: int) -> int:
    t = JobTarget.__table__.c
    return int(conn.execute(select(func.count()).where(t.job_id == job_id, t.outcome.is_(None))).scalar_one())
