"""一括更新 from the browser: several fields on ticked orders, then the orders in the database."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.models import Customer, Label, Order, OrderLabel, OrderMemo
from ecweb_core.models.common import JST
from ecweb_core.statuses import DELIVERED
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e


def _pick(page: Page, selector: str, option: str) -> None:
    page.click(selector)
    page.get_by_role("option", name=option, exact=True).click()


def test_bulk_update_several_fields_from_the_browser(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    # Orders that are not 売上完了, so every field may change.
    page.click("#f-payment_statuses")
    page.get_by_role("option", name="仮売上完了", exact=True).click()
    page.click("#search-submit")
    rows = page.locator("[data-testid=order-row]")
    expect(rows.first).to_contain_text("仮売上完了")
    numbers = [rows.nth(i).locator("a").inner_text() for i in range(3)]
    for i in range(3):
        rows.nth(i).locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_have_text("処理対象: 選択した受注 3件")

    page.click("#open-bulk_update")
    page.click("#submit-bulk_update")  # nothing chosen
    expect(page.locator("#job-errors")).to_have_text("変更する項目を1つ以上指定してください。")
    _pick(page, "#bu-status_id", "配送完了")
    _pick(page, "#bu-delivered_at_mode", "上書き")
    page.fill("#bu-delivered_at", "2026-13-01")
    page.click("#submit-bulk_update")
    expect(page.locator("#job-errors")).to_have_text("配送完了日は「2026-01-31」の形式で入力してください。")
    page.fill("#bu-delivered_at", "2026-11-20")
    page.fill("#bu-order_memo", "E2E 一括更新")
    with Session(app.engine) as s:
        label = s.execute(select(Label).where(Label.name == "ギフト")).scalar_one()
    page.check(f"#bu-label-{label.id}")
    _pick(page, "#bu-blacklist", "はい")
    _pick(page, "#bu-blacklist_reason", "受取拒否")
    page.click("#submit-bulk_update")

    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 一括更新 を登録しました。")).to_have_count(1)
    expect(notes.filter(has_text="受注 一括更新 を完了しました。")).to_have_count(1)
    expect(rows.filter(has_text=numbers[0]).first).to_contain_text("配送完了")  # the grid shows the change

    with Session(app.engine) as s:
        orders = s.execute(select(Order).where(Order.number.in_(numbers))).scalars().all()
        assert len(orders) == 3
        for o in orders:
            assert o.status_id == DELIVERED
            assert o.delivered_at is not None and o.delivered_at.astimezone(JST).date() == date(2026, 11, 20)
            memo = s.execute(select(OrderMemo.body).where(OrderMemo.order_id == o.id)).scalars().all()
            assert "E2E 一括更新" in memo
            assert s.execute(
                select(OrderLabel).where(OrderLabel.order_id == o.id, OrderLabel.label_id == label.id)
            ).first()
            customer = s.get(Customer, o.customer_id)
            assert customer is not None and customer.blacklisted and customer.blacklist_reason == "受取拒否"
