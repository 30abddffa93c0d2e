"""The operator's day (issue 18) end to end: notes that never get in the way, ジョブ管理's 中止 and
失敗分を再実行, and a name searched with a full-width space."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.automation.rules import create_rule
from ecweb_core.models import AutomationRule, Customer, Job, JobTarget, Order, PaymentMethod
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/operator-day")


def _pick(page: Page, selector: str, option: str) -> None:
    page.click(selector)
    page.get_by_role("option", name=option, exact=True).click()


def _new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    return page


def _dunning(page: Page, rows: list[int], memo: str) -> None:
    grid = page.locator("[data-testid=order-row]")
    for i in rows:
        grid.nth(i).locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_have_text(f"処理対象: 選択した受注 {len(rows)}件")
    page.click("#open-dunning")
    page.fill("#dunning-memo", memo)
    page.click("#submit-dunning")


def _last_job(app: RunningApp) -> int:
    with Session(app.engine) as s:
        return int(s.execute(select(func.max(Job.id))).scalar_one())


def test_notes_name_their_job_and_never_block_the_controls(browser: Browser, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _new_page(browser)
    login(page, app.url)
    page.wait_for_url("**/orders")
    expect(page.locator("[data-testid=order-row]")).to_have_count(50)
    _dunning(page, [0, 1], "E2E 一日目 1")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 一括督促 を完了しました。")).to_have_count(1)
    first = _last_job(app)
    page.locator("[data-testid=order-row]").nth(0).locator("button[role=checkbox]").click()  # untick
    page.locator("[data-testid=order-row]").nth(1).locator("button[role=checkbox]").click()
    _dunning(page, [2, 3, 4], "E2E 一日目 2")
    done = notes.filter(has_text="受注 一括督促 を完了しました。")
    expect(done).to_have_count(2)
    second = _last_job(app)
    # The seeds' sentence exactly, and what tells the two apart: 処理名, #id and the order count.
    expect(done.filter(has_text=f"一括督促 #{second} · 3件")).to_have_count(1)
    expect(done.filter(has_text=f"一括督促 #{first} · 2件")).to_have_count(1)
    expect(done.first.locator(".rt-CalloutText")).to_have_text("受注 一括督促 を完了しました。")
    page.screenshot(path=str(SHOTS / "grid-with-notes.png"))

    # The grid's 電話番号 field, then every control at the top right of CSV管理 and ジョブ管理.
    page.locator("#f-phone").click()
    page.locator("#f-phone").fill("090")
    page.goto(f"{app.url}/settings/csv")
    expect(notes.first).to_be_visible()
    page.click("#new-format")  # a real click: it fails if a note covers the button
    expect(page.get_by_text("CSVフォーマットの新規作成")).to_be_visible()
    page.screenshot(path=str(SHOTS / "csv-settings-new-with-notes.png"))
    page.keyboard.press("Escape")

    page.goto(f"{app.url}/jobs")
    expect(notes.first).to_be_visible()
    newest = page.locator("[data-testid=job-row]").first
    expect(newest.locator("[data-testid=job-status]")).to_have_text("完了")
    page.screenshot(path=str(SHOTS / "jobs-with-notes.png"))
    with page.expect_download() as download:
        newest.locator("[data-testid=job-result]").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 1 + 3
    newest.locator("[data-testid=job-toggle]").click()
    expect(page.locator("[data-testid=job-detail]")).to_contain_text("失敗・スキップ・未処理の受注: 0件")
    page.locator("#jobs-clear").click()
    page.locator("#jobs-search").click()
    expect(newest.locator("[data-testid=job-params]")).to_have_text("支払期限: 指定なし、メモ: 「E2E 一日目 2」")

    # 受注詳細's 履歴 names the job in words, linked to its row, and the operator.
    with Session(app.engine) as s:
        order_id = s.execute(select(JobTarget.order_id).where(JobTarget.job_id == second)).scalars().first()
    page.goto(f"{app.url}/orders/{order_id}")
    page.click("#tab-history")
    history_row = page.locator("[data-testid=events] tr").filter(has_text="督促").first
    expect(history_row).to_contain_text(f"一括督促 #{second}")
    expect(history_row).to_contain_text("デモ 担当者")
    page.screenshot(path=str(SHOTS / "order-history.png"))
    history_row.get_by_role("link", name=f"一括督促 #{second}").click()
    page.wait_for_url(f"**/jobs?job={second}")
    expect(page.locator(f"[data-testid=job-row][data-job-id='{second}']")).to_have_class(re.compile("linked"))

    # A note links to its job's row; the bell keeps the history.
    page.locator(f"[data-testid=notification-job]:has-text('#{first} ')").first.click()
    page.wait_for_url(f"**/jobs?job={first}")
    expect(page.locator(f"[data-testid=job-row][data-job-id='{first}']")).to_have_class(re.compile("linked"))
    page.click("#system-notification")
    history = page.locator("[data-testid=notification-history-item]")
    expect(history.filter(has_text=f"一括督促 #{first}")).to_have_count(2)  # 登録 and 完了
    page.screenshot(path=str(SHOTS / "bell-history.png"))
    page.keyboard.press("Escape")
    expect(notes).to_have_count(0)  # read: the toasts are gone, the history stays
    page.context.close()


def test_stop_a_running_job_and_download_its_unprocessed_orders(browser: Browser, app: RunningApp) -> None:
    """PDF一括出力 of every order: 50 pages a chunk at tens of ms a page keeps it running long
    enough to stop from ジョブ管理 (the e2e database has a few hundred orders, not 100,000)."""
    page = _new_page(browser)
    login(page, app.url)
    page.wait_for_url("**/orders")
    expect(page.locator("[data-testid=order-row]")).to_have_count(50)
    page.get_by_text("検索結果すべてを処理対象にする").click()
    page.click("#open-pdf_export")
    page.click("#pdf-template")
    page.get_by_role("option").first.click()
    page.fill("#pdf-issue-date", "2026-11-05")
    page.click("#submit-pdf_export")
    expect(
        page.locator("[data-testid=notification]").filter(has_text="受注 PDF一括出力 を登録しました。")
    ).to_have_count(1)
    job_id = _last_job(app)
    page.goto(f"{app.url}/jobs")
    row = page.locator(f"[data-testid=job-row][data-job-id='{job_id}']")
    row.locator("[data-testid=job-stop]").click()
    expect(page.locator("#jobs-notice")).to_contain_text(f"ジョブ #{job_id}")
    expect(row.locator("[data-testid=job-status]")).to_have_text("中止", timeout=60000)
    expect(
        page.locator("[data-testid=notification]").filter(has_text="受注 PDF一括出力 を中止しました。")
    ).to_have_count(1)
    page.screenshot(path=str(SHOTS / "jobs-stopped.png"))
    with page.expect_download() as download:
        row.locator("[data-testid=job-result]").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as fh:
        result = list(csv.reader(fh))[1:]
    with Session(app.engine) as s:
        total = s.execute(select(func.count()).select_from(Order)).scalar_one()
        done = s.execute(
            select(func.count()).where(JobTarget.job_id == job_id, JobTarget.outcome.is_not(None))
        ).scalar_one()
    assert len(result) == total
    unprocessed = [r for r in result if r[1] == "未処理"]
    assert unprocessed and len(unprocessed) == total - done  # what was done stays done

    # 失敗分と未処理を再実行: the rest of the orders, as a new job linked to this one.
    row.locator("[data-testid=job-toggle]").click()
    page.locator("[data-testid=job-rerun-all]").click()
    expect(page.locator("#jobs-notice")).to_contain_text(f"ジョブ #{job_id} の再実行")
    new_id = _last_job(app)
    assert new_id > job_id
    with Session(app.engine) as s:
        assert s.get(Job, new_id).total == len(unprocessed)  # type: ignore[union-attr]
    new_row = page.locator(f"[data-testid=job-row][data-job-id='{new_id}']")
    expect(new_row.locator("[data-testid=job-rerun-of]")).to_have_text(f"#{job_id} の再実行")
    expect(row.locator("[data-testid=job-rerun-by]")).to_have_text(f"再実行: #{new_id}")
    expect(new_row.locator("[data-testid=job-status]")).to_have_text("完了", timeout=120000)
    expect(new_row.locator("[data-testid=job-progress]")).to_have_text(f"{len(unprocessed):,} / {len(unprocessed):,}")
    page.context.close()


def test_rerun_the_failed_orders_of_a_bulk_update(browser: Browser, app: RunningApp) -> None:
    page = _new_page(browser)
    login(page, app.url)
    page.wait_for_url("**/orders")
    # 売上完了 orders refuse a 支払方法 change: the job fails them with the reason.
    _pick(page, "#f-payment_statuses", "売上完了")
    page.click("#search-submit")
    rows = page.locator("[data-testid=order-row]")
    expect(rows.first).to_contain_text("売上完了")
    for i in range(2):
        rows.nth(i).locator("button[role=checkbox]").click()
    page.click("#open-bulk_update")
    with Session(app.engine) as s:
        bank = s.execute(select(PaymentMethod.name).where(PaymentMethod.code == "bank")).scalar_one()
    _pick(page, "#bu-payment_method_id", bank)
    # Before it runs: how many of the selected orders it will refuse, and why.
    expect(page.locator("#bu-refusals [data-testid=bu-refusal]")).to_have_text(
        ["失敗 2件 — 売上完了の受注は支払方法・配送業者を変更できません。"]
    )
    page.screenshot(path=str(SHOTS / "bulk-update-refusals.png"))
    page.click("#submit-bulk_update")
    expect(
        page.locator("[data-testid=notification]").filter(has_text="受注 一括更新 を完了しました。").first
    ).to_be_visible()
    job_id = _last_job(app)

    page.goto(f"{app.url}/jobs?job={job_id}")
    row = page.locator(f"[data-testid=job-row][data-job-id='{job_id}']")
    expect(row.locator("[data-testid=job-counts]")).to_have_text("成功 0 / 失敗 2 / スキップ 0")
    expect(row.locator("[data-testid=job-params]")).to_have_text(f"支払方法: {bank}")
    detail = page.locator("[data-testid=job-detail]")
    targets = detail.locator("[data-testid=job-target]")
    expect(targets).to_have_count(2)
    expect(targets.first).to_contain_text("失敗")
    page.screenshot(path=str(SHOTS / "jobs-failed-orders.png"))
    detail.locator("[data-testid=job-rerun]").click()
    new_id = job_id + 1
    new_row = page.locator(f"[data-testid=job-row][data-job-id='{new_id}']")
    expect(new_row.locator("[data-testid=job-status]")).to_have_text("完了", timeout=60000)
    expect(new_row.locator("[data-testid=job-counts]")).to_have_text("成功 0 / 失敗 2 / スキップ 0")
    expect(new_row.locator("[data-testid=job-params]")).to_have_text(f"支払方法: {bank}")
    with Session(app.engine) as s:
        failed = set(
            s.execute(
                select(JobTarget.order_id).where(JobTarget.job_id == job_id, JobTarget.outcome == "failed")
            ).scalars()
        )
        again = set(s.execute(select(JobTarget.order_id).where(JobTarget.job_id == new_id)).scalars())
    assert again == failed and len(again) == 2  # fmt: skip
    # The failed order links to 受注詳細.
    targets.first.locator("a").click()
    page.wait_for_url("**/orders/*")
    page.context.close()


def test_search_a_name_typed_with_a_full_width_space(page: Page, app: RunningApp) -> None:
    with Session(app.engine) as s:
        name = s.execute(select(Customer.name).where(Customer.name == "佐藤 美咲")).scalar_one_or_none()
        name = name or s.execute(select(Customer.name).order_by(Customer.id)).scalars().first()
        expected = s.execute(
            select(func.count()).select_from(Order).join(Customer, Customer.id == Order.customer_id)
            .where(func.replace(Customer.name, " ", "") == name.replace(" ", ""))  # type: ignore[union-attr]
        ).scalar_one()  # fmt: skip
    assert expected > 0
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.fill("#f-customer_name", name.replace(" ", "\u3000"))  # type: ignore[union-attr]
    page.click("#search-submit")
    expect(page.locator("#total-count")).to_have_text(f"{expected:,}件")
    page.fill("#f-customer_name", name.replace(" ", ""))  # type: ignore[union-attr]
    page.click("#search-submit")
    expect(page.locator("#total-count")).to_have_text(f"{expected:,}件")
    page.screenshot(path=str(SHOTS / "search-full-width-space.png"))


def test_automation_delete_asks_first(page: Page, app: RunningApp) -> None:
    with app.engine.begin() as conn:
        rule_id = create_rule(conn, {"event": "payment_status|captured", "action": "change_status", "param": "40"})
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/automation")
    row = page.locator("[data-testid=rule-row]").filter(has=page.locator(f"td:text-is('{rule_id}')"))
    row.locator("[data-testid=rule-delete]").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("を削除します。よろしいですか?")
    page.screenshot(path=str(SHOTS / "automation-delete-confirm.png"))
    page.get_by_role("button", name="キャンセル").click()
    with Session(app.engine) as s:
        assert s.get(AutomationRule, rule_id) is not None  # キャンセル deletes nothing
    row.locator("[data-testid=rule-delete]").click()
    page.click("#confirm-delete")
    expect(row).to_have_count(0)
    with Session(app.engine) as s:
        assert s.get(AutomationRule, rule_id) is None
