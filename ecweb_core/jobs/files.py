"""Job result files (SPEC J4): one CSV row per order, written to a temp file and renamed when whole."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from ecweb_core.models import Job, JobTarget, Order
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import OUTCOME_LABELS, UNPROCESSED
from ecweb_core.settings import load_settings

RESULT_HEADER = ["受注番号", "結果", "メッセージ"]


def job_dir(job_id: int) -> Path:
    return load_settings().job_files_dir / str(job_id)


def write_result_csv(conn: Connection, job_id: int) -> Path:
    """Streams the outcomes (server-side cursor on PostgreSQL) into result.csv, UTF-8 with BOM for Excel."""
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    final, tmp = folder / "result.csv", folder / "result.csv.tmp"
    t, o = JobTarget.__table__.c, Order.__table__.c
    rows = conn.execute(
        select(t.order_id, o.number, t.outcome, t.message)
        .select_from(JobTarget.__table__.outerjoin(Order.__table__, o.id == t.order_id))
        .where(t.job_id == job_id)
        .order_by(t.order_id)
        .execution_options(stream_results=True, yield_per=5000)
    )
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(RESULT_HEADER)
        for part in rows.partitions():
            writer.writerows(
                [number or f"(ID {order_id})", OUTCOME_LABELS.get(outcome or "", UNPROCESSED), message or ""]
                for order_id, number, outcome, message in part
            )
    os.replace(tmp, final)
    return final


def expire_job_files(engine: Engine) -> int:
    """Deletes the files of jobs finished more than ECWEB_JOB_FILES_DAYS ago; returns how many jobs."""
    cutoff = utcnow() - timedelta(days=load_settings().job_files_days)
    with engine.begin() as conn:
        old = (
            conn.execute(
                select(Job.id).where(Job.finished_at < cutoff, Job.result_path.is_not(None))  # type: ignore[union-attr,operator]
            )
            .scalars()
            .all()
        )
        for job_id in old:
            shutil.rmtree(job_dir(job_id), ignore_errors=True)
        if old:
            conn.execute(update(Job).where(Job.id.in_(old)).values(result_path=None, export_path=None))  # type: ignore[union-attr]
    return len(old)


def export_file(job: Job) -> Path | None:
    """The exported file of a CSV / PDF export job, while it is kept."""
    if not job.export_path or not job.result_path:  # expired with the result file
        return None
    path = Path(job.export_path)
    return path if path.is_file() else None


def result_file(job: Job) -> Path | None:
    if not job.result_path:
        return None
    path = Path(job.result_path)
    return path if path.is_file() else None
