"""PDF一括出力 (SPEC B3) through the real job runner on real databases: the text of the produced PDF
(pypdf) in the grid's order, the embedded IPAex font, the missing-glyph report, an order that fails
alone, 再発行 on the second receipt, a chunk redone after a crash adding no page, and the preview."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.documents.preview import preview_first
from ecweb_core.jobs import export_file
from ecweb_core.jobs.downloads import export_download
from ecweb_core.jobs.files import job_dir
from ecweb_core.jobs.listing import list_jobs
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.pdf_export import PdfExport
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import (
    Customer,
    DocumentIssue,
    DocumentTemplate,
    Job,
    JobExport,
    JobTarget,
    Operator,
    Order,
    OrderItem,
)
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 60, seed=9, now=DEMO_NOW)
    yield empty_engine


def _template(engine: Engine, name: str) -> int:
    with Session(engine) as s:
        return int(s.execute(select(DocumentTemplate.id).where(DocumentTemplate.name == name)).scalar_one())


def _ids(engine: Engine, n: int, offset: int = 0) -> list[int]:
    with Session(engine) as s:
        return list(s.execute(select(Order.id).order_by(Order.id).offset(offset).limit(n)).scalars())


def _rename_customer(engine: Engine, order_id: int, name: str) -> None:
    """The order gets a customer of its own named `name` (a shared one would rename other orders too)."""
    with engine.begin() as conn:
        cid = conn.execute(
            insert(Customer).values(name=name, kana="テスト", postal_code="100-0001", prefecture="東京都",
                                    address="千代田区1-1", created_at=DEMO_NOW).returning(Customer.id)
        ).scalar_one()  # fmt: skip
        conn.execute(update(Order).where(Order.id == order_id).values(customer_id=cid))


def _long_order(engine: Engine, order_id: int, items: int = 70) -> None:
    """An order with many items (more than a page), its totals kept consistent."""
    with engine.begin() as conn:
        product = conn.execute(select(OrderItem.product_id).where(OrderItem.order_id == order_id).limit(1)).scalar()
        conn.execute(
            insert(OrderItem),
            [{"order_id": order_id, "product_id": product, "product_name": f"追加商品 {k:02d}", "unit_price": 100,
              "quantity": 1, "tax_rate": 8} for k in range(items)],
        )  # fmt: skip
        subtotal = conn.execute(
            select(func.sum(OrderItem.unit_price * OrderItem.quantity)).where(OrderItem.order_id == order_id)
        ).scalar_one()
        o = conn.execute(
            select(Order.shipping_fee, Order.payment_fee, Order.points_used).where(Order.id == order_id)
        ).one()
        conn.execute(
            update(Order).where(Order.id == order_id).values(subtotal=subtotal, total=subtotal + o[0] + o[1] - o[2])
        )


def _run(engine: Engine, form: dict[str, Any], ids: list[int], chunk: int = 5) -> tuple[Job, PdfReader]:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "pdf_export", int(op or 0), Selection(ticked=set(ids)), form)
    summary = run_job(engine, int(job.id or 0), chunk_size=chunk)
    assert summary.status == "done"
    with Session(engine) as s:
        job = s.get(Job, job.id)
        download = export_download(s, job)  # type: ignore[arg-type]
    assert download is not None and download.media_type == "application/pdf"
    assert download.file_name == f"PDF一括出力_{job.id}.pdf"  # type: ignore[union-attr]
    return job, PdfReader(download.path)  # type: ignore[return-value]


def _outcomes(engine: Engine, job_id: int) -> dict[int, tuple[str, str | None]]:
    with Session(engine) as s:
        rows = s.execute(
            select(JobTarget.order_id, JobTarget.outcome, JobTarget.message).where(JobTarget.job_id == job_id)
        )
        return {r[0]: (r[1], r[2]) for r in rows}


def _expected(engine: Engine, ids: list[int], sort_column: Any, failed: set[int] = frozenset()) -> list[Any]:  # type: ignore[assignment]
    with Session(engine) as s:
        return s.execute(
            select(Order.id, Order.number, Customer.name, Order.total)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.id.in_([i for i in ids if i not in failed]))
            .order_by(sort_column, Order.id)
        ).all()


def test_each_order_gets_its_pages_in_the_grids_order_with_its_number_name_and_total(engine: Engine) -> None:
    ids = _ids(engine, 12)
    _rename_customer(engine, ids[1], "髙橋 﨑子")
    _rename_customer(engine, ids[2], "𠮷田 花子😀")
    _long_order(engine, ids[3])
    with engine.begin() as conn:  # an order whose stored subtotal contradicts its items
        conn.execute(update(Order).where(Order.id == ids[4]).values(subtotal=Order.subtotal + 1))
    form = {"template_id": str(_template(engine, "請求書")), "issue_date": "2026/11/05", "sort": "total",
            "descending": "false"}  # fmt: skip
    job, pdf = _run(engine, form, ids, chunk=5)

    outcomes = _outcomes(engine, int(job.id or 0))
    assert outcomes[ids[4]][0] == "failed"
    assert (outcomes[ids[4]][1] or "").startswith("小計(")
    assert "受注商品管理で再計算してください。" in (outcomes[ids[4]][1] or "")
    assert {i for i, (o, _) in outcomes.items() if o == "ok"} == set(ids) - {ids[4]}
    assert job.succeeded == 11 and job.failed == 1

    expected = _expected(engine, ids, Order.total, {ids[4]})
    firsts = [pdf.get_destination_page_number(e) for e in pdf.outline]  # one outline entry per order
    assert [e.title for e in pdf.outline] == [f"{number} {name} 様" for _, number, name, _ in expected]
    assert firsts[0] == 0 and firsts == sorted(set(firsts))
    for n, (oid, number, name, total) in enumerate(expected):
        end = firsts[n + 1] if n + 1 < len(firsts) else len(pdf.pages)
        text = "".join(pdf.pages[p].extract_text() for p in range(firsts[n], end))
        assert number in text
        assert f"¥{total:,}" in text
        shown = name.replace("𠮷", "〓").replace("😀", "〓")
        assert f"{shown} 様" in text, (number, text[:300])
        if oid == ids[3]:
            assert end - firsts[n] >= 2  # the long order runs over several pages
            assert "追加商品 69" in text
        else:
            assert end - firsts[n] == 1
    assert "髙橋 﨑子 様" in "".join(p.extract_text() for p in pdf.pages)
    assert "〓田 花子〓 様" in "".join(p.extract_text() for p in pdf.pages)
    # 請求書 carries the インボイス items: 登録番号 and the totals per rate.
    first_text = pdf.pages[0].extract_text()
    assert "登録番号: T7123456789012" in first_text and "税率別内訳" in first_text and "10%対象" in first_text


def test_the_pdf_embeds_ipaex_and_no_other_font(engine: Engine) -> None:
    ids = _ids(engine, 4)
    _, pdf = _run(engine, {"template_id": str(_template(engine, "納品書")), "issue_date": "2026-11-05"}, ids)
    seen = set()
    for page in pdf.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            seen.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            assert font["/Subtype"] == "/TrueType"
    assert seen and all(name.endswith("+IPAexGothic") for name in seen), seen


def test_characters_the_font_lacks_are_replaced_and_reported(engine: Engine) -> None:
    ids = _ids(engine, 6)
    _rename_customer(engine, ids[2], "𠮷野 😀子")
    _rename_customer(engine, ids[4], "𠮷川 一")
    with Session(engine) as s:
        numbers = dict(s.execute(select(Order.id, Order.number).where(Order.id.in_(ids))).all())
    job, pdf = _run(engine, {"template_id": str(_template(engine, "納品書")), "issue_date": "2026-11-05",
                             "sort": "number", "descending": "false"}, ids, chunk=3)  # fmt: skip
    outcomes = _outcomes(engine, int(job.id or 0))
    assert outcomes[ids[2]] == ("ok", "PDFのフォントにない文字を「〓」に置き換えました: 「𠮷」×3、「😀」×3")
    assert outcomes[ids[0]] == ("ok", None)
    with Session(engine) as s:
        report = json.loads(s.execute(select(JobExport.report).where(JobExport.job_id == job.id)).scalar_one())
        row = next(r for r in list_jobs(s, 1, 10) if r.id == job.id)
    # 納品書 prints the name three times (宛名, ご購入者, お届け先): counted per occurrence.
    assert report["𠮷"] == ["〓", 6, numbers[ids[2]]]
    assert report["😀"] == ["〓", 3, numbers[ids[2]]]
    assert row.report.startswith("PDFのフォントにない文字を「〓」に置き換えました: ")
    assert f"「𠮷」(U+20BB7)→「〓」6件(最初: {numbers[ids[2]]})" in row.report
    assert row.has_export and row.export_label == "出力PDF"
    assert "〓野 〓子 様" in pdf.pages[2].extract_text()


def test_a_second_receipt_of_an_order_is_marked_reissued(engine: Engine) -> None:
    ids = _ids(engine, 3, offset=10)
    form = {"template_id": str(_template(engine, "領収書")), "issue_date": "2026-11-05"}
    first_job, first = _run(engine, form, ids)
    assert all("再発行" not in p.extract_text() for p in first.pages)
    assert all(o == ("ok", None) for o in _outcomes(engine, int(first_job.id or 0)).values())
    second_job, second = _run(engine, {**form, "issue_date": "2026-11-20"}, ids[:2])
    assert len(second.pages) == 2
    for page in second.pages:
        text = page.extract_text()
        assert "【再発行】" in text and "再発行(2回目) 初回発行日: 2026年11月5日" in text
        assert "発行日: 2026年11月20日" in text
    assert set(_outcomes(engine, int(second_job.id or 0)).values()) == {("ok", "再発行(2回目)")}
    with Session(engine) as s:
        issues = s.execute(
            select(DocumentIssue.order_id, DocumentIssue.issue_no, DocumentIssue.job_id).order_by(DocumentIssue.id)
        ).all()
    assert [(o, n) for o, n, _ in issues] == [(i, 1) for i in sorted(ids)] + [(i, 2) for i in sorted(ids[:2])]
    # A 納品書 of the same orders is its own kind: a first issue, never 再発行.
    note_job, notes = _run(engine, {**form, "template_id": str(_template(engine, "納品書"))}, ids[:1])
    assert "再発行" not in notes.pages[0].extract_text()


BAD_DATE = "発行日は「2026-01-31」の形式で入力してください。"


class Crash(BaseException):
    """The worker dies: nothing of the chunk commits (not an Exception: the runner does not catch it)."""


def test_a_chunk_redone_after_a_crash_adds_no_page(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(engine, 9, offset=20)
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "pdf_export", int(op or 0), Selection(ticked=set(ids)),
                           {"template_id": str(_template(engine, "領収書")), "issue_date": "2026-11-05"})  # fmt: skip
    job_id = int(job.id or 0)
    run_job(engine, job_id, chunk_size=4, max_chunks=1)  # chunk 1 committed: part 1
    original = PdfExport.process

    def crash_after_writing(self: PdfExport, conn: Any, ctx: Any, order_ids: list[int]) -> Any:
        original(self, conn, ctx, order_ids)  # part 2 is on disk, its transaction not committed
        raise Crash

    monkeypatch.setattr(PdfExport, "process", crash_after_writing)
    with pytest.raises(Crash):
        run_job(engine, job_id, chunk_size=4)
    folder = job_dir(job_id)
    assert (folder / "export.pdf.part00002").exists()
    with Session(engine) as s:
        assert s.execute(select(JobExport.parts_written).where(JobExport.job_id == job_id)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(DocumentIssue)).scalar_one() == 4
    monkeypatch.setattr(PdfExport, "process", original)
    assert run_job(engine, job_id, chunk_size=4).status == "done"
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.succeeded == 9
        issues = s.execute(select(DocumentIssue.order_id, DocumentIssue.issue_no)).all()
    pdf = PdfReader(job.export_path)  # type: ignore[arg-type]
    assert len(pdf.pages) == 9 and len(pdf.outline) == 9
    numbers = [e.title.split()[0] for e in pdf.outline]
    assert len(set(numbers)) == 9
    assert sorted(issues) == sorted((i, 1) for i in ids)  # each receipt issued once: no 再発行 from the crash
    assert all("再発行" not in p.extract_text() for p in pdf.pages)
    assert not list(folder.glob("export.pdf.part*"))  # the parts go once the file is published


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"issue_date": "2026-11-05"}, {"template_id": "帳票の種類を選択してください。"}),
        ({"template_id": "1"}, {"issue_date": "発行日を入力してください。"}),
        ({"template_id": "1", "issue_date": "2026-13-45"}, {"issue_date": BAD_DATE}),
        ({"template_id": "1", "issue_date": "11/05"}, {"issue_date": BAD_DATE}),
        ({"template_id": "999", "issue_date": "2026-11-05"}, {"template_id": "選択した帳票が見つかりません。"}),
    ],
)  # fmt: skip
def test_bad_form_registers_nothing(engine: Engine, form: dict[str, str], errors: dict[str, str]) -> None:
    with Session(engine) as s:
        with pytest.raises(ParamError) as info:
            register_job(s, "pdf_export", 1, Selection(ticked=set(_ids(engine, 2))), form)
        assert info.value.errors == errors
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_an_invoice_without_registration_number_is_refused_at_registration(engine: Engine) -> None:
    tid = _template(engine, "請求書")
    with engine.begin() as conn:
        conn.execute(update(DocumentTemplate).where(DocumentTemplate.id == tid).values(registration_number=""))
    with Session(engine) as s:
        with pytest.raises(ParamError) as info:
            register_job(s, "pdf_export", 1, Selection(ticked=set(_ids(engine, 2))),
                         {"template_id": str(tid), "issue_date": "2026-11-05"})  # fmt: skip
        assert info.value.errors == {
            "registration_number": "帳票「請求書」: 請求書には適格請求書発行事業者の登録番号(T+13桁)を"
            "入力してください。"
        }
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_the_preview_renders_the_first_selected_order_in_the_grids_order(engine: Engine) -> None:
    ids = _ids(engine, 8)
    first = _expected(engine, ids, Order.total.desc())[0]
    tid = str(_template(engine, "領収書"))
    with Session(engine) as s:
        p = preview_first(s, Selection(ticked=set(ids)), tid, "2026-11-05", "total", True)
        assert p.error == "" and p.order_number == first.number and p.pages == 1
        assert base64.b64decode(p.image.removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
        assert preview_first(s, Selection(ticked=set(ids)), tid, "2026-02-30", "total", True).error == (
            "発行日は「2026-01-31」の形式で入力してください。"
        )
        assert preview_first(s, Selection(ticked=set(ids)), "", "2026-11-05", "total", True).error == (
            "帳票の種類を選択してください。"
        )
        assert (
            preview_first(s, Selection(), tid, "2026-11-05", "total", True).error
            == "処理対象の受注を選択してください。"
        )
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(DocumentIssue)).scalar_one() == 0  # a preview issues nothing


def test_the_export_file_helper_keeps_committed_parts_only(engine: Engine, tmp_path: Path) -> None:
    """The generic part API: a part written under a number not committed is replaced, and publish
    merges exactly the committed parts."""
    spec = export_file.ExportSpec("export.bin", "application/octet-stream")
    with Session(engine) as s:
        job = Job(kind="pdf_export", operator_id=1)
        s.add(job)
        s.commit()
        job_id = int(job.id or 0)
    with engine.begin() as conn:
        export_file.append_part(conn, export_file.lock(conn, job_id, spec), b"one", 1)
    try:
        with engine.begin() as conn:
            export_file.append_part(conn, export_file.lock(conn, job_id, spec), b"crashed", 1)
            raise Crash
    except Crash:
        pass
    with engine.begin() as conn:
        state = export_file.lock(conn, job_id, spec)
        assert state.parts == 1
        export_file.append_part(conn, state, b"two", 1)
    with engine.begin() as conn:
        state = export_file.lock(conn, job_id, spec)
        path = export_file.publish_parts(conn, state, lambda parts, out: [out.write(p.read_bytes()) for p in parts])
    assert path.read_bytes() == b"onetwo"
