"""The catalog of job kinds: kind → 処理名, operation and how its messages run.

The one place a bulk operation is listed. Registration, the runner, the worker's actor, ジョブ管理 and
the UI's registry (ecweb/components/bulk_actions.py) all read it; a test fails when a kind lacks a
dialog or a dialog lacks a kind. The operation modules import only jobs.operations, never this
module, so there is no import circle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecweb_core.jobs.bulk_update import BulkUpdate
from ecweb_core.jobs.csv_export import CsvExport
from ecweb_core.jobs.dunning import Dunning
from ecweb_core.jobs.mail import MailNotify
from ecweb_core.jobs.operations import Operation, ParamError
from ecweb_core.jobs.payment import PaymentStatusChange
from ecweb_core.jobs.pdf_export import PdfExport

JOBS_QUEUE = "jobs"
# One Dramatiq actor runs every kind (workers/actors.py); the app sends to it by name.
JOB_ACTOR = "run_job"
# Called by Dramatiq's Retries middleware once a job's message has used up its retries.
JOB_EXHAUSTED_ACTOR = "job_retries_exhausted"
# Runs chunks of a job another worker coordinates (jobs/parallel.py), for the parallel kinds.
JOB_PART_ACTOR = "run_job_part"
HOURS = 60 * 60 * 1000


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str  # 処理名, as the System Notification and ジョブ管理 show it (SPEC J2)
    operation: Operation
    queue: str = JOBS_QUEUE
    # A job keeps its progress per chunk, so a retry resumes where the failed attempt stopped.
    max_retries: int = 5
    min_backoff_ms: int = 1000
    max_backoff_ms: int = 30_000
    # A bulk job may legitimately run for hours (1,000,000 orders); Dramatiq's default is 10 minutes.
    time_limit_ms: int = 6 * HOURS
    # Orders per chunk at most, for a kind whose orders are slow (a PDF page takes ~30 ms): progress,
    # a crash's redone work and the chunk's transaction stay small whatever ECWEB_JOB_CHUNK_SIZE says.
    chunk_limit: int | None = None
    # Its chunks may run on several workers at once: the kind writes no ordered file (CSV / PDF keep
    # the grid's order by being written by one runner) and its orders are independent of each other.
    parallel: bool = True

    def part_message(self, job_id: int) -> dict[str, Any]:
        """A helper's message: no retries (a helper that fails leaves a chunk that goes stale and is
        claimed again by the coordinator), the kind's time limit."""
        return {
            "queue_name": self.queue,
            "actor_name": JOB_PART_ACTOR,
            "args": (job_id,),
            "kwargs": {},
            "options": {"max_retries": 0, "time_limit": self.time_limit_ms},
        }

    def message_options(self) -> dict[str, Any]:
        """The Dramatiq options of this kind's messages (Retries and TimeLimit read them per message)."""
        return {
            "max_retries": self.max_retries,
            "min_backoff": self.min_backoff_ms,
            "max_backoff": self.max_backoff_ms,
            "time_limit": self.time_limit_ms,
            "on_retry_exhausted": JOB_EXHAUSTED_ACTOR,
        }


CATALOG: dict[str, JobKind] = {
    k.key: k
    for k in (
        JobKind("bulk_update", "一括更新", BulkUpdate()),
        JobKind("csv_export", "CSV一括出力", CsvExport(purpose="order"), parallel=False),
        JobKind("pdf_export", "PDF一括出力", PdfExport(), chunk_limit=50, parallel=False),
        JobKind("dunning", "一括督促", Dunning()),
        # Mails go out one by one: a chunk takes longer, and an SMTP server down is worth a longer wait.
        JobKind("mail", "メール一括通知", MailNotify(), min_backoff_ms=15_000, max_backoff_ms=10 * 60 * 1000),
        # A provider down is worth waiting for; the ledger makes every retry call nothing twice.
        JobKind(
            "payment", "決済状況一括変更", PaymentStatusChange(), min_backoff_ms=5_000, max_backoff_ms=5 * 60 * 1000
        ),
        JobKind("survey_csv", "アンケート結果CSV一括出力", CsvExport(purpose="survey"), parallel=False),
    )
}
UNKNOWN_KIND = "処理の種類が正しくありません。"


def job_kind(key: str) -> JobKind:
    """The kind of a job; an unknown key is bad input (a client can send any string)."""
    try:
        return CATALOG[key]
    except KeyError:
        raise ParamError({"kind": UNKNOWN_KIND}) from None


def kind_label(key: str) -> str:
    """処理名 of a kind (a job of a kind that no longer exists shows its key)."""
    kind = CATALOG.get(key)
    return kind.label if kind else key


def report_text(key: str, report: dict[str, Any]) -> str:
    """What ジョブ管理 says of an export's report (characters replaced …), in the kind's own words."""
    kind = CATALOG.get(key)
    return kind.operation.describe_report(report) if kind and report else ""


def registered_message(key: str) -> str:
    return f"受注 {kind_label(key)} を登録しました。"


def done_message(key: str) -> str:
    return f"受注 {kind_label(key)} を完了しました。"


def failed_message(key: str) -> str:
    return f"受注 {kind_label(key)} に失敗しました。ジョブ管理画面をご確認ください。"


def cancelled_message(key: str) -> str:
    return f"受注 {kind_label(key)} を中止しました。"


def job_message(key: str, job_id: int) -> dict[str, Any]:
    """What the Dramatiq message of a job holds: the app sends it, the worker runs it, and neither
    imports the other (dramatiq.Message(**job_message(...)))."""
    kind = job_kind(key)
    return {
        "queue_name": kind.queue,
        "actor_name": JOB_ACTOR,
        "args": (job_id,),
        "kwargs": {},
        "options": kind.message_options(),
    }


def queues() -> set[str]:
    return {k.queue for k in CATALOG.values()}
