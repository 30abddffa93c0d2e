"""ジョブ管理 (SPEC J3): a page of jobs, newest first, as display values."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.jobs.catalog import kind_label, report_text
from ecweb_core.models import Job, JobExport, Operator
from ecweb_core.models.common import fmt_jst

JOB_STATUSES: dict[str, str] = {"registered": "登録済", "running": "実行中", "done": "完了", "failed": "失敗"}


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
    has_export: bool = False  # CSV / PDF export jobs: the exported file is kept (beside the result CSV)
    export_label: str = "出力CSV"  # the link's text: 出力CSV, 出力PDF
    report: str = ""  # what the job wants the operator to know beyond the counts (e.g. replaced characters)


def count_jobs(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Job)).scalar_one())


def list_jobs(session: Session, page: int, page_size: int) -> list[JobRow]:
    rows = session.execute(
        select(Job, Operator.name, JobExport.report)
        .join(Operator, Operator.id == Job.operator_id)
        .outerjoin(JobExport, JobExport.job_id == Job.id)
        .order_by(Job.id.desc())
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    ).all()
    return [
        JobRow(
            id=j.id,
            kind=kind_label(j.kind),
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
            has_export=bool(j.export_path and j.result_path),
            export_label="出力PDF" if (j.export_path or "").endswith(".pdf") else "出力CSV",
            report=report_text(j.kind, json.loads(report)) if report else "",
        )
        for j, name, report in rows
    ]
