"""CSV管理 → CSV一括出力 → ジョブ管理 download, and the 1d-color gated アンケート結果CSV一括出力, in a real browser."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.models import Order
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/csv-helper")


def _pick(page: Page, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def _create_format(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/settings/csv")
    expect(page.locator("[data-testid=format-row]").first).to_be_visible()
    page.click("#new-format")
    page.click("#save-format")  # nothing filled in: refused, in Japanese
    expect(page.locator("#format-errors")).to_contain_text("フォーマット名を入力してください。")
    expect(page.locator("#format-errors")).to_contain_text("出力項目を1つ以上追加してください。")
    page.fill("#format-name", "E2E 出荷用")
    for option in ("受注: 受注番号", "顧客: 氏名", "受注: 合計金額"):
        _pick(page, "#add-column-select", option)
        page.click("#add-column")
    labels = page.locator("[data-testid=column-label]")
    expect(labels).to_have_count(3)
    labels.nth(1).fill("お名前")
    page.screenshot(path=str(SHOTS / "csv-format-editor.png"))
    page.click("#save-format")
    expect(page.locator("#format-message")).to_have_text("「E2E 出荷用」を保存しました。")
    expect(page.locator("[data-testid=format-name]").filter(has_text="E2E 出荷用")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "csv-formats.png"))

    # コピー, then 削除 of the copy (with confirmation), then 編集 of the original: it reopens as saved.
    row = page.locator("[data-testid=format-row]").filter(has_text="E2E 出荷用")
    row.get_by_role("button", name="コピー").click()
    expect(page.locator("#format-message")).to_have_text("「E2E 出荷用 のコピー」を作成しました。")
    page.locator("[data-testid=format-row]").filter(has_text="のコピー").get_by_role("button", name="削除").click()
    page.click("#confirm-delete")
    expect(page.locator("#format-message")).to_have_text("「E2E 出荷用 のコピー」を削除しました。")
    expect(page.locator("[data-testid=format-name]").filter(has_text="のコピー")).to_have_count(0)
    row.get_by_role("button", name="編集").click()
    expect(page.locator("[data-testid=column-label]")).to_have_count(3)
    expect(page.locator("[data-testid=column-label]").nth(1)).to_have_value("お名前")
    page.keyboard.press("Escape")


def test_format_export_and_download(browser: Browser, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, app.url)
    page.wait_for_url("**/orders")
    _create_format(page, app)

    page.goto(f"{app.url}/orders")
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    numbers = [rows.nth(i).locator("a").inner_text() for i in (0, 2, 3)]
    for i in (0, 2, 3):
        rows.nth(i).locator("button[role=checkbox]").click()
    expect(page.locator("#open-survey_csv")).to_have_count(0)  # 1d-color not connected yet
    page.click("#open-csv_export")
    page.click("#submit-csv_export")  # no format chosen
    expect(page.locator("#job-errors")).to_have_text("CSVフォーマットを選択してください。")
    _pick(page, "#csv_export-format", "E2E 出荷用(受注単位)")
    page.click("#shipping-list")
    page.screenshot(path=str(SHOTS / "csv-export-dialog.png"))
    page.click("#submit-csv_export")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 CSV一括出力 を完了しました。")).to_have_count(1)

    page.goto(f"{app.url}/jobs")
    job = page.locator("[data-testid=job-row]").first
    expect(job.locator("[data-testid=job-status]")).to_have_text("完了")
    page.screenshot(path=str(SHOTS / "csv-jobs.png"))
    with page.expect_download() as download:
        job.locator("[data-testid=job-export]").click()
    data = Path(download.value.path()).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # Shift_JIS, the dialog's default
    got = list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    assert got[0] == ["受注番号", "お名前", "合計金額"]
    assert sorted(r[0] for r in got[1:]) == sorted(numbers)
    with Session(app.engine) as s:
        flags = s.execute(select(Order.shipping_list_exported).where(Order.number.in_(numbers))).scalars().all()
    assert flags == [True, True, True]
    context.close()


def test_survey_export_needs_1d_color_and_personalized_search(browser: Browser, app: RunningApp) -> None:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/integrations")
    page.click("#survey-integration")
    expect(page.locator("#integration-message")).to_have_text("1d-colorとの連携を有効にしました。")
    page.screenshot(path=str(SHOTS / "integrations.png"))

    page.goto(f"{app.url}/orders")
    expect(page.locator("[data-testid=order-row]")).to_have_count(50)
    page.click("#select-all-results")
    page.click("#open-survey_csv")
    _pick(page, "#survey_csv-format", "アンケート結果(標準)(受注単位)")
    page.click("#submit-survey_csv")
    expect(page.locator("#job-errors")).to_have_text("検索条件に「パーソナライズ」を指定してから実行してください。")
    page.keyboard.press("Escape")

    page.click("#f-personalized")
    page.click("#search-submit")
    expect(page.locator("#total-count")).not_to_have_text("0件")
    page.click("#select-all-results")
    page.click("#open-survey_csv")
    _pick(page, "#survey_csv-format", "アンケート結果(標準)(受注単位)")
    _pick(page, "#survey_csv-encoding", "UTF-8(BOM付き)")
    page.click("#submit-survey_csv")
    expect(
        page.locator("[data-testid=notification]").filter(has_text="受注 アンケート結果CSV一括出力 を完了しました。")
    ).to_have_count(1)
    page.goto(f"{app.url}/jobs")
    job = page.locator("[data-testid=job-row]").first
    expect(job.locator("[data-testid=job-status]")).to_have_text("完了")
    with page.expect_download() as download:
        job.locator("[data-testid=job-export]").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert got[0] == ["受注番号", "受注日時", "氏名", "アンケート回答", "回答日時"]
    assert len(got) > 1 and all("肌質: " in r[3] for r in got[1:])
    context.close()


def test_export_download_requires_login(page: Page, app: RunningApp) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{app.url}/api/jobs/1/export", timeout=10)
    assert info.value.code == 401
