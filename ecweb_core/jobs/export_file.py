"""The file an export job produces (CSV一括出力, アンケート結果CSV一括出力, PDF一括出力).

A byte stream (CSV): each chunk appends its bytes to `<file name>.part` in the job's folder. The committed length lives
in `job_exports.bytes_written`, updated in the chunk's transaction: a chunk first cuts the file back
to that length, so a chunk redone after a crash or a failed commit never duplicates its bytes. When
every target has an outcome, `publish` (from the operation's finish hook) cuts the file to its
committed length and renames it complete; ジョブ管理 links it, and jobs/downloads.py serves it with
its own media type and file name to logged-in operators only (ecweb/api.py).

A paged file (PDF) cannot be appended to byte-wise: each chunk commits a whole part file,
`<file name>.part00001` …, and `job_exports.parts_written` (same transaction) says how many are
committed; a chunk redone after a crash writes its part again under the same number, so a part it
had written before the crash is replaced, never added. `publish_parts` hands the committed parts to
the export's merge (streaming, in the order the export chooses) and renames the result complete.

Memory stays flat: a chunk's bytes are written and dropped, never the whole file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ecweb_core.jobs.files import job_dir
from ecweb_core.models import Job, JobExport

EXPORTS = JobExport.__table__


@dataclass(frozen=True)
class ExportSpec:
    file_name: str  # e.g. export.csv, export.pdf
    media_type: str  # e.g. "text/csv; charset=Shift_JIS", "application/pdf"


@dataclass
class ExportState:
    """What the committed chunks wrote, read (and locked) at the start of a chunk."""

    job_id: int
    file_name: str
    committed: int
    rows: int
    report: dict[str, Any] = field(default_factory=dict)
    parts: int = 0  # committed part files of a paged export

    @property
    def empty(self) -> bool:
        return self.committed == 0


def lock(conn: Connection, job_id: int, spec: ExportSpec) -> ExportState:
    """The export's committed state, created with the first chunk. On PostgreSQL the row stays
    locked until the chunk commits: two deliveries of one job never append at once (SQLite has one
    writer anyway)."""
    e = EXPORTS.c
    q = select(e.file_name, e.bytes_written, e.rows_written, e.report, e.parts_written).where(e.job_id == job_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is None:
        conn.execute(
            insert(EXPORTS).values(
                job_id=job_id, file_name=spec.file_name, media_type=spec.media_type, bytes_written=0,
                rows_written=0, report="{}",
            )
        )  # fmt: skip
        return ExportState(job_id, spec.file_name, 0, 0)
    return ExportState(
        job_id, row.file_name, int(row.bytes_written), int(row.rows_written), json.loads(row.report),
        int(row.parts_written),
    )  # fmt: skip


def append(conn: Connection, state: ExportState, data: bytes, rows: int, report: dict[str, Any] | None = None) -> None:
    """Cuts the part file back to what is committed, appends `data`, syncs it, and records the new
    length in the chunk's transaction (a rollback leaves the bytes to be cut off by the next chunk)."""
    folder = job_dir(state.job_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{state.file_name}.part"
    with path.open("r+b" if path.exists() else "w+b") as fh:
        fh.truncate(state.committed)
        fh.seek(state.committed)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    state.committed += len(data)
    state.rows += rows
    if report is not None:
        state.report = report
    _record(conn, state)


def _record(conn: Connection, state: ExportState) -> None:
    conn.execute(
        update(EXPORTS)
        .where(EXPORTS.c.job_id == state.job_id)
        .values(
            bytes_written=state.committed,
            rows_written=state.rows,
            report=json.dumps(state.report, ensure_ascii=False),
            parts_written=state.parts,
        )
    )


def part_path(state: ExportState, number: int) -> Path:
    return job_dir(state.job_id) / f"{state.file_name}.part{number:05d}"


def append_part(
    conn: Connection, state: ExportState, data: bytes, rows: int, report: dict[str, Any] | None = None
) -> int:
    """Writes `data` as the next part file (replacing a leftover of a crashed chunk under that number),
    syncs it, and records it as committed in the chunk's transaction. Returns the part's number."""
    number = state.parts + 1
    path = part_path(state, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    state.parts = number
    state.committed += len(data)
    state.rows += rows
    if report is not None:
        state.report = report
    _record(conn, state)
    return number


def publish(conn: Connection, state: ExportState) -> Path:
    """Every target has its outcome: the file, cut to its committed length, becomes the job's export."""
    folder = job_dir(state.job_id)
    part, final = folder / f"{state.file_name}.part", folder / state.file_name
    if part.exists():
        with part.open("r+b") as fh:
            fh.truncate(state.committed)
        os.replace(part, final)
    conn.execute(update(Job).where(Job.id == state.job_id).values(export_path=str(final)))
    return final


Merge = Callable[[list[Path], BinaryIO], None]


def publish_parts(conn: Connection, state: ExportState, merge: Merge) -> Path:
    """Every target has its outcome: `merge` writes the committed parts (1 … parts) into the final
    file, which is synced and renamed complete, then the parts go. A complete final file is only
    ever made from the committed parts, so when a retried finish finds one, it is published as is."""
    folder = job_dir(state.job_id)
    folder.mkdir(parents=True, exist_ok=True)
    final, tmp = folder / state.file_name, folder / f"{state.file_name}.tmp"
    if not final.exists():
        with tmp.open("wb") as fh:
            merge([part_path(state, n) for n in range(1, state.parts + 1)], fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    for leftover in folder.glob(f"{state.file_name}.part*"):
        leftover.unlink(missing_ok=True)
    conn.execute(update(Job).where(Job.id == state.job_id).values(export_path=str(final)))
    return final
