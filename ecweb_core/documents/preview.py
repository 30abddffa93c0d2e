"""The PDF一括出力 dialog's preview: the first selected order's document (in the grid's order),
rendered by the job's own code before anything is registered, shown as an image of its first page
(Poppler's pdftoppm)."""

from __future__ import annotations

import base64
import subprocess
from dataclasses import dataclass

from sqlmodel import Session

from ecweb_core.documents.data import load_docs
from ecweb_core.documents.render import render_documents
from ecweb_core.documents.templates import check_spec, get_spec, logo_data_uri
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.pdf_export import GLYPH_HEADLINE, first_selected, parse_issue_date
from ecweb_core.mail.context import shop_name
from ecweb_core.selection import Selection

PREVIEW_DPI = 70


@dataclass
class PdfPreview:
    order_number: str = ""
    pages: int = 0
    image: str = ""  # data:image/png;base64,… of the first page
    note: str = ""  # 再発行, characters replaced
    error: str = ""


def page_png(pdf: bytes, page: int = 1, dpi: int = PREVIEW_DPI) -> bytes:
    """One page of a PDF as PNG (pdftoppm reads the PDF from stdin and writes the PNG to stdout)."""
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
        input=pdf, capture_output=True, timeout=30, check=True,
    )  # fmt: skip
    return done.stdout


def preview_first(
    session: Session, selection: Selection, template_id: str, issue_date: str, sort: str, descending: bool
) -> PdfPreview:
    if not template_id.isdigit():
        return PdfPreview(error="帳票の種類を選択してください。")
    try:
        day = parse_issue_date(issue_date)
    except ParamError as e:
        return PdfPreview(error=next(iter(e.errors.values())))
    spec = get_spec(session, int(template_id))
    if spec is None:
        return PdfPreview(error="選択した帳票が見つかりません。")
    first = first_selected(session, selection, sort, descending)
    if first is None:
        return PdfPreview(error="処理対象の受注を選択してください。")
    shop, logo = shop_name(session), logo_data_uri(session, spec.logo_sha)
    if errors := check_spec(spec, shop, logo):
        return PdfPreview(error=f"帳票「{spec.name}」: " + " ".join(errors.values()))
    docs = load_docs(session.connection(), [first], spec.kind, with_memos="memo" in spec.fields)
    doc = docs.get(first)
    if doc is None:
        return PdfPreview(error="受注が見つかりません。")
    rendered = render_documents([doc], spec, day, logo, shop)
    if rendered.pdf is None:
        return PdfPreview(order_number=doc.number, error=rendered.failed.get(first, "帳票を作成できませんでした。"))
    notes = []
    if spec.kind == "receipt" and doc.prior_issues:
        notes.append(f"この受注の領収書は発行済みのため「再発行」と印字されます({doc.prior_issues + 1}回目)。")
    if chars := rendered.chars.get(first):
        notes.append(f"{GLYPH_HEADLINE}: " + "、".join(f"「{ch}」×{n}" for ch, (_, n) in chars.items()))
    try:
        png = page_png(rendered.pdf)
    except (OSError, subprocess.SubprocessError) as exc:
        return PdfPreview(order_number=doc.number, error=f"プレビュー画像を作成できませんでした: {exc}")
    return PdfPreview(
        order_number=doc.number,
        pages=rendered.pages[first][1],
        image="data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        note=" ".join(notes),
    )
