"""CSV一括出力 (SPEC B2) and アンケート結果CSV一括出力 (SPEC B7) as job operations.

Each chunk's rows are rendered by the database (csvexport/export.py) and appended to the job's
export file (jobs/export_file.py: committed length, crash cut-back, publish on finish)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core import events
from ecweb_core.csvexport.encoding import ENCODINGS, CharReport, describe
from ecweb_core.csvexport.export import header_bytes, render_chunk
from ecweb_core.csvexport.formats import FormatError, FormatSpec, get_format, spec_of
from ecweb_core.jobs import export_file
from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.jobs.targets import already_recorded
from ecweb_core.models import Order, ShopSettings
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.selection import Selection
from ecweb_core.sqlutil import in_ids

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
        state = export_file.lock(conn, ctx.job_id, _file(encoding))
        # A second delivery of the same job that waited on that lock must not append these orders again.
        done = already_recorded(conn, ctx.job_id, order_ids)
        chunk = render_chunk(conn, spec, encoding, [i for i in order_ids if i not in done])
        head = header_bytes(spec, encoding) if state.empty else b""
        report = CharReport()
        report.merge(state.report)  # earlier chunks first: they hold each character's first order
        report.merge(chunk.report.chars)
        export_file.append(conn, state, head + chunk.data, chunk.rows, report.chars)
        if ctx.params.get("shipping_list") and chunk.exported:
            mark_shipping_list(conn, ctx, chunk.exported)
        return {**{i: ("ok", None) for i in done}, **chunk.outcomes}

    def finish(self, conn: Connection, ctx: JobContext) -> None:
        """Every target has its outcome: publish the file (a header-only one when no order was left)."""
        encoding = ctx.params["encoding"]
        state = export_file.lock(conn, ctx.job_id, _file(encoding))
        if state.empty:
            export_file.append(conn, state, header_bytes(FormatSpec.from_params(ctx.params), encoding), 0)
        export_file.publish(conn, state)

    def describe_report(self, report: dict[str, Any]) -> str:
        return describe(report)


def _file(encoding: str) -> export_file.ExportSpec:
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    return export_file.ExportSpec("export.csv", f"text/csv; charset={charset}")


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
