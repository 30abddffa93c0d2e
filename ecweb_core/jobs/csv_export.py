"""CSV一括出力 (SPEC B2) and アンケート結果CSV一括出力 (SPEC B7) as job operations.

Each chunk appends its rows to `export.csv.part` in the job's folder. The committed length of that
file lives in `job_exports.bytes_written`, updated in the chunk's transaction: a chunk first cuts the
file back to that length, so a chunk redone after a crash or a failed commit never duplicates rows.
`finish` (called by the runner once every target has an outcome) renames the file complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core import events
from ecweb_core.csvexport.encoding import ENCODINGS, CharReport
from ecweb_core.csvexport.export import header_bytes, render_chunk
from ecweb_core.csvexport.formats import FormatError, FormatSpec, get_format, spec_of
from ecweb_core.jobs.files import job_dir
from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.models import Job, JobExport, JobTarget, Order, ShopSettings
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.selection import Selection
from ecweb_core.sqlutil import in_ids

PART, FINAL = "export.csv.part", "export.csv"
SURVEY_DISABLED = (
    "アンケート結果CSV一括出力は、外部連携サービスアカウント管理で1d-colorとの連携を有効にすると利用できます。"
)
NEEDS_PERSONALIZED = "検索条件に「パーソナライズ」を指定してから実行してください。"


class CsvExport(BaseOperation):
    """purpose "order": CSV一括出力 with 出荷リスト出力用; "survey": アンケート結果CSV一括出力, only with the
    1d-color integration and a search that includes パーソナライズ."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose

    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        raw_id = str(form.get("format_id") or "").strip()
        if not raw_id.isdigit():
            errors["format_id"] = "CSVフォーマットを選択してください。"
        encoding = str(form.get("encoding") or "")
        if encoding not in ENCODINGS:
            errors["encoding"] = "出力する文字コードを選択してください。"
        if errors:
            raise ParamError(errors)
        shipping = self.purpose == "order" and str(form.get("shipping_list", "")).lower() in ("1", "true", "on")
        return {"format_id": int(raw_id), "encoding": encoding, "shipping_list": shipping}

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        """At registration, with the database: the format is snapshotted into the job's params."""
        if self.purpose == "survey":
            settings = session.get(ShopSettings, 1)
            if settings is None or not settings.survey_integration_enabled:
                raise ParamError({"integration": SURVEY_DISABLED})
            if not selection.filter.personalized:
                raise ParamError({"selection": NEEDS_PERSONALIZED})
        try:
            fmt = get_format(session, params["format_id"])
        except FormatError as e:
            raise ParamError({"format_id": e.errors["format"]}) from e
        if fmt.purpose != self.purpose:
            raise ParamError({"format_id": "このフォーマットはこの出力には使えません。"})
        return {**params, **spec_of(fmt).to_params()}

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        spec, encoding = FormatSpec.from_params(ctx.params), ctx.params["encoding"]
        state = _state(conn, ctx.job_id)  # locks the job's file state on PostgreSQL
        # A second delivery of the same job that waited on that lock must not append these orders again.
        done = _already_done(conn, ctx.job_id, order_ids)
        chunk = render_chunk(conn, spec, encoding, [i for i in order_ids if i not in done])
        head = header_bytes(spec, encoding) if state["bytes"] == 0 else b""
        written = _append(ctx.job_id, state["bytes"], head + chunk.data)
        report = CharReport()
        report.merge(state["report"])  # earlier chunks first: they hold each character's first order
        report.merge(chunk.report.chars)
        conn.execute(
            update(JobExport)
            .where(JobExport.job_id == ctx.job_id)
            .values(
                bytes_written=written,
                rows_written=JobExport.rows_written + chunk.rows,
                report=json.dumps(report.chars, ensure_ascii=False),
            )
        )
        if ctx.params.get("shipping_list") and chunk.exported:
            mark_shipping_list(conn, ctx, chunk.exported)
        return {**{i: ("ok", None) for i in done}, **chunk.outcomes}

    def finish(self, conn: Connection, ctx: JobContext) -> None:
        """Every target has its outcome: cut the file to its committed length and publish it."""
        state = _state(conn, ctx.job_id)
        folder = job_dir(ctx.job_id)
        part, final = folder / PART, folder / FINAL
        if state["bytes"] == 0:  # no chunk wrote anything (every order vanished): a header-only file
            spec = FormatSpec.from_params(ctx.params)
            state["bytes"] = _append(ctx.job_id, 0, header_bytes(spec, ctx.params["encoding"]))
        if part.exists():
            with part.open("r+b") as fh:
                fh.truncate(state["bytes"])
            os.replace(part, final)
        conn.execute(update(Job).where(Job.id == ctx.job_id).values(export_path=str(final)))


def _state(conn: Connection, job_id: int) -> dict[str, Any]:
    je = JobExport.__table__.c
    q = select(je.bytes_written, je.report).where(je.job_id == job_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()  # two deliveries of one job never append at once
    row = conn.execute(q).first()
    if row is None:
        conn.execute(insert(JobExport).values(job_id=job_id, bytes_written=0, rows_written=0, report="{}"))
        return {"bytes": 0, "report": {}}
    return {"bytes": int(row[0]), "report": json.loads(row[1] or "{}")}


def _already_done(conn: Connection, job_id: int, order_ids: list[int]) -> set[int]:
    """The chunk's orders another delivery recorded meanwhile. A primary-key range scan of the chunk's
    span: `outcome IS NOT NULL` on the pending index would walk every recorded target (O(N) a chunk)."""
    if not order_ids:
        return set()
    t = JobTarget.__table__.c
    span = t.order_id.between(min(order_ids), max(order_ids))
    q = select(t.order_id).where(t.job_id == job_id, span, t.outcome.is_not(None))
    wanted = set(order_ids)
    return {oid for oid in conn.execute(q).scalars().all() if oid in wanted}


def _append(job_id: int, committed: int, data: bytes) -> int:
    """Cuts the part file back to what is committed, appends, syncs; returns the new length."""
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    path: Path = folder / PART
    with path.open("r+b" if path.exists() else "w+b") as fh:
        fh.truncate(committed)
        fh.seek(committed)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
        return committed + len(data)


def mark_shipping_list(conn: Connection, ctx: JobContext, ids: list[int]) -> None:
    """「出荷リスト出力用」: 出力済 + the export time, and the event (as 一括更新 writes it) for the
    orders that become 出力済 now, in the chunk's transaction."""
    o, now = Order.__table__.c, utcnow()
    in_chunk = in_ids(conn, o.id, ids)
    batch = events.EventBatch(events.job_source(ctx.job_id), ctx.operator_id, now)
    batch.add(events.SHIPPING_LIST_EXPORTED, "出力済", and_(in_chunk, o.shipping_list_exported.is_(False))).write(conn)
    conn.execute(
        update(Order.__table__)
        .where(in_chunk)
        .values(shipping_list_exported=True, shipping_list_exported_at=now, updated_at=now)
    )
