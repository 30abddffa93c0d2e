"""ジョブ管理 (SPEC J3): a page of jobs, newest first, as display values."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.jobs.kinds import JOB_KINDS, JOB_STATUSES
from ecweb_core.models import Job, Operator
from ecweb_core.models.common import fmt_jst


@dataclass
class JobRow:
    id: int
    kind: str
    operator: str
    created_at: str
    started_at: str
    finished_at: str
    status: str  # registered | running | done | failed
    status_label: str
    done: int
    total: int
    percent: int
    succeeded: int
    failed: int
    skipped: int
    has_result: bool
    error: str


def count_jobs(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Job)).scalar_one())


def list_jobs(session: Session, page: int, page_size: int) -> list[JobRow]:
    rows = session.execute(
        select(Job, Operator.name)
        .join(Operator, Operator.id == Job.operator_id)
        .order_by(Job.id.desc())
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    ).all()
    return [
        JobRow(
            id=j.id,
            kind=JOB_KINDS.get(j.kind, j.kind),
            operator=name,
            created_at=fmt_jst(j.created_at),
            started_at=fmt_jst(j.started_at),
            finished_at=fmt_jst(j.finished_at),
            status=j.status,
            status_label=JOB_STATUSES.get(j.status, j.status),
            done=j.done_count,
            total=j.total,
            percent=int(100 * j.done_count / j.total) if j.total else 0,
            succeeded=j.succeeded,
            failed=j.failed,
            skipped=j.skipped,
            has_result=bool(j.result_path),
            error=j.error or "",
        )
        for j, name in rows
    ]
