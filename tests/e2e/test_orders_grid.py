"""受注管理 in a real browser: login, filter, paging, the three selection modes, bad input, detail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from ecweb_core.search import count_orders, parse_filter
from tests.e2e.conftest import RunningApp, login, order_count

pytestmark = pytest.mark.e2e


def _count(app: RunningApp, form: dict[str, str]) -> int:
    with Session(app.engine) as s:
        return count_orders(s, parse_filter(form))


def _open_grid(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    expect(page.locator("[data-testid=order-row]")).to_have_count(50)


def _checked(page: Page) -> list[bool]:
    boxes = page.locator("[data-testid=order-row] button[role=checkbox]")
    return [boxes.nth(i).get_attribute("data-state") == "checked" for i in range(boxes.count())]


def test_pages_require_login_and_bad_password_is_refused(page: Page, app: RunningApp) -> None:
    page.goto(f"{app.url}/orders")
    page.wait_for_url("**/login")
    expect(page.locator("[data-testid=order-row]")).to_have_count(0)
    login(page, app.url, password="wrong-password")
    expect(page.locator("#login-error")).to_have_text("ログインIDまたはパスワードが正しくありません。")
    # The form posted natively (the response sets the HttpOnly cookie): a fresh form comes back.
    page.fill("#login", "demo")
    page.fill("#password", "demo1234")
    page.click("#login-submit")
    page.wait_for_url("**/orders")
    expect(page.locator("#operator-name")).to_have_text("デモ 担当者")
    expect(page.locator("#total-count")).to_have_text(f"{order_count(app):,}件")
    page.click("#logout")
    page.wait_for_url("**/login")
    page.goto(f"{app.url}/orders")
    page.wait_for_url("**/login")


def test_filter_by_customer_and_status(page: Page, app: RunningApp) -> None:
    _open_grid(page, app)
    page.fill("#f-customer_name", "佐藤")
    page.click("#f-status_ids")
    page.get_by_role("option", name="発送完了", exact=True).click()
    page.click("#search-submit")
    expected = _count(app, {"customer_name": "佐藤", "status_ids": "40"})
    assert 0 < expected < order_count(app)
    expect(page.locator("#total-count")).to_have_text(f"{expected:,}件")
    expect(page.locator("[data-testid=order-row]")).to_have_count(min(expected, 50))
    for text in page.locator("[data-testid=order-row]").all_inner_texts():
        assert "佐藤" in text and "発送完了" in text


def test_paging_and_sorting(page: Page, app: RunningApp) -> None:
    _open_grid(page, app)
    total = order_count(app)
    pages = -(-total // 50)
    expect(page.locator("#page-label")).to_have_text(f"1 / {pages} ページ")
    first_row = page.locator("[data-testid=order-row]").first.inner_text()
    page.get_by_role("button", name="次へ").first.click()
    expect(page.locator("#page-label")).to_have_text(f"2 / {pages} ページ")
    expect(page.locator("#range-label")).to_have_text(f"{total}件中 51〜100件を表示")
    assert page.locator("[data-testid=order-row]").first.inner_text() != first_row
    page.get_by_role("button", name="最後").first.click()
    expect(page.locator("[data-testid=order-row]")).to_have_count(total - (pages - 1) * 50)
    page.click("#sort-total")  # sort by total, descending
    expect(page.locator("#page-label")).to_have_text(f"1 / {pages} ページ")
    totals = [
        int(re.sub(r"[^\d]", "", t)) for t in page.locator("[data-testid=order-row] td:nth-child(5)").all_inner_texts()
    ]
    assert totals == sorted(totals, reverse=True)


def test_three_selection_modes_and_the_count_they_give(page: Page, app: RunningApp) -> None:
    _open_grid(page, app)
    target = page.locator("#target-count")
    expect(target).to_have_text("処理対象の受注を選択してください")
    rows = page.locator("[data-testid=order-row] button[role=checkbox]")
    # Row checkboxes, kept across pages.
    rows.nth(0).click()
    rows.nth(2).click()
    expect(target).to_have_text("処理対象: 選択した受注 2件")
    page.get_by_role("button", name="次へ").first.click()
    expect(page.locator("#page-label")).to_contain_text("2 /")
    rows.nth(1).click()
    expect(target).to_have_text("処理対象: 選択した受注 3件")
    page.get_by_role("button", name="前へ").first.click()
    expect(page.locator("#page-label")).to_contain_text("1 /")
    expect(rows.nth(0)).to_have_attribute("data-state", "checked")
    assert _checked(page)[:3] == [True, False, True]
    # Header checkbox: every row of this page, plus the one ticked on page 2.
    page.locator("[data-testid=page-check]").click()
    expect(target).to_have_text("処理対象: 選択した受注 51件")
    assert all(_checked(page))
    page.locator("[data-testid=page-check]").click()
    expect(target).to_have_text("処理対象: 選択した受注 1件")
    # 検索結果すべて: the whole search, across every page.
    page.fill("#f-customer_name", "田中")
    page.click("#search-submit")
    expected = _count(app, {"customer_name": "田中"})
    expect(page.locator("#total-count")).to_have_text(f"{expected:,}件")
    expect(target).to_have_text("処理対象の受注を選択してください")  # a new search starts a new selection
    page.get_by_text("検索結果すべてを処理対象にする").click()
    expect(target).to_have_text(f"処理対象: 検索結果すべて {expected:,}件")
    assert all(_checked(page))
    expect(page.locator("[data-testid=page-check]")).to_be_disabled()


def test_bad_filter_input_shows_japanese_message_and_keeps_results(page: Page, app: RunningApp) -> None:
    _open_grid(page, app)
    page.fill("#f-ordered_from", "2026-13-01")
    page.fill("#f-total_min", "たくさん")
    page.click("#search-submit")
    errors = page.locator("#search-errors")
    expect(errors).to_contain_text("受注日(開始)は「2026-01-31」の形式で入力してください。")
    expect(errors).to_contain_text("合計金額(下限)は0以上の整数で入力してください。")
    expect(page.locator("#total-count")).to_have_text(f"{order_count(app):,}件")
    page.fill("#f-ordered_from", "")
    page.fill("#f-total_min", "")
    page.click("#search-submit")
    expect(errors).to_have_count(0)


def test_order_detail_shows_the_order(page: Page, app: RunningApp) -> None:
    _open_grid(page, app)
    link = page.locator("[data-testid=order-row] a").first
    number = link.inner_text()
    link.click()
    page.wait_for_url("**/orders/*")
    expect(page.locator("#detail-number")).to_have_text(number)
    expect(page.get_by_text("基本情報")).to_be_visible()
    page.click("#tab-items")
    expect(page.locator("[data-testid=items] tbody tr").first).to_be_visible()
    page.goto(f"{app.url}/orders/99999999")
    expect(page.get_by_text("指定された受注は見つかりません。")).to_be_visible()
