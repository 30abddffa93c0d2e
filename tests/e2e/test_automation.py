"""自動化設定 in the browser: rules created, refused, enabled, reordered (drag and drop, 先頭 / 末尾),
then a 一括更新 whose change the workers' middleware turns into rule runs, seen in 実行履歴."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select, update
from sqlmodel import Session

from ecweb_core.automation.rules import create_rule, set_enabled
from ecweb_core.models import AutomationRule, Customer, Order
from ecweb_core.models.common import utcnow
from ecweb_core.statuses import CONFIRMED, DELIVERED, RETURNED, SHIPPED
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = "/tmp/auto"


@pytest.fixture(autouse=True)
def _no_rules_left(app: RunningApp) -> Iterator[None]:
    """One app and database serve every e2e test: a rule left enabled here would act on the orders of
    the tests that follow (the cycle's rules turned another test's 配送完了 back into 発送完了)."""
    yield
    with Session(app.engine) as s:
        s.execute(delete(AutomationRule))
        s.commit()


def _pick(page: Page, selector: str, option: str) -> None:
    page.click(selector)
    page.get_by_role("option", name=option, exact=True).click()


def _add_rule(page: Page, event: str, action: str, param: str) -> None:
    _pick(page, "#rule-event", event)
    _pick(page, "#rule-action", action)
    _pick(page, "#rule-param", param)
    page.click("#rule-create")


def _confirmed_order(app: RunningApp) -> str:
    with Session(app.engine) as s:
        order = (
            s.execute(
                select(Order)
                .where(Order.status_id.not_in((SHIPPED, RETURNED)), Order.needs_attention.is_(False))
                .order_by(Order.id.desc())
            )
            .scalars()
            .first()
        )
        assert order is not None
        s.execute(update(Order).where(Order.id == order.id).values(status_id=CONFIRMED, ordered_at=utcnow()))
        s.commit()
        return order.number


def _bulk_update_status(page: Page, app: RunningApp, number: str, status: str) -> None:
    page.goto(f"{app.url}/orders")
    page.fill("#f-number", number)
    page.click("#search-submit")
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(1)
    rows.first.locator("button[role=checkbox]").click()
    page.click("#open-bulk_update")
    _pick(page, "#bu-status_id", status)
    page.click("#submit-bulk_update")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 一括更新 を完了しました。").first).to_be_visible()


def test_rules_screen_and_a_rule_fired_by_bulk_update(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/automation")
    page.click("#rule-create")  # nothing chosen
    expect(page.locator("#rule-errors")).to_contain_text("イベントを選択してください。")

    _add_rule(page, "受注の対応状況が「返品」になったとき", "受注の要対応ステータスを変更する", "要対応にする")
    expect(page.locator("#rule-notice")).to_contain_text("イベントを登録しました。")
    _add_rule(page, "受注の対応状況が「発送完了」になったとき", "対応状況を変更する", "返品")
    rows = page.locator("[data-testid=rule-row]")
    expect(rows).to_have_count(2)
    # The same イベント and アクション again (another parameter): refused, in Japanese.
    _add_rule(page, "受注の対応状況が「発送完了」になったとき", "対応状況を変更する", "配送完了")
    expect(page.locator("#rule-errors")).to_have_text(
        "同じイベントとアクションの組み合わせを複数(2つ以上)登録できません。"
    )
    expect(rows).to_have_count(2)

    # Reorder: drag the second rule's handle onto the first row, then 末尾 / 先頭.
    expect(rows.nth(0).locator("[data-testid=rule-event]")).to_contain_text("返品")
    handle = rows.nth(1).locator("[data-testid=rule-handle]")
    handle.hover()
    page.mouse.down()
    rows.nth(0).hover()
    page.mouse.up()
    expect(rows.nth(0).locator("[data-testid=rule-event]")).to_contain_text("発送完了")
    rows.nth(0).locator("[data-testid=rule-bottom]").click()
    expect(rows.nth(1).locator("[data-testid=rule-event]")).to_contain_text("発送完了")
    rows.nth(1).locator("[data-testid=rule-top]").click()
    expect(rows.nth(0).locator("[data-testid=rule-event]")).to_contain_text("発送完了")
    with Session(app.engine) as s:
        positions = s.execute(select(AutomationRule.param).order_by(AutomationRule.position)).scalars().all()
        assert positions == [str(RETURNED), "on"]

    for i in range(2):
        rows.nth(i).locator("[data-testid=rule-toggle]").click()
        expect(rows.nth(i).locator("[data-testid=rule-status]")).to_have_text("有効")
    page.screenshot(path=f"{SHOTS}/automation_rules.png", full_page=True)

    number = _confirmed_order(app)
    _bulk_update_status(page, app, number, "発送完了")
    with Session(app.engine) as s:  # 発送完了 → rule 1 sets 返品 → rule 2 flags 要対応
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            order = s.execute(select(Order).where(Order.number == number)).scalar_one()
            if order.needs_attention:
                break
            s.expire_all()
            time.sleep(0.3)
        assert order.status_id == RETURNED and order.needs_attention and order.attention_reason == "自動化設定"

    page.goto(f"{app.url}/settings/automation")
    page.click("#tab-runs")
    runs = page.locator("[data-testid=run-row]")
    expect(runs).to_have_count(2)
    expect(runs.nth(0)).to_contain_text(number)
    expect(runs.nth(0).locator("[data-testid=run-outcome]")).to_have_text("成功")
    page.screenshot(path=f"{SHOTS}/automation_runs.png", full_page=True)


def test_seed_example_rule_mails_the_customer_after_bulk_update(page: Page, app: RunningApp) -> None:
    """The seed's example: 受注の対応状況が「発送完了」になったとき / メールを送信する / 商品発送完了メール."""
    assert app.mail is not None
    with Session(app.engine) as s:  # a clean list, and a customer who accepts mail
        s.execute(delete(AutomationRule))
        s.commit()
    number = _confirmed_order(app)
    with Session(app.engine) as s:
        order = s.execute(select(Order).where(Order.number == number)).scalar_one()
        s.execute(
            update(Customer)
            .where(Customer.id == order.customer_id)
            .values(mail_opt_in=True, email="e2e-auto@example.jp")
        )
        s.commit()
    app.mail.store.clear()

    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/automation")
    expect(page.locator("[data-testid=rule-row]")).to_have_count(0)
    _add_rule(page, "受注の対応状況が「発送完了」になったとき", "メールを送信する", "商品発送完了メール")
    row = page.locator("[data-testid=rule-row]").first
    expect(row.locator("[data-testid=rule-param]")).to_have_text("商品発送完了メール")
    row.locator("[data-testid=rule-toggle]").click()
    expect(row.locator("[data-testid=rule-status]")).to_have_text("有効")

    _bulk_update_status(page, app, number, "発送完了")
    deadline = time.monotonic() + 30
    while not app.mail.store.mails and time.monotonic() < deadline:
        time.sleep(0.2)
    (mail,) = app.mail.store.mails
    assert "e2e-auto@example.jp" in mail.rcpt_tos
    assert mail.subject.startswith("【") and number in mail.subject and "発送" in mail.subject

    page.goto(f"{app.url}/settings/automation")
    page.click("#tab-runs")
    run = page.locator("[data-testid=run-row]").first
    expect(run).to_contain_text(number)
    expect(run.locator("[data-testid=run-outcome]")).to_have_text("成功")
    expect(run.locator("[data-testid=run-message]")).to_contain_text("送信しました: e2e-auto@example.jp")
    page.screenshot(path=f"{SHOTS}/automation_mail_run.png", full_page=True)


def test_single_edit_on_order_detail_fires_a_rule(page: Page, app: RunningApp) -> None:
    """受注詳細 → 配送伝票番号 → the app sends automation_drain → 対応状況 becomes 発送完了."""
    with Session(app.engine) as s:
        s.execute(delete(AutomationRule))
        s.commit()
    number = _confirmed_order(app)
    with Session(app.engine) as s:
        order_id = s.execute(select(Order.id).where(Order.number == number)).scalar_one()
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/automation")
    _add_rule(page, "受注の配送伝票番号がセットされたとき", "対応状況を変更する", "発送完了")
    row = page.locator("[data-testid=rule-row]").first
    row.locator("[data-testid=rule-toggle]").click()
    expect(row.locator("[data-testid=rule-status]")).to_have_text("有効")

    page.goto(f"{app.url}/orders/{order_id}")
    page.fill("#edit-shipped_at", "2026-02-30")
    page.click("#edit-submit")
    expect(page.locator("#edit-errors")).to_have_text("発送完了日は YYYY-MM-DD の形式で入力してください。")
    page.fill("#edit-shipped_at", "")
    page.fill("#edit-tracking_number", "E2E-TRACK-1")
    page.click("#edit-submit")
    expect(page.locator("#edit-notice")).to_have_text("受注を更新しました。")
    deadline = time.monotonic() + 30
    with Session(app.engine) as s:
        while time.monotonic() < deadline:
            order = s.execute(select(Order).where(Order.id == order_id)).scalar_one()
            if order.status_id == SHIPPED:
                break
            s.expire_all()
            time.sleep(0.3)
        assert order.tracking_number == "E2E-TRACK-1" and order.status_id == SHIPPED
    page.reload()
    page.click("#tab-history")
    expect(page.locator("[data-testid=events]")).to_contain_text("配送伝票番号セット")
    page.screenshot(path=f"{SHOTS}/order_detail_edit.png", full_page=True)


def test_a_cycle_of_rules_stops_and_is_reported_on_the_screen(page: Page, app: RunningApp) -> None:
    """発送完了 → 配送完了 → 返品 → 発送完了 …: the engine stops the loop and the screen says so."""
    with Session(app.engine) as s:
        s.execute(delete(AutomationRule))
        s.commit()
    with app.engine.begin() as conn:
        for event, param in ((SHIPPED, DELIVERED), (DELIVERED, RETURNED), (RETURNED, SHIPPED)):
            rule = create_rule(conn, {"event": f"status|{event}", "action": "change_status", "param": str(param)})
            set_enabled(conn, rule, True)
    number = _confirmed_order(app)
    login(page, app.url)
    page.wait_for_url("**/orders")
    _bulk_update_status(page, app, number, "発送完了")
    page.goto(f"{app.url}/settings/automation")
    callout = page.locator("#automation-problems")
    deadline = time.monotonic() + 30
    while not callout.is_visible() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    expect(callout).to_contain_text("要確認の実行が 1 件あります")
    page.screenshot(path=f"{SHOTS}/automation_problems.png")
    page.click("#show-problems")
    rows = page.locator("[data-testid=run-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    expect(rows.first.locator("[data-testid=run-outcome]")).to_have_text("循環を検出")
    expect(rows.first.locator("[data-testid=run-message]")).to_contain_text("ルールの循環を検出したため停止しました")
    page.screenshot(path=f"{SHOTS}/automation_cycle.png", full_page=True)
    # 確認済みにする: the callout goes, the run stays in the 実行履歴 marked 確認済.
    page.click("#tab-rules")
    page.click("#acknowledge-problems")
    expect(callout).to_have_count(0)
    expect(page.locator("#rule-notice")).to_contain_text("要確認の実行 1 件を確認済みにしました。")
    page.click("#tab-runs")
    expect(rows.first).to_contain_text("確認済")
    with Session(app.engine) as s:
        assert s.execute(select(Order.status_id).where(Order.number == number)).scalar_one() == SHIPPED
