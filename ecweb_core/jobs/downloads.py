"""The files of a job an operator downloads from ジョブ管理: the result CSV and the exported file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from ecweb_core import audit, permissions
from ecweb_core.jobs.catalog import kind_label
from ecweb_core.jobs.files import export_file, result_file
from ecweb_core.models import Job, JobExport

RESULT_MEDIA_TYPE = "text/csv; charset=utf-8"
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a longer number in a URL is simply not a job


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    file_name: str  # as the browser saves it


def job_for_download(session: Session, operator_id: int, job_id: int) -> Job | None:
    """The job whose file the operator asks for, or None when there is no such job. Raises
    PermissionDenied when the operator may not download customer data or may not see jobs of that kind
    (the same permission as registering it: 一般 does not see 決済状況一括変更's files)."""
    permissions.require(session, operator_id, permissions.DOWNLOAD)
    job = session.get(Job, job_id) if 0 < job_id <= MAX_ID else None
    if job is None:
        return None
    permissions.require(session, operator_id, permissions.job_permission(job.kind))
    return job


def log_download(session: Session, operator_id: int, job: Job, download: Download) -> None:
    audit.downloaded(session, operator_id, int(job.id or 0), download.file_name)
    session.commit()


def result_download(job: Job) -> Download | None:
    path = result_file(job)
    return Download(path, RESULT_MEDIA_TYPE, f"job-{job.id}-result.csv") if path else None


def export_download(session: Session, job: Job) -> Download | None:
    """The exported file (while it is kept: it expires with the result file), in the media type its
    export declared, saved as 処理名_<job id>.<ext>."""
    path = export_file(job)
    if path is None:
        return None
    media_type = session.execute(select(JobExport.media_type).where(JobExport.job_id == job.id)).scalar()
    return Download(path, media_type or "application/octet-stream", f"{kind_label(job.kind)}_{job.id}{path.suffix}")
