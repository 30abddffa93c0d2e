"""決済状況一括変更 end to end: 売上処理 and 取消処理 from the grid reach the sandbox provider — its own
決済管理画面 shows them — while 強制売上処理 changes only the shop's status."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.models import Job, Order
from tests.e2e.conftest import RunningApp, login, order_count

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/payment")


def _status(app: RunningApp, number: str) -> str:
    with Session(app.engine) as s:
        return s.execute(select(Order.payment_status).where(Order.number == number)).scalar_one()


def _pick(page: Page, select_id: str, label: str) -> None:
    page.click(f"#{select_id}")
    page.get_by_role("option", name=label, exact=True).click()


def _done_jobs(app: RunningApp) -> int:
    with Session(app.engine) as s:
        return int(s.execute(select(func.count()).where(Job.kind == "payment", Job.status == "done")).scalar_one())


def _run(page: Page, app: RunningApp, numbers: list[str], process: str, done: int) -> None:
    """Ticks the orders, runs `process` from the dialog and waits until it is the `done`-th finished."""
    rows = page.locator("[data-testid=order-row]")
    for number in numbers:
        rows.filter(has_text=number).locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_have_text(f"処理対象: 選択した受注 {len(numbers)}件")
    page.click("#open-payment")
    page.click(f"#payment-process-{process}")
    if process == "cancel":
        expect(page.get_by_text("定期受注の取消処理(定期受注の受注のみ)")).to_be_visible()
        page.screenshot(path=str(SHOTS / "payment-dialog-cancel.png"))
    else:
        page.screenshot(path=str(SHOTS / f"payment-dialog-{process}.png"))
    page.click("#submit-payment")
    expect(page.locator("[data-testid=notification]").first).to_contain_text("受注 決済状況一括変更 を完了しました。")
    deadline = time.monotonic() + 60
    while _done_jobs(app) < done:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    page.locator("button", has_text="選択を解除").click()


def test_capture_and_cancel_reach_the_provider_and_force_capture_does_not(page: Page, app: RunningApp) -> None:
    assert app.provider is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, app.url)
    page.wait_for_url("**/orders")
    _pick(page, "f-payment_statuses", "仮売上完了")
    _pick(page, "f-payment_method_ids", "クレジットカード")
    page.click("#search-submit")
    rows = page.locator("[data-testid=order-row]")
    # Wait for the search to apply: every row shown is a 仮売上完了 card order.
    expect(rows.filter(has_not_text="クレジットカード")).to_have_count(0)
    expect(rows.filter(has_not_text="仮売上完了")).to_have_count(0)
    numbers = [rows.nth(i).locator("a").inner_text() for i in range(3)]
    before = {n: app.provider.operations(n) for n in numbers}
    assert all(before[n] == {(n, "authorize"): 1} for n in numbers)  # the demo's authorizations

    _run(page, app, numbers[:2], "capture", done=1)
    assert [_status(app, n) for n in numbers[:2]] == ["captured", "captured"]
    _run(page, app, numbers[2:], "force_capture", done=2)
    assert _status(app, numbers[2]) == "captured"
    # The captured orders left the 仮売上完了 search: find the first one by its number.
    page.get_by_role("button", name="条件をクリア").click()
    expect(page.locator("#total-count")).to_have_text(f"{order_count(app):,}件")  # the form re-mounted empty
    page.fill("#f-number", numbers[0])
    page.click("#search-submit")
    expect(rows).to_have_count(1)
    _run(page, app, numbers[:1], "cancel", done=3)
    assert _status(app, numbers[0]) == "cancelled"

    ops = app.provider.operations()
    assert ops[(numbers[0], "capture")] == ops[(numbers[0], "cancel")] == 1
    assert ops[(numbers[1], "capture")] == 1 and (numbers[1], "cancel") not in ops
    assert (numbers[2], "capture") not in ops  # 強制売上処理 never reached the provider

    provider_page = page.context.new_page()
    provider_page.goto(app.provider.url)
    expect(provider_page.get_by_text("サンドボックス決済 決済管理画面")).to_be_visible()
    statuses = {n: provider_page.locator(f"tr[data-order='{n}']").get_attribute("data-status") for n in numbers}
    assert statuses == {numbers[0]: "cancelled", numbers[1]: "captured", numbers[2]: "authorized"}
    expect(provider_page.locator(f"tr[data-order='{numbers[1]}']")).to_contain_text("売上確定")
    provider_page.screenshot(path=str(SHOTS / "provider-console.png"), full_page=False)
    provider_page.close()

    page.get_by_role("link", name=numbers[0]).click()
    page.click("#tab-payment")
    history = page.locator("[data-testid=payment-history] tbody tr")
    expect(history.filter(has_text="取消処理")).to_have_count(1)
    expect(history.filter(has_text="売上処理")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "order-detail-payment.png"), full_page=True)
