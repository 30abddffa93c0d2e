"""受注帳票管理 → PDF一括出力 (preview, bad input refused, job) → ジョブ管理 download → 受注詳細's
帳票発行履歴, in a real browser; the downloaded PDF is checked with pypdf and a page is rendered to PNG
(pdftoppm) for a person to look at."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.models import Order
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/pdf-helper")


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def _logo(path: Path) -> Path:
    img = Image.new("RGB", (240, 60), (255, 255, 255))
    for x in range(240):
        for y in range(60):
            if (x // 20 + y // 20) % 2 == 0:
                img.putpixel((x, y), (30, 90, 170))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def _make_receipt_copy(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/settings/order-documents")
    rows = page.locator("[data-testid=document-row]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("納品書")
    page.screenshot(path=str(SHOTS / "documents-list.png"))
    rows.filter(has_text="領収書").get_by_role("button", name="コピー").click()
    expect(page.locator("#doc-name")).to_have_value("領収書のコピー")
    page.fill("#doc-name", "E2E 領収書")
    page.fill("#doc-title", "領収証")
    page.fill("#doc-registration_number", "T1234")
    page.click("#doc-field-items")  # unticks 商品明細: an インボイス needs it
    page.click("#save-document")
    errors = page.locator("#document-errors")
    expect(errors).to_contain_text("登録番号は「T」に続けて13桁の数字で入力してください")
    expect(errors).to_contain_text("「商品明細」")
    page.click("#doc-field-items")
    page.fill("#doc-registration_number", "T7123456789012")
    page.fill("#doc-receipt_note", "{{ order.nope }}")
    page.click("#save-document")
    expect(errors).to_contain_text("但し書き: 不明な差し込み項目があります")
    page.fill("#doc-receipt_note", "化粧品代として")
    page.locator("#logo-upload input[type=file]").set_input_files(str(_logo(SHOTS / "logo.png")))
    expect(page.locator("#doc-logo-image")).to_be_visible()
    page.screenshot(path=str(SHOTS / "document-editor.png"))
    page.click("#save-document")
    expect(page.locator("#document-message")).to_have_text("帳票「E2E 領収書」を保存しました。")
    expect(rows).to_have_count(4)
    page.screenshot(path=str(SHOTS / "documents-saved.png"))


def test_preview_run_and_download_a_pdf(browser: Browser, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, app.url)
    page.wait_for_url("**/orders")
    _make_receipt_copy(page, app)

    page.goto(f"{app.url}/orders")
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    page.click("#sort-total")  # 合計金額 ▼: the PDF follows the grid's order
    expect(page.locator("#sort-total")).to_contain_text("▼")
    picked = (1, 3, 4)
    numbers = [rows.nth(i).locator("a").inner_text() for i in picked]
    for i in picked:
        rows.nth(i).locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_contain_text("3件")
    page.click("#open-pdf_export")
    _pick(page, "#pdf-template", "E2E 領収書(領収書)")
    expect(page.locator("#pdf-preview-image")).to_be_visible()
    expect(page.locator("#pdf-preview")).to_contain_text(f"最初の受注 {numbers[0]}")
    page.screenshot(path=str(SHOTS / "pdf-dialog.png"))

    date = page.locator("#pdf-issue-date")
    date.fill("")
    page.click("#submit-pdf_export")
    expect(page.locator("#job-errors")).to_have_text("発行日を入力してください。")
    date.fill("2026-02-30")
    page.click("#submit-pdf_export")
    expect(page.locator("#job-errors")).to_have_text("発行日は「2026-01-31」の形式で入力してください。")
    date.fill("2026-11-05")
    page.click("#pdf-refresh")
    expect(page.locator("#pdf-preview-image")).to_be_visible()
    page.click("#submit-pdf_export")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 PDF一括出力 を登録しました。")).to_have_count(1)
    expect(notes.filter(has_text="受注 PDF一括出力 を完了しました。")).to_have_count(1, timeout=60000)

    page.goto(f"{app.url}/jobs")
    job = page.locator("[data-testid=job-row]").first
    expect(job).to_contain_text("PDF一括出力")
    expect(job.locator("[data-testid=job-status]")).to_have_text("完了")
    expect(job.locator("[data-testid=job-export]")).to_have_text("出力PDF")
    page.screenshot(path=str(SHOTS / "pdf-jobs.png"))
    with page.expect_download() as download:
        job.locator("[data-testid=job-export]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    path = Path(download.value.path())
    pdf = PdfReader(path)
    assert len(pdf.pages) == 3
    texts = [p.extract_text() for p in pdf.pages]
    for number, text in zip(numbers, texts, strict=True):  # the grid's order
        assert number in text and "領収証" in text and "化粧品代として" in text
        assert "登録番号: T7123456789012" in text and "発行日: 2026年11月5日" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "IPAexGothic" in fonts and "Helvetica" not in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes yes " in line, line  # embedded, subset, with its Unicode map
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(SHOTS / "pdf-page-1")], check=True)  # fmt: skip

    # 受注詳細 shows the issue in its 帳票発行履歴.
    with Session(app.engine) as s:
        order_id = s.execute(select(Order.id).where(Order.number == numbers[0])).scalar_one()
    page.goto(f"{app.url}/orders/{order_id}")
    page.click("#tab-history")  # 受注詳細's 履歴 tab holds 帳票発行履歴
    history = page.locator("[data-testid=documents]")
    expect(history).to_contain_text("領収書")
    expect(history).to_contain_text("E2E 領収書")
    expect(history).to_contain_text("初回")
    page.screenshot(path=str(SHOTS / "order-detail-documents.png"), full_page=True)
    context.close()
