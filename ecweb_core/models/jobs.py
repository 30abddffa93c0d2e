from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, false, text
from sqlmodel import Field, SQLModel

from ecweb_core.models.common import utcnow


class Job(SQLModel, table=True):
    """A bulk operation (SPEC J1): the row is the truth about its status and progress."""

    __tablename__ = "jobs"
    # The sweep's question, the unfinished jobs: a handful among all the finished ones.
    __table_args__ = (
        Index(
            "ix_jobs_unfinished", "status",
            sqlite_where=text("status IN ('registered', 'running')"),
            postgresql_where=text("status IN ('registered', 'running')"),
        ),
    )  # fmt: skip
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # a key of ecweb_core.jobs.kinds.JOB_KINDS
    operator_id: int = Field(foreign_key="operators.id", index=True)
    status: str = Field(default="registered", max_length=16)  # registered | running | done | failed | cancelled
    params: str = "{}"  # the operation's form, as JSON
    selection: str = "{}"  # how the targets were chosen, as JSON (for the record)
    total: int = 0
    done_count: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    attempts: int = 0
    error: str | None = None
    result_path: str | None = Field(default=None, max_length=500)
    export_path: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The lease (ecweb_core.jobs.lease): the runner holding the job, renewed while it runs, and the
    # message that carries it; the sweep re-sends a job whose runner died or whose message was lost.
    lease_owner: str | None = Field(default=None, max_length=64)
    heartbeat_at: datetime | None = None
    message_id: str | None = Field(default=None, max_length=64)
    resent: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # 中止 (issue 18): asked for by the operator; the runner stops after the chunk in progress.
    stop_requested_at: datetime | None = None
    # 失敗分を再実行: the job whose failed (and 未処理) orders this one runs again (no foreign key:
    # a plain ADD COLUMN, where SQLite would recreate the referenced jobs table for one).
    rerun_of: int | None = Field(default=None, index=True)


class JobTarget(SQLModel, table=True):
    """The orders a job was registered for (snapshotted at registration) and each one's outcome.

    `outcome` is written in the same transaction as the order's change, so a resumed job skips
    exactly the orders already done. No foreign key to orders: an order may vanish after the
    snapshot, and the job then reports it instead of failing to start.
    """

    __tablename__ = "job_targets"
    __table_args__ = (Index("ix_job_targets_pending", "job_id", "outcome", "order_id"),)
    job_id: int = Field(foreign_key="jobs.id", primary_key=True)
    order_id: int = Field(primary_key=True)
    outcome: str | None = Field(default=None, max_length=16)  # None (pending) | ok | failed | skipped
    message: str | None = Field(default=None, max_length=500)
    processed_at: datetime | None = None


class JobExport(SQLModel, table=True):
    """The file an export job writes (jobs/export_file.py): each chunk cuts the part file back to
    `bytes_written` before appending, so a chunk redone after a crash never duplicates rows."""

    __tablename__ = "job_exports"
    job_id: int = Field(foreign_key="jobs.id", primary_key=True)
    file_name: str = Field(default="export.csv", max_length=100)  # in the job's folder, once published
    media_type: str = Field(default="text/csv; charset=utf-8", max_length=100)
    bytes_written: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    rows_written: int = 0
    report: str = "{}"  # JSON: what the export wants the operator to know (characters Shift_JIS lacks …)
    # A paged export (PDF) commits whole part files instead of bytes: parts 1..parts_written are
    # committed, a higher-numbered one is a crashed chunk's leftover that the next chunk overwrites.
    parts_written: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class JobExportPage(SQLModel, table=True):
    """Where one order's pages are in a paged export's parts: the final file is merged in the grid's
    order, which is not the order the chunks rendered them in."""

    __tablename__ = "job_export_pages"
    job_id: int = Field(foreign_key="jobs.id", primary_key=True)
    order_id: int = Field(primary_key=True)
    part_no: int  # the part file (export_file.part_path) holding them
    first_page: int  # 0-based, in its part
    pages: int


class JobChunk(SQLModel, table=True):
    """A range of a job's targets that one runner claims at a time, when several workers share a
    big job (ecweb_core.jobs.parallel): planned once, claimed with SKIP LOCKED, done once."""

    __tablename__ = "job_chunks"
    job_id: int = Field(foreign_key="jobs.id", primary_key=True)
    no: int = Field(primary_key=True)
    first_id: int
    last_id: int
    owner: str | None = Field(default=None, max_length=64)
    heartbeat_at: datetime | None = None
    done: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
