"""定期受注管理, 顧客管理 and 受注詳細's tabs in the browser: a subscription edited (bad input refused,
停止 with its reason and 同期する), 手動作成 of its next order authorized by the worker through the
sandbox provider, memos where the seed says they are, a customer's points and blacklist, and
受注詳細's 再計算 — every id a link to its page."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update
from sqlmodel import Session

from ecweb_core.models import (
    Customer,
    CustomerMemo,
    Order,
    OrderEvent,
    OrderMemo,
    PaymentMethod,
    PointLedger,
    ShopSettings,
    Subscription,
    SubscriptionMemo,
)
from ecweb_core.settings import PROJECT_ROOT
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = PROJECT_ROOT / "test-artifacts" / "subscriptions"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _pick(page: Page, selector: str, option: str) -> None:
    page.click(selector)
    page.get_by_role("option", name=option, exact=True).click()


def _card_subscription(app: RunningApp) -> Subscription:
    """An active card subscription that has orders (the sandbox authorizes a card at once)."""
    with Session(app.engine) as s:
        credit = s.execute(select(PaymentMethod.id).where(PaymentMethod.code == "credit")).scalar_one()
        with_orders = select(Order.subscription_id).where(Order.subscription_id.is_not(None))
        sub = s.execute(
            select(Subscription)
            .where(Subscription.payment_method_id == credit, Subscription.id.in_(with_orders))
            .order_by(Subscription.id)
        ).scalars().first()  # fmt: skip
        assert sub is not None
        s.execute(update(Subscription).where(Subscription.id == sub.id).values(status="active", status_reason=None))
        s.execute(update(ShopSettings).values(min_delivery_days=2))
        s.commit()
        s.refresh(sub)
        return sub


def test_a_subscription_edited_and_its_next_order_created(page: Page, app: RunningApp) -> None:
    sub = _card_subscription(app)
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.click("text=定期受注管理")
    page.wait_for_url("**/subscriptions")
    rows = page.locator("[data-testid=subscription-row]")
    expect(rows.first).to_be_visible()
    _pick(page, "#sub-f-status", "停止")
    page.click("#sub-search")
    expect(rows.first).to_contain_text("停止")
    with Session(app.engine) as s:
        paused = s.execute(select(func.count()).where(Subscription.status == "paused")).scalar_one()
    expect(page.locator("#subs-total")).to_have_text(f"{paused} 件")
    page.fill("#sub-f-next_from", "2026/02/30")
    page.click("#sub-search")
    expect(page.locator("#sub-search-errors")).to_contain_text(
        "次回配送予定日(開始)は「2026-01-31」の形式で入力してください。"
    )
    page.fill("#sub-f-next_from", "")
    _pick(page, "#sub-f-status", "すべて")
    page.click("#sub-search")
    expect(page.locator("#sub-search-errors")).to_have_count(0)
    _shot(page, "subscription-list")

    page.goto(f"{app.url}/subscriptions/{sub.id}")
    expect(page.locator("#sub-title")).to_have_text(f"定期受注ID {sub.id}")
    # Bad input: both 同期する boxes — refused in Japanese, nothing saved.
    page.fill("#sub-next_ship_date", "2026-12-20")
    page.click("#sub-sync_delivery")
    page.click("#sub-sync_ship")
    page.click("#sub-save")
    expect(page.locator("#sub-errors")).to_contain_text("どちらか一方のみ指定できます。")
    with Session(app.engine) as s:
        assert s.get(Subscription, sub.id).next_ship_date == sub.next_ship_date  # type: ignore[union-attr]
    # 停止 with its reason, the ship date with 次回配送予定日へ同期する (+ 最短お届け日 2 days).
    page.click("#sub-sync_ship")
    _pick(page, "#sub-status", "停止")
    _pick(page, "#sub-status_reason", "長期不在")
    page.click("#sub-save")
    expect(page.locator("#sub-notice")).to_have_text("基本設定を保存しました。")
    with Session(app.engine) as s:
        saved = s.get(Subscription, sub.id)
        assert saved is not None
        assert (saved.status, saved.status_reason) == ("paused", "長期不在")
        assert (saved.next_ship_date, saved.next_delivery_date) == (date(2026, 12, 20), date(2026, 12, 22))
    expect(page.locator("#sub-next_delivery_date")).to_have_value("2026-12-22")
    expect(page.locator("#sub-create")).to_be_disabled()  # 停止: no 手動作成
    _shot(page, "subscription-basic")

    # Back to 有効, then 手動作成: the order is created, the worker authorizes it.
    _pick(page, "#sub-status", "有効")
    page.click("#sub-save")
    expect(page.locator("#sub-notice")).to_have_text("基本設定を保存しました。")
    with Session(app.engine) as s:
        before = set(s.execute(select(Order.id).where(Order.subscription_id == sub.id)).scalars())
    page.click("#sub-create")
    expect(page.get_by_text("次回配送予定日の受注を今すぐ作成し")).to_be_visible()
    page.wait_for_timeout(400)  # the dialog's fade-in
    page.screenshot(path=str(SHOTS / "subscription-create-confirm.png"))
    page.click("#sub-create-confirm")
    expect(page.locator("#sub-top-notice")).to_contain_text("次回の受注を作成しました")
    with Session(app.engine) as s:
        (new_id,) = set(s.execute(select(Order.id).where(Order.subscription_id == sub.id)).scalars()) - before
        new = s.get(Order, new_id)
        assert new is not None and new.subscription_cycle_date == date(2026, 12, 22) and new.ordered_at is not None
    history = page.locator("[data-testid=sub-orders]")
    expect(history.get_by_role("link", name=new.number)).to_be_visible()
    deadline = time.monotonic() + 60
    status = "auth_requested"
    while status == "auth_requested" and time.monotonic() < deadline:
        time.sleep(0.3)
        with Session(app.engine) as s:
            status = s.execute(select(Order.payment_status).where(Order.id == new_id)).scalar_one()
    assert status == "authorized"
    expect(page.locator("#sub-top-notice")).to_contain_text("決済: 仮売上完了")  # the tab follows the worker
    expect(history.locator("tr").filter(has_text=new.number)).to_contain_text("仮売上完了")
    provider = app.provider
    assert provider is not None and [t["status"] for t in provider.transactions(new.number)] == ["authorized"]
    _shot(page, "subscription-orders")

    # メモ管理: an empty memo is refused; a memo shows on the tab (where 一括更新's 定期受注メモ go too).
    page.click("#tab-memos")
    page.click("#memo-submit")
    expect(page.locator("#memo-errors")).to_have_text("メモを入力してください。")
    page.fill("#memo-body", "E2E 定期メモ: 次回は置き配")
    page.click("#memo-submit")
    expect(page.locator("#memo-notice")).to_have_text("メモを登録しました。")
    expect(page.locator("[data-testid=memos]")).to_contain_text("E2E 定期メモ: 次回は置き配")
    expect(page.locator("#memo-body")).to_have_value("")
    with Session(app.engine) as s:
        assert s.execute(select(SubscriptionMemo.body).where(SubscriptionMemo.subscription_id == sub.id)).scalars() \
            .all() == ["E2E 定期メモ: 次回は置き配"]  # fmt: skip
    page.click("#tab-items")
    expect(page.locator("[data-testid=sub-items] tbody tr").first).to_be_visible()
    page.click("#sub-recalculate")
    expect(page.locator("#sub-top-notice")).to_have_text("次回の受注商品を再計算しました。")
    _shot(page, "subscription-items")
    # The order's page links back to its subscription.
    page.click("#tab-orders")
    history.get_by_role("link", name=new.number).click()
    page.wait_for_url(f"**/orders/{new_id}")
    page.click("#subscription-link")
    page.wait_for_url(f"**/subscriptions/{sub.id}")


def test_a_customer_with_points_memos_and_blacklist(page: Page, app: RunningApp) -> None:
    with Session(app.engine) as s:
        c = s.execute(
            select(Customer)
            .where(Customer.blacklisted.is_(False), Customer.points_balance > 0,
                   Customer.id.in_(select(Order.customer_id)))
            .order_by(Customer.id)
        ).scalars().first()  # fmt: skip
        assert c is not None
        moves = s.execute(select(func.count()).where(PointLedger.customer_id == c.id)).scalar_one()
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.click("text=顧客管理")
    page.wait_for_url("**/customers")
    page.fill("#cust-q", c.kana)
    page.click("#cust-search")
    row = page.locator("[data-testid=customer-row]").filter(has_text=c.kana)
    expect(row).to_have_count(1)
    _shot(page, "customer-list")
    row.get_by_role("link", name=c.name).click()
    page.wait_for_url(f"**/customers/{c.id}")
    expect(page.locator("#customer-name")).to_have_text(c.name)
    _shot(page, "customer-basic")

    page.click("#tab-points")
    expect(page.locator("#points-balance")).to_have_text(f"{c.points_balance:,} pt")
    expect(page.locator("[data-testid=points] tbody tr")).to_have_count(moves)
    _shot(page, "customer-points")

    page.click("#tab-memos")
    page.fill("#memo-body", "E2E 顧客メモ: 電話は夕方")
    page.click("#memo-submit")
    expect(page.locator("[data-testid=memos]")).to_contain_text("E2E 顧客メモ: 電話は夕方")
    with Session(app.engine) as s:
        assert "E2E 顧客メモ: 電話は夕方" in s.execute(
            select(CustomerMemo.body).where(CustomerMemo.customer_id == c.id)
        ).scalars().all()  # fmt: skip

    page.click("#tab-blacklist")
    page.locator("[data-testid=blacklisted]").click()
    _pick(page, "#blacklist-reason", "受取拒否")
    _shot(page, "customer-blacklist")
    page.click("#blacklist-save")
    expect(page.locator("#blacklist-notice")).to_have_text("ブラックリストを更新しました。")
    with Session(app.engine) as s:
        assert s.execute(select(Customer.blacklisted, Customer.blacklist_reason).where(Customer.id == c.id)).one() \
            == (True, "受取拒否")  # fmt: skip
        s.execute(update(Customer).where(Customer.id == c.id).values(blacklisted=False, blacklist_reason=None))
        s.commit()

    page.click("#tab-orders")
    first = page.locator("[data-testid=customer-orders] tbody tr a").first
    number = first.inner_text()
    first.click()
    page.wait_for_url("**/orders/*")
    expect(page.locator("#detail-number")).to_have_text(number)


def test_order_detail_tabs(page: Page, app: RunningApp) -> None:
    with Session(app.engine) as s:
        order = s.execute(select(Order).where(Order.subscription_id.is_not(None)).order_by(Order.id)).scalars().first()
        assert order is not None
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/orders/{order.id}")
    expect(page.locator("#detail-number")).to_have_text(order.number)
    expect(page.locator("#edit-submit")).to_be_visible()
    _shot(page, "order-basic")

    page.click("#tab-items")
    expect(page.locator("[data-testid=items] tbody tr").first).to_be_visible()
    page.click("#recalculate")
    expect(page.locator("#items-notice")).to_contain_text("再計算しました(合計 ¥")
    _shot(page, "order-items")

    page.click("#tab-memos")
    page.fill("#memo-body", "あ" * 1001)
    page.click("#memo-submit")
    expect(page.locator("#memo-errors")).to_have_text("メモは1000文字以内で入力してください。")
    page.fill("#memo-body", "E2E 受注メモ")
    page.click("#memo-submit")
    expect(page.locator("[data-testid=memos]")).to_contain_text("E2E 受注メモ")
    _shot(page, "order-memos")
    with Session(app.engine) as s:
        assert s.execute(select(OrderMemo.body).where(OrderMemo.order_id == order.id)).scalars().all()[-1:] == [
            "E2E 受注メモ"
        ]
        assert s.execute(
            select(func.count()).where(OrderEvent.order_id == order.id, OrderEvent.kind == "recalculated")
        ).scalar_one() == 1  # fmt: skip

    page.click("#tab-payment")
    expect(page.locator("#provider-link")).to_be_visible()
    _shot(page, "order-payment")
    page.click("#tab-history")
    expect(page.locator("[data-testid=events]")).to_contain_text("再計算")
    _shot(page, "order-history")

    page.click("#tab-basic")
    page.click("#customer-link")
    page.wait_for_url(f"**/customers/{order.customer_id}")
    page.go_back()
    page.wait_for_url(f"**/orders/{order.id}")
    page.click("#subscription-link")
    page.wait_for_url(f"**/subscriptions/{order.subscription_id}")
