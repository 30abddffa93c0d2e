"""PDF一括出力 (SPEC B3): one PDF with each selected order's document (納品書・請求書・領収書 or an
operator's), in the grid's order.

- Registration snapshots the template (documents/spec.py) after the same checks as saving it, so the
  job prints what the operator previewed.
- Each chunk (at most 50 orders: catalog chunk_limit) renders its orders as one PDF part, outside any
  lock, then — in its transaction — commits the part through jobs/export_file.py with where each
  order's pages are (job_export_pages), the issue history (document_issues) and every outcome. A
  chunk redone after a crash writes its part again under the same number: no page twice.
- `finish` merges the parts, streaming, in the grid's order (documents/merge.py), one outline entry
  per order.
- An order that cannot be rendered fails alone with its reason; characters the font lacks are
  replaced by 〓 and reported per order and on ジョブ管理.
"""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from ecweb_core.csvexport.encoding import CharReport, describe
from ecweb_core.documents.data import load_docs
from ecweb_core.documents.merge import StreamingPdfWriter
from ecweb_core.documents.render import GETA, Rendered, render_documents
from ecweb_core.documents.spec import DocSpec
from ecweb_core.documents.templates import check_spec, get_spec, logo_data_uri
from ecweb_core.jobs import export_file
from ecweb_core.jobs.operations import BaseOperation, JobContext, ParamError
from ecweb_core.jobs.targets import already_recorded
from ecweb_core.mail.context import shop_name as default_shop_name
from ecweb_core.models import Customer, DocumentIssue, JobExportPage, Order
from ecweb_core.models.common import utcnow
from ecweb_core.outcomes import Outcome
from ecweb_core.search import SORT_COLUMNS, grid_order_by
from ecweb_core.selection import Selection

PDF_FILE = export_file.ExportSpec("export.pdf", "application/pdf")
GLYPH_HEADLINE = f"PDFのフォントにない文字を「{GETA}」に置き換えました"
PAGES = JobExportPage.__table__
ISSUES = DocumentIssue.__table__


def parse_issue_date(raw: str) -> date:
    """発行日 as the operator types it (2026-01-31 or 2026/01/31); raises ParamError."""
    text = raw.strip().replace("/", "-")
    if not text:
        raise ParamError({"issue_date": "発行日を入力してください。"})
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ParamError({"issue_date": "発行日は「2026-01-31」の形式で入力してください。"}) from None
    if not 2000 <= day.year <= 2100:
        raise ParamError({"issue_date": "発行日の年が正しくありません。"})
    return day


def first_selected(session: Session, selection: Selection, sort: str, descending: bool) -> int | None:
    """The first order of the selection in the grid's order (the one the dialog previews)."""
    o = Order.__table__.c
    q = select(o.id).where(o.id.in_(selection.ids_select())).order_by(*grid_order_by(sort, descending)).limit(1)
    found = session.execute(q).scalar()
    return int(found) if found is not None else None


def order_message(chars: dict[str, list[Any]], reissue_no: int | None) -> str | None:
    """The order's line of the result CSV: what its document needed said."""
    parts = []
    if reissue_no:
        parts.append(f"再発行({reissue_no}回目)")
    if chars:
        parts.append(f"{GLYPH_HEADLINE}: " + "、".join(f"「{ch}」×{n}" for ch, (_, n) in chars.items()))
    return " / ".join(parts) or None


class PdfExport(BaseOperation):
    def parse_params(self, form: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, str] = {}
        raw_id = str(form.get("template_id") or "").strip()
        if not raw_id.isdigit():
            errors["template_id"] = "帳票の種類を選択してください。"
        try:
            issue_date = parse_issue_date(str(form.get("issue_date") or ""))
        except ParamError as e:
            errors.update(e.errors)
        if errors:
            raise ParamError(errors)
        sort = str(form.get("sort") or "ordered_at")
        descending = str(form.get("descending", "true")).lower() in ("1", "true", "on")
        return {
            "template_id": int(raw_id),
            "issue_date": issue_date.isoformat(),
            "sort": sort if sort in SORT_COLUMNS else "ordered_at",
            "descending": descending,
        }

    def prepare(self, session: Session, params: dict[str, Any], selection: Selection) -> dict[str, Any]:
        """The template is checked as saving it checks it, then snapshotted into the job."""
        spec = get_spec(session, params["template_id"])
        if spec is None:
            raise ParamError({"template_id": "選択した帳票が見つかりません。"})
        shop = default_shop_name(session)
        if errors := check_spec(spec, shop, logo_data_uri(session, spec.logo_sha)):
            raise ParamError({k: f"帳票「{spec.name}」: {v}" for k, v in errors.items()})
        return {**params, **spec.to_params(), "shop_name": shop}

    def _render(self, conn: Connection, ctx: JobContext, ids: list[int]) -> tuple[Rendered, dict[int, Any]]:
        spec = DocSpec.from_params(ctx.params)
        docs = load_docs(conn, ids, spec.kind, with_memos="memo" in spec.fields)
        ordered = [docs[i] for i in ids if i in docs]
        rendered = render_documents(
            ordered, spec, date.fromisoformat(ctx.params["issue_date"]), logo_data_uri(conn, spec.logo_sha),
            ctx.params.get("shop_name", ""),
        )  # fmt: skip
        return rendered, docs

    def process(self, conn: Connection, ctx: JobContext, order_ids: list[int]) -> dict[int, Outcome]:
        done = already_recorded(conn, ctx.job_id, order_ids)
        todo = [i for i in order_ids if i not in done]
        # Rendering (~30 ms a page) comes before the first write: on SQLite the chunk holds the write
        # lock only for the short tail below.
        rendered, docs = self._render(conn, ctx, todo)
        state = export_file.lock(conn, ctx.job_id, PDF_FILE)
        # Another delivery of this job may have recorded some of these while this one rendered.
        if late := already_recorded(conn, ctx.job_id, todo) - done:
            done |= late
            todo = [i for i in todo if i not in late]
            rendered, docs = self._render(conn, ctx, todo)
        outcomes: dict[int, Outcome] = {i: ("ok", None) for i in done}
        for oid in todo:
            if oid not in docs:
                outcomes[oid] = ("failed", "受注が見つかりません(削除された可能性があります)。")
        for oid, reason in rendered.failed.items():
            outcomes[oid] = ("failed", reason)
        if rendered.pdf is None:
            return outcomes
        spec = DocSpec.from_params(ctx.params)
        report = CharReport()
        report.merge(state.report)
        for oid, chars in rendered.chars.items():
            for ch, (to, n) in chars.items():
                entry = report.chars.setdefault(ch, [to, 0, docs[oid].number])
                entry[1] = int(entry[1]) + n  # type: ignore[call-overload]
        part = export_file.append_part(conn, state, rendered.pdf, len(rendered.pages), report.chars)
        conn.execute(
            insert(PAGES),
            [
                {"job_id": ctx.job_id, "order_id": oid, "part_no": part, "first_page": first, "pages": count}
                for oid, (first, count) in rendered.pages.items()
            ],
        )
        issue_date, now = date.fromisoformat(ctx.params["issue_date"]), utcnow()
        conn.execute(
            insert(ISSUES),
            [
                {
                    "order_id": oid, "kind": spec.kind, "issue_no": docs[oid].prior_issues + 1,
                    "template_name": spec.name, "issue_date": issue_date, "job_id": ctx.job_id,
                    "operator_id": ctx.operator_id, "created_at": now,
                }
                for oid in rendered.pages
            ],
        )  # fmt: skip
        for oid in rendered.pages:
            reissue = docs[oid].prior_issues + 1 if spec.kind == "receipt" and docs[oid].prior_issues else None
            outcomes[oid] = ("ok", order_message(rendered.chars.get(oid, {}), reissue))
        return outcomes

    def finish(self, conn: Connection, ctx: JobContext) -> None:
        """Every target has its outcome: the parts become one PDF in the grid's order (none when no
        order could be rendered: the result CSV says why)."""
        state = export_file.lock(conn, ctx.job_id, PDF_FILE)
        if state.parts == 0:
            return
        p, o, c = PAGES.c, Order.__table__.c, Customer.__table__.c
        in_grid_order = (
            select(p.part_no, p.first_page, p.pages, p.order_id, o.number, c.name)
            .select_from(
                PAGES.outerjoin(Order.__table__, o.id == p.order_id).outerjoin(
                    Customer.__table__, c.id == o.customer_id
                )
            )
            .where(p.job_id == ctx.job_id, p.part_no <= state.parts)
            .order_by(*grid_order_by(ctx.params.get("sort", "ordered_at"), ctx.params.get("descending", True)))
            .execution_options(yield_per=2000)  # streamed: a server-side cursor on PostgreSQL
        )

        def merge(parts: list[Any], out: BinaryIO) -> None:
            writer = StreamingPdfWriter(out)
            for part, first, count, order_id, number, name in conn.execute(in_grid_order):
                title = f"{number} {name} 様" if number else f"(ID {order_id})"
                writer.add_pages(parts[part - 1], first, count, title)
            writer.close()

        export_file.publish_parts(conn, state, merge)

    def describe_report(self, report: dict[str, Any]) -> str:
        return describe(report, GLYPH_HEADLINE)
