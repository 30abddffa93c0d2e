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
from typing import Any, cast

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.jobs.catalog import done_message, failed_message, job_kind
from ecweb_core.jobs.files import expire_job_files, write_result_csv
from ecweb_core.jobs.operations import ExternalOperation, JobContext, Operation
from ecweb_core.models import Job, JobTarget
from ecweb_core.models.common import utcnow
from ecweb_core.notes import job_note
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids

log = logging.getLogger(__name__)
Notify = Callable[[dict[str, Any]], None]
PROGRESS_EVERY_S = 0.5


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
    try:
        _run(engine, ctx, op, ids)
        return
    except Exception:
        log.exception("job %s: chunk of %d failed, retrying order by order", ctx.job_id, len(ids))
    # One order must not stop the others: isolate the failure, one transaction per order.
    for order_id in ids:
        try:
            _run(engine, ctx, op, [order_id])
        except Exception as exc:  # noqa: BLE001 - reported per order in the result file
            log.exception("job %s: order %s failed", ctx.job_id, order_id)
            with engine.begin() as conn:
                _record(conn, ctx.job_id, {order_id: ("failed", order_failure(exc))})


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
) -> RunSummary:
    """Runs (or resumes) a job to its end. `max_chunks` stops early, for tests of resuming."""
    job = _load(engine, job_id)
    with engine.begin() as conn:
        if job.status in ("done", "failed"):
            return _summary(conn, job_id)  # a duplicate delivery of a finished job does nothing
        conn.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status="running",
                started_at=case((Job.started_at.is_(None), utcnow()), else_=Job.started_at),  # type: ignore[union-attr]
                attempts=Job.attempts + 1,
            )
        )
    kind = job_kind(job.kind)
    op = kind.operation
    chunk_size = min(chunk_size, kind.chunk_limit or chunk_size)
    ctx = JobContext(
        job_id=job_id, operator_id=job.operator_id, params=json.loads(job.params or "{}"), created_at=job.created_at
    )
    notify(job_note("started", job_id, job.operator_id, job.kind, done=job.done_count, total=job.total))
    last_note, chunks, after = 0.0, 0, 0
    while True:
        with engine.connect() as conn:
            ids = _pending(conn, job_id, chunk_size, after)
        if not ids:
            break
        _process_chunk(engine, ctx, op, ids)
        after = ids[-1]
        chunks += 1
        if pause_s:
            time.sleep(pause_s)
        if time.monotonic() - last_note >= PROGRESS_EVERY_S:
            last_note = time.monotonic()
            with engine.connect() as conn:
                done = conn.execute(select(Job.done_count).where(Job.id == job_id)).scalar_one()
            notify(job_note("progress", job_id, job.operator_id, job.kind, done=done, total=job.total))
        if max_chunks is not None and chunks >= max_chunks:
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


def mark_failed(engine: Engine, job_id: int, error: str, notify: Notify = lambda note: None) -> None:
    """The job could not run to its end (retries exhausted): what was recorded stays recorded."""
    job = _load(engine, job_id)
    if job.status == "done":
        return
    with engine.begin() as conn:
        path = write_result_csv(conn, job_id)
        conn.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="failed", finished_at=utcnow(), error=error[:2000], result_path=str(path))
        )
    notify(job_note("failed", job_id, job.operator_id, job.kind, failed_message(job.kind)))


def pending_count(conn: Connection, job_id: int) -> int:
    t = JobTarget.__table__.c
    return int(conn.execute(select(func.count()).where(t.job_id == job_id, t.outcome.is_(None))).scalar_one())
