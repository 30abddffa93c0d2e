"""設定 in the browser, as a shop owner sets up the rules: 発送準備中 created in 対応状況管理 and set by
the seed's example rule after a 一括更新 of 出荷リスト; a payment fee changed in 支払方法 and used by
the next 一括更新 of 支払方法; a reason added in 理由管理 offered by 一括更新; refusals in Japanese."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select, update
from sqlmodel import Session

from ecweb_core.models import (
    AutomationRule,
    Order,
    OrderItem,
    OrderStatus,
    PaymentFeeTier,
    PaymentMethod,
    Product,
    Reason,
)
from ecweb_core.models.common import utcnow
from ecweb_core.settings import PROJECT_ROOT
from ecweb_core.statuses import CONFIRMED
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = PROJECT_ROOT / "test-artifacts" / "settings"


@pytest.fixture(autouse=True)
def _clean(app: RunningApp) -> Iterator[None]:
    """One app and database serve every e2e test: no rule of ours may act on the next test's orders."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield
    with Session(app.engine) as s:
        s.execute(delete(AutomationRule))
        s.commit()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _pick(page: Page, selector: str, option: str) -> None:
    page.click(selector)
    page.get_by_role("option", name=option, exact=True).click()


def _tick_order(page: Page, app: RunningApp, number: str) -> None:
    page.goto(f"{app.url}/orders")
    page.fill("#f-number", number)
    page.click("#search-submit")
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(1)
    rows.first.locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_have_text("処理対象: 選択した受注 1件")


def _wait_done(page: Page, count: int) -> None:
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 一括更新 を完了しました。")).to_have_count(count)


def test_status_created_in_status_management_is_set_by_a_rule(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/order-statuses")
    names = page.locator("[data-testid=list-name]")
    expect(names.filter(has_text="注文確定")).to_have_count(1)
    page.click("#list-create")  # nothing typed
    expect(page.locator("#list-create-errors")).to_have_text("対応状況名を入力してください。")
    page.fill("#list-new-name", "発送完了")
    page.click("#list-create")
    expect(page.locator("#list-create-errors")).to_have_text("対応状況「発送完了」は既に登録されています。")
    page.fill("#list-new-name", "発送準備中")
    page.click("#list-create")
    expect(page.locator("#list-message")).to_have_text("対応状況「発送準備中」を登録しました。")
    row = page.locator("[data-testid=list-row]").filter(has_text="発送準備中")
    expect(row).to_have_count(1)
    with Session(app.engine) as s:
        status_id = s.execute(select(OrderStatus.id).where(OrderStatus.name == "発送準備中")).scalar_one()
    expect(row.locator("[data-testid=list-id]")).to_have_text(str(status_id))
    _shot(page, "order_statuses")

    # The seed's example rule, with the status just created.
    page.goto(f"{app.url}/settings/automation")
    _pick(page, "#rule-event", "受注の出荷リストが「出力済み」になったとき")
    _pick(page, "#rule-action", "対応状況を変更する")
    _pick(page, "#rule-param", "発送準備中")
    page.click("#rule-create")
    rules = page.locator("[data-testid=rule-row]")
    expect(rules).to_have_count(1)
    expect(rules.first.locator("[data-testid=rule-param]")).to_have_text("発送準備中")
    rules.first.locator("[data-testid=rule-toggle]").click()
    expect(rules.first.locator("[data-testid=rule-status]")).to_have_text("有効")
    with Session(app.engine) as s:
        rule_id = s.execute(select(AutomationRule.id)).scalar_one()

    # The grid's filter and 一括更新 offer it at once.
    with Session(app.engine) as s:
        order = s.execute(
            select(Order).where(Order.shipping_list_exported.is_(False), Order.ordered_at.is_not(None)).limit(1)
        ).scalar_one()
        s.execute(update(Order).where(Order.id == order.id).values(status_id=CONFIRMED, ordered_at=utcnow()))
        s.commit()
        number = order.number
    _tick_order(page, app, number)
    page.click("#f-status_ids")
    expect(page.get_by_role("option", name="発送準備中", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    page.click("#open-bulk_update")
    page.click("#bu-status_id")
    expect(page.get_by_role("option", name="発送準備中", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    _pick(page, "#bu-shipping_list", "出力済")
    page.click("#submit-bulk_update")
    _wait_done(page, 1)

    deadline = time.monotonic() + 30
    with Session(app.engine) as s:
        while time.monotonic() < deadline:
            current = s.execute(select(Order.status_id).where(Order.number == number)).scalar_one()
            if current == status_id:
                break
            s.expire_all()
            time.sleep(0.3)
    assert current == status_id
    page.goto(f"{app.url}/orders")
    page.fill("#f-number", number)
    page.click("#search-submit")
    expect(page.locator("[data-testid=order-row]").first).to_contain_text("発送準備中")

    # In use by the order and the rule: 削除 is refused and says where.
    page.goto(f"{app.url}/settings/order-statuses")
    row = page.locator("[data-testid=list-row]").filter(has_text="発送準備中")
    expect(row.locator("[data-testid=list-usage]")).to_have_text(f"受注 1件 / 自動化設定 ルールID {rule_id}")
    row.locator("[data-testid=list-delete]").click()
    page.click("#confirm-delete")
    expect(page.locator("#list-errors")).to_have_text(
        f"「発送準備中」は使用中のため削除できません(受注 1件 / 自動化設定 ルールID {rule_id})。"
    )
    expect(row).to_have_count(1)
    _shot(page, "order_statuses_in_use")


def test_a_payment_fee_changed_on_screen_is_used_by_bulk_update(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/payment-methods")
    row = page.locator("[data-testid=method-row]").filter(has_text="銀行振込")
    row.get_by_role("button", name="手数料を変更").click()
    page.fill("#method-fee", "-10")
    page.click("#save-method")
    expect(page.locator("#method-errors")).to_have_text("支払い手数料は0円以上で入力してください。")
    page.fill("#method-fee", "220")
    page.click("#add-tier")
    page.locator("[data-testid=tier-from]").first.fill("100,000")
    page.locator("[data-testid=tier-fee]").first.fill("0")
    page.click("#save-method")
    expect(page.locator("#method-message")).to_have_text("「銀行振込」の支払い手数料を保存しました。")
    expect(row.locator("[data-testid=method-fee]")).to_have_text("¥220")
    _shot(page, "payment_methods")
    with Session(app.engine) as s:
        bank = s.execute(select(PaymentMethod).where(PaymentMethod.code == "bank")).scalar_one()
        tiers = s.execute(select(PaymentFeeTier.min_amount, PaymentFeeTier.fee).where(
            PaymentFeeTier.payment_method_id == bank.id)).all()  # fmt: skip
        assert (bank.fee, [tuple(t) for t in tiers]) == (220, [(100000, 0)])
        own = select(OrderItem.order_id).join(Product, Product.id == OrderItem.product_id).where(
            Product.payment_fee.is_not(None))  # fmt: skip
        number = (
            s.execute(
                select(Order.number).where(
                    Order.payment_status != "captured",
                    Order.payment_method_id != bank.id,
                    Order.subtotal < 100000,
                    Order.id.not_in(own),
                )
            )
            .scalars()
            .first()
        )
    assert number

    # A new 要対応理由 is offered by 一括更新 at once, and both changes go through one job.
    page.goto(f"{app.url}/settings/reasons")
    page.fill("#list-new-name", "同梱物確認")
    page.click("#list-create")
    expect(page.locator("#list-message")).to_have_text("要対応理由「同梱物確認」を登録しました。")
    _tick_order(page, app, number)
    page.click("#open-bulk_update")
    _pick(page, "#bu-payment_method_id", "銀行振込")
    _pick(page, "#bu-needs_attention", "要対応にする")
    _pick(page, "#bu-attention_reason", "同梱物確認")
    page.click("#submit-bulk_update")
    _wait_done(page, 1)
    with Session(app.engine) as s:
        order = s.execute(select(Order).where(Order.number == number)).scalar_one()
        assert (order.payment_method_id, order.payment_fee) == (bank.id, 220)
        assert order.total == order.subtotal + order.shipping_fee + order.payment_fee - order.points_used
        assert (order.needs_attention, order.attention_reason) == (True, "同梱物確認")
    # 受注詳細 shows the new fee and offers the reason too.
    page.goto(f"{app.url}/orders/{order.id}")
    page.click("#tab-items")  # 受注商品管理 holds 金額
    expect(page.get_by_text("¥220", exact=True)).to_be_visible()
    page.click("#tab-basic")
    page.click("#edit-attention_reason")
    expect(page.get_by_role("option", name="同梱物確認", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    _shot(page, "order_detail")
    # In use now: 理由管理 refuses to delete it.
    page.goto(f"{app.url}/settings/reasons")
    row = page.locator("[data-testid=list-row]").filter(has_text="同梱物確認")
    expect(row.locator("[data-testid=list-usage]")).to_have_text("受注 1件")
    row.locator("[data-testid=list-delete]").click()
    page.click("#confirm-delete")
    expect(page.locator("#list-errors")).to_contain_text("「同梱物確認」は受注 1件に設定されているため削除できません。")
    with Session(app.engine) as s:
        assert s.execute(select(Reason.id).where(Reason.name == "同梱物確認")).first() is not None
        # Back to the demo's fee for the tests that follow.
        s.execute(update(PaymentMethod).where(PaymentMethod.id == bank.id).values(fee=0))
        s.execute(delete(PaymentFeeTier).where(PaymentFeeTier.payment_method_id == bank.id))
        s.commit()
