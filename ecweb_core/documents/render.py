"""Rendering order documents with xhtml2pdf, the same code for the dialog's preview, the save check of
受注帳票管理 and the PDF一括出力 job.

- The IPAex Gothic font is registered with ReportLab once per process and embedded (subset) in every
  PDF; nothing else is: ReportLab's table cells and canvases default to Helvetica, a font never
  embedded, so those defaults point at IPAex too.
- The layout (layout.html + layout.css) is compiled once per process; the operator's texts (備考,
  宛名, 但し書き) go through the mail templates' sandbox (mail/render.py, compiled once per source).
- Every value printed passes a guard: a character the font cannot draw (𠮷, emoji) becomes 〓 and
  is counted per order, for the job's report (as CSV一括出力 reports what Shift_JIS lacks).
- A batch of orders is one xhtml2pdf document with one small table per block (its tables grow
  quadratically with rows): the pages of each order are found by the one outline entry its title
  makes. When the batch fails, each order is rendered alone: the broken one fails with its
  reason, the others are rendered.
- Nothing is fetched while rendering: the logo is a data: URI and the policy denies every read.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup, escape
from pypdf import PdfReader
from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ecweb_core.documents.data import OrderDoc
from ecweb_core.documents.invoice import FiguresError, invoice_figures, stamp_duty
from ecweb_core.documents.spec import DocSpec
from ecweb_core.mail.render import MailTemplateError
from ecweb_core.mail.render import render as render_text

log = logging.getLogger(__name__)

FONT_ENV = "ECWEB_PDF_FONT"
DEFAULT_FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")  # Debian fonts-ipaexfont
FAMILY = "ecweb-gothic"
GETA = "〓"  # 下駄記号: what Japanese typesetting prints for a character it does not have
# Variation selectors and joiners modify the character before them: dropped (the base is printed).
DROPPED = {0x200D, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)}
HERE = Path(__file__).resolve().parent


class DocumentError(ValueError):
    """One order's document cannot be made; the message (Japanese) goes to its outcome or the form."""


def font_path() -> Path:
    return Path(os.environ.get(FONT_ENV) or DEFAULT_FONT)


@lru_cache(maxsize=1)
def font() -> TTFont:
    """IPAex Gothic, registered once per process under FAMILY for every weight and style (IPAex has no
    bold face), and made ReportLab's default so that no Helvetica reference lands in a PDF."""
    from reportlab.platypus import tables
    from xhtml2pdf import default as x_default

    path = font_path()
    if not path.is_file():
        raise DocumentError(f"帳票用のフォント({path})が見つかりません。fonts-ipaexfont をインストールしてください。")
    f = TTFont(FAMILY, str(path))
    pdfmetrics.registerFont(f)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FAMILY, bold, italic, FAMILY)
    x_default.DEFAULT_FONT[FAMILY] = FAMILY  # a CSS font-family xhtml2pdf resolves without @font-face
    rl_config.canvas_basefontname = FAMILY
    tables.CellStyle.fontname = FAMILY
    return f


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    return frozenset(font().face.charToGlyph)


# ---- the guard on every printed value --------------------------------------------------------------

_collect = threading.local()  # {char: [replacement, count]} of the order being rendered


def _guard(value: Any) -> Any:
    if not isinstance(value, str) or value.isascii():
        return value
    known = _cmap()
    if all(ord(ch) in known or ch.isspace() for ch in value):
        return value
    hits: dict[str, list[Any]] = getattr(_collect, "hits", {})
    out = []
    for ch in value:
        if ord(ch) in known or ch.isspace():
            out.append(ch)
            continue
        to = "" if ord(ch) in DROPPED else GETA
        entry = hits.setdefault(ch, [to, 0])
        entry[1] += 1
        out.append(to)
    text = "".join(out)
    return Markup(text) if isinstance(value, Markup) else text


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` the font cannot draw (for the template form's own check)."""
    known = _cmap()
    return {ch for ch in text if ord(ch) not in known and not ch.isspace()}


def _nl2br(value: Any) -> Markup:
    return Markup("<br/>").join(escape(line) for line in str(value).splitlines())


@lru_cache(maxsize=1)
def _layout() -> tuple[Template, str]:
    env = Environment(autoescape=True, undefined=StrictUndefined, finalize=_guard)
    env.filters["nl2br"] = _nl2br
    html = (HERE / "layout.html").read_text(encoding="utf-8")
    css = (HERE / "layout.css").read_text(encoding="utf-8")
    return env.from_string(html), css


# ---- one order's page(s) --------------------------------------------------------------------------


def _jp_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def logo_uri(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _shop(spec: DocSpec, default_name: str) -> SimpleNamespace:
    return SimpleNamespace(
        name=spec.shop_name or default_name, postal_code=spec.shop_postal_code, address=spec.shop_address,
        phone=spec.shop_phone, registration_number=spec.registration_number,
    )  # fmt: skip


def document_html(doc: OrderDoc, spec: DocSpec, issue_date: date, logo: str | None, shop_name: str) -> str:
    """The HTML of one order's document; raises DocumentError with the reason it cannot be made."""
    try:
        figures = invoice_figures(
            [(i.amount, i.rate) for i in doc.items], doc.subtotal, doc.shipping_fee, doc.payment_fee,
            doc.points_used, doc.total,
        )  # fmt: skip
    except FiguresError as exc:
        raise DocumentError(str(exc)) from exc
    shop = _shop(spec, shop_name)
    ctx = {**doc.placeholders, "shop": SimpleNamespace(name=shop.name)}
    try:
        remarks = render_text(spec.remarks, ctx, "備考").strip() if "remarks" in spec.fields else ""
        receipt = spec.kind == "receipt"
        addressee = render_text(spec.receipt_addressee, ctx, "宛名").strip() if receipt else ""
        note = render_text(spec.receipt_note, ctx, "但し書き").strip() if receipt else ""
    except MailTemplateError as exc:
        raise DocumentError(str(exc)) from exc
    issue_no = doc.prior_issues + 1
    page, _ = _layout()
    d = SimpleNamespace(
        title=spec.title, kind=spec.kind, fields=spec.fields, order=doc, shop=shop, logo=logo,
        issue_date=_jp_date(issue_date), ordered_on=_jp_date(doc.ordered_on), shipped_on=_jp_date(doc.shipped_on),
        figures=figures, has_reduced=any(i.rate != 10 for i in doc.items), remarks=remarks,
        addressee=addressee or doc.customer_name, receipt_note=note or "お品代として",
        stamp=stamp_duty(figures.net_total, doc.payment_code), reissue=receipt and doc.prior_issues > 0,
        issue_no=issue_no, first_issued=_jp_date(doc.first_issued),
    )  # fmt: skip
    return page.render(d=d)


# ---- a batch of orders into one PDF ---------------------------------------------------------------


@dataclass
class Rendered:
    """A batch: its PDF (None when no order could be rendered), where each order's pages are in it,
    the orders that failed and why, and per order the characters the font lacked."""

    pdf: bytes | None
    pages: dict[int, tuple[int, int]] = field(default_factory=dict)  # order id -> (first page, count)
    failed: dict[int, str] = field(default_factory=dict)
    chars: dict[int, dict[str, list[Any]]] = field(default_factory=dict)  # order id -> {char: [to, n]}


def _html_document(bodies: list[str]) -> str:
    _, css = _layout()
    body = "<pdf:nextpage />".join(bodies)
    return f"<html><head><meta charset='utf-8'/><style>{css}</style></head><body>{body}</body></html>"


def _pdf(bodies: list[str]) -> bytes:
    """One xhtml2pdf document of `bodies` (one order each)."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    font()
    out = io.BytesIO()
    nothing_to_fetch = ResourceAccessPolicy(allow_remote=False, base_dir=None)
    status = pisa.CreatePDF(_html_document(bodies), dest=out, encoding="utf-8", resource_policy=nothing_to_fetch)
    if status.err:
        raise DocumentError(f"PDFを作成できませんでした(xhtml2pdf: {status.err}件のエラー)。")
    return out.getvalue()


def _first_pages(pdf: bytes) -> tuple[list[int], int]:
    """The first page of each order (its title's outline entry), and the page count."""
    reader = PdfReader(io.BytesIO(pdf))
    firsts = []
    for entry in reader.outline:
        if not isinstance(entry, list):
            firsts.append(reader.get_destination_page_number(entry))
    return firsts, len(reader.pages)


def render_documents(
    docs: list[OrderDoc], spec: DocSpec, issue_date: date, logo: str | None, shop_name: str
) -> Rendered:
    """The documents of `docs`, in that order, as one PDF."""
    bodies: list[tuple[int, str]] = []
    out = Rendered(pdf=None)
    for doc in docs:
        _collect.hits = {}
        try:
            bodies.append((doc.order_id, document_html(doc, spec, issue_date, logo, shop_name)))
        except DocumentError as exc:
            out.failed[doc.order_id] = str(exc)
        except Exception as exc:  # noqa: BLE001 - the layout on odd data: this order fails, not the batch
            log.exception("document of order %s", doc.order_id)
            out.failed[doc.order_id] = f"帳票を作成できませんでした: {exc}"
        else:
            if _collect.hits:
                out.chars[doc.order_id] = _collect.hits
        finally:
            _collect.hits = {}
    if not bodies:
        return out
    try:
        pdf = _pdf([b for _, b in bodies])
        firsts, count = _first_pages(pdf)
        if len(firsts) != len(bodies):
            raise DocumentError("受注ごとのページを特定できませんでした。")
    except Exception:  # noqa: BLE001 - find the order that breaks the batch: each alone
        log.warning("a batch of %d documents failed; rendering them one by one", len(bodies), exc_info=True)
        good = []
        for oid, body in bodies:
            try:
                _pdf([body])
                good.append((oid, body))
            except Exception as exc:  # noqa: BLE001 - reported per order
                out.failed[oid] = f"PDFを作成できませんでした: {exc}"
                out.chars.pop(oid, None)
        if not good:
            return out
        bodies = good
        pdf = _pdf([b for _, b in bodies])
        firsts, count = _first_pages(pdf)
    out.pdf = pdf
    for n, (oid, _) in enumerate(bodies):
        end = firsts[n + 1] if n + 1 < len(firsts) else count
        out.pages[oid] = (firsts[n], end - firsts[n])
    return out
