"""ジョブ管理 (SPEC J3): a page of jobs, newest first, as display values."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.jobs.catalog import CATALOG, kind_label, report_text
from ecweb_core.jobs.describe import describe_params
from ecweb_core.models import Job, JobExport, JobTarget, Operator, Order
from ecweb_core.models.common import fmt_jst, jst_midnight
from ecweb_core.outcomes import OUTCOME_LABELS, UNPROCESSED

JOB_STATUSES: dict[str, str] = {
    "registered": "登録済",
    "running": "実行中",
    "done": "完了",
    "failed": "失敗",
    "cancelled": "中止",
}
STOPPING = "中止待ち"  # 中止 asked, the chunk in progress still running


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
    params_text: str = ""  # what it was asked to do, in words (describe.py)
    progress_text: str = ""  # 「1,202 / 1,202」, formatted as the grid formats counts
    counts_text: str = ""  # 「成功 1,200 / 失敗 2 / スキップ 0」
    operator_id: int = 0
    can_stop: bool = False
    can_rerun: bool = False  # finished, with failed or 未処理 orders
    rerun_of: int = 0  # the job this one re-runs (0: none)
    reruns: list[int] = field(default_factory=list)  # the jobs that re-ran this one


@dataclass(frozen=True)
class JobQuery:
    """ジョブ管理's filters: 処理名, status, operator and registration date (JST days)."""

    kind: str = ""
    status: str = ""
    operator_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    job_id: int | None = None  # one job (the note's link)


def parse_job_query(form: dict[str, Any]) -> JobQuery:
    errors: dict[str, str] = {}
    kind = str(form.get("kind") or "")
    if kind and kind not in CATALOG:
        errors["kind"] = "処理名は選択肢から選んでください。"
    status = str(form.get("status") or "")
    if status and status not in JOB_STATUSES:
        errors["status"] = "ステータスは選択肢から選んでください。"
    raw_op = str(form.get("operator_id") or "").strip()
    if raw_op and not raw_op.isdigit():
        errors["operator_id"] = "登録者は選択肢から選んでください。"
    days: dict[str, date | None] = {}
    for key, label in (("created_from", "登録日(開始)"), ("created_to", "登録日(終了)")):
        raw = str(form.get(key) or "").strip().replace("/", "-")
        try:
            days[key] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[key] = f"{label}は「2026-01-31」の形式で入力してください。"
            days[key] = None
    if days["created_from"] and days["created_to"] and days["created_from"] > days["created_to"]:
        errors["created_to"] = "登録日の終了日は開始日以降の日付を指定してください。"
    if errors:
        raise FormError(errors)
    return JobQuery(kind, status, int(raw_op) if raw_op else None, days["created_from"], days["created_to"])


def _where(q: JobQuery) -> list[Any]:
    where: list[Any] = []
    if q.job_id is not None:
        where.append(Job.id == q.job_id)
    if q.kind:
        where.append(Job.kind == q.kind)
    if q.status:
        where.append(Job.status == q.status)
    if q.operator_id is not None:
        where.append(Job.operator_id == q.operator_id)
    if q.created_from:
        where.append(Job.created_at >= jst_midnight(q.created_from))
    if q.created_to:
        where.append(Job.created_at < jst_midnight(q.created_to + timedelta(days=1)))
    return where


def kind_options() -> list[list[str]]:
    return [[k.key, k.label] for k in CATALOG.values()]


def operator_options(session: Session) -> list[list[str]]:
    """The operators who registered a job, as [id, name]."""
    rows = session.execute(
        select(Operator.id, Operator.name).where(Operator.id.in_(select(Job.operator_id))).order_by(Operator.id)  # type: ignore[union-attr]
    )
    return [[str(i), n] for i, n in rows]


def page_of(session: Session, q: JobQuery, job_id: int, page_size: int) -> int:
    """The page (newest first) on which a job's row is shown."""
    newer = session.execute(select(func.count()).select_from(Job).where(*_where(q), Job.id > job_id)).scalar_one()
    return int(newer) // page_size + 1


def count_jobs(session: Session, q: JobQuery = JobQuery()) -> int:
    return int(session.execute(select(func.count()).select_from(Job).where(*_where(q))).scalar_one())


def list_jobs(
    session: Session, page: int, page_size: int, q: JobQuery = JobQuery(), operator_id: int = 0
) -> list[JobRow]:
    """A page of jobs; `operator_id` is the viewer (中止 is offered on their own running jobs)."""
    rows = session.execute(
        select(Job, Operator.name, JobExport.report)
        .join(Operator, Operator.id == Job.operator_id)
        .outerjoin(JobExport, JobExport.job_id == Job.id)
        .where(*_where(q))
        .order_by(Job.id.desc())
        .limit(page_size)
        .offset((max(page, 1) - 1) * page_size)
    ).all()
    ids = [j.id for j, _, _ in rows]
    reruns: dict[int, list[int]] = {}
    if ids:
        for new_id, old_id in session.execute(
            select(Job.id, Job.rerun_of).where(Job.rerun_of.in_(ids)).order_by(Job.id)  # type: ignore[union-attr]
        ):
            reruns.setdefault(int(old_id), []).append(int(new_id))
    conn = session.connection()
    return [
        JobRow(
            id=j.id,
            kind=kind_label(j.kind),
            operator=name,
            created_at=fmt_jst(j.created_at),
            started_at=fmt_jst(j.started_at),
            finished_at=fmt_jst(j.finished_at),
            status=j.status,
            status_label=STOPPING
            if j.stop_requested_at and j.status in ("registered", "running")
            else JOB_STATUSES.get(j.status, j.status),
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
            params_text=describe_params(conn, j.kind, json.loads(j.params or "{}")),
            progress_text=f"{j.done_count:,} / {j.total:,}",
            counts_text=f"成功 {j.succeeded:,} / 失敗 {j.failed:,} / スキップ {j.skipped:,}",
            operator_id=j.operator_id,
            can_stop=j.status in ("registered", "running") and j.operator_id == operator_id and not j.stop_requested_at,
            can_rerun=j.status in ("done", "failed", "cancelled") and (j.failed > 0 or j.done_count < j.total),
            rerun_of=j.rerun_of or 0,
            reruns=reruns.get(int(j.id or 0), []),
        )
        for j, name, report in rows
    ]


@dataclass
class TargetRow:
    order_id: int
    number: str  # "" when the order no longer exists
    outcome: str  # 失敗 | スキップ | 未処理
    message: str


def problem_targets(session: Session, job_id: int, limit: int = 200) -> tuple[list[TargetRow], int]:
    """A job's failed, skipped and 未処理 orders with their reasons (the first `limit`), and how many."""
    t, o = JobTarget.__table__.c, Order.__table__.c
    not_ok = or_(t.outcome.is_(None), t.outcome != "ok")
    total = session.execute(select(func.count()).where(t.job_id == job_id, not_ok)).scalar_one()
    rows = session.execute(
        select(t.order_id, o.number, t.outcome, t.message)
        .select_from(JobTarget.__table__.outerjoin(Order.__table__, o.id == t.order_id))
        .where(t.job_id == job_id, not_ok)
        .order_by(t.order_id)
        .limit(limit)
    ).all()
    return [
        TargetRow(r.order_id, r.number or "", OUTCOME_LABELS.get(r.outcome or "", UNPROCESSED), r.message or "")
        for r in rows
    ], int(total)
