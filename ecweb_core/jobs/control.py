"""中止 and 失敗分を再実行 (issue 18): the operator's hold on a job after registering it.

中止 only asks: the runner checks between chunks, so the chunk in progress finishes with its outcomes,
and the orders never reached are listed 未処理 in the result CSV. A job that no worker has started
yet ends at once. 再実行 registers a new job of the same kind and params on the old one's failed
(and, if asked, 未処理) orders, snapshotted by one INSERT … SELECT, and records which job it re-runs."""

from __future__ import annotations

import json

from sqlalchemy import Integer, func, insert, literal, or_, select, update
from sqlalchemy.engine import Connection

from ecweb_core.errors import FormError
from ecweb_core.jobs.runner import FINISHED, end_cancelled
from ecweb_core.models import Job, JobTarget
from ecweb_core.models.common import utcnow

NOT_FOUND = "ジョブが見つかりません。"
NOT_OWN = "中止できるのは自分が登録したジョブだけです。"
NOT_STOPPABLE = "このジョブは終了しているため中止できません。"
NOT_FINISHED = "再実行できるのは終了したジョブだけです。"
NOTHING_TO_RERUN = "再実行する受注(失敗・未処理)がありません。"


def request_stop(conn: Connection, job_id: int, operator_id: int) -> str:
    """Asks the job to stop; returns its status after the request ("cancelled" when it had not started)."""
    row = conn.execute(select(Job.status, Job.operator_id).where(Job.id == job_id)).first()
    if row is None:
        raise FormError({"job": NOT_FOUND})
    if row.operator_id != operator_id:
        raise FormError({"job": NOT_OWN})
    if row.status in FINISHED:
        raise FormError({"job": NOT_STOPPABLE})
    conn.execute(
        update(Job).where(Job.id == job_id, Job.stop_requested_at.is_(None)).values(stop_requested_at=utcnow())
    )  # type: ignore[union-attr]
    # Not started yet: end it here. The runner starts a job only from registered/running, so a worker
    # picking the message up later finds it cancelled and does nothing.
    ended = conn.execute(update(Job).where(Job.id == job_id, Job.status == "registered").values(status="cancelled"))
    if ended.rowcount:
        end_cancelled(conn, job_id)
        return "cancelled"
    return str(row.status)


def rerun_targets(job_id: int, with_unprocessed: bool) -> object:
    t = JobTarget.__table__.c
    which = or_(t.outcome == "failed", t.outcome.is_(None)) if with_unprocessed else t.outcome == "failed"
    return select(t.order_id).where(t.job_id == job_id, which)


def rerun_counts(conn: Connection, job_id: int) -> tuple[int, int]:
    """(failed, 未処理) orders of a job: what 失敗分を再実行 would take."""
    t = JobTarget.__table__.c
    failed = func.sum(func.cast(t.outcome == "failed", Integer))
    pending = func.sum(func.cast(t.outcome.is_(None), Integer))
    row = conn.execute(select(failed, pending).where(t.job_id == job_id)).one()
    return int(row[0] or 0), int(row[1] or 0)


def rerun_failed(conn: Connection, job_id: int, operator_id: int, with_unprocessed: bool = False) -> tuple[int, str]:
    """Registers the re-run (status 登録済, the caller sends it to a worker); returns (new id, kind)."""
    old = conn.execute(select(Job.kind, Job.params, Job.status).where(Job.id == job_id)).first()
    if old is None:
        raise FormError({"job": NOT_FOUND})
    if old.status not in FINISHED:
        raise FormError({"job": NOT_FINISHED})
    selection = {"rerun_of": job_id, "with_unprocessed": with_unprocessed}
    new_id = conn.execute(
        insert(Job)
        .values(
            kind=old.kind,
            operator_id=operator_id,
            params=old.params,
            selection=json.dumps(selection),
            rerun_of=job_id,
            status="registered",
            total=0,
            done_count=0,
            succeeded=0,
            failed=0,
            skipped=0,
            attempts=0,
            created_at=utcnow(),
        )
        .returning(Job.id)
    ).scalar_one()
    src = rerun_targets(job_id, with_unprocessed).subquery()
    conn.execute(
        insert(JobTarget).from_select(["job_id", "order_id"], select(literal(new_id, Integer), src.c.order_id))
    )
    total = conn.execute(select(func.count()).select_from(JobTarget).where(JobTarget.job_id == new_id)).scalar_one()
    if total == 0:
        raise FormError({"job": NOTHING_TO_RERUN})  # the caller's transaction rolls the new job back
    conn.execute(update(Job).where(Job.id == new_id).values(total=total))
    return int(new_id), str(old.kind)
