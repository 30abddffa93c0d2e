"""メール一括通知 and メールテンプレート管理 in the browser: templates validated at save, the dialog's
preview and テンプレートから引用, refused input registering nothing, the job mailing over SMTP to the
capture server, and the mails readable on 送信メール."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update
from sqlmodel import Session

from ecweb_core.models import Customer, Job, Order
from tests.e2e.conftest import RunningApp, login

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/mail")
QUOTED_SUBJECT = "【{{ shop.name }}】商品を発送いたしました(受注番号: {{ order.number }})"


def _shot(page: Page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def _jobs(app: RunningApp) -> int:
    with Session(app.engine) as s:
        return int(s.execute(select(func.count()).select_from(Job).where(Job.kind == "mail")).scalar_one())


def test_templates_are_validated_at_save(page: Page, app: RunningApp) -> None:
    login(page, app.url)
    page.wait_for_url("**/orders")
    page.goto(f"{app.url}/settings/mail-templates")
    rows = page.locator("[data-testid=template-row]")
    expect(rows).to_have_count(4)
    for name in ("注文完了メール", "2回目以降定期購入通知メール", "商品発送完了メール", "注文キャンセル完了メール"):
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(rows.first.get_by_role("button", name="削除")).to_be_disabled()

    page.click("#new-template")
    page.fill("#tpl-name", "E2Eお知らせ")
    page.fill("#tpl-subject", "{{ order.number }} のお知らせ")
    page.fill("#tpl-body", "{{ customer.nickname }} 様")
    page.click("#save-template")
    expect(page.locator("#template-errors")).to_contain_text("不明な差し込み項目")
    page.fill("#tpl-body", "{{ ''.__class__ }}")
    page.click("#save-template")
    expect(page.locator("#template-errors")).to_contain_text("使用できない項目")
    _shot(page, "template-error")
    page.fill(
        "#tpl-body", "{{ customer.name }} 様\n{% for item in items %}・{{ item.name }}\n{% endfor %}{{ shop.name }}"
    )
    page.click("#save-template")
    expect(page.locator("#template-message")).to_have_text("メールテンプレート「E2Eお知らせ」を保存しました。")
    expect(rows).to_have_count(5)
    _shot(page, "templates")
    # 削除, with confirmation: the template goes, the message names it.
    rows.filter(has_text="E2Eお知らせ").get_by_role("button", name="削除").click()
    page.click("#confirm-delete")
    expect(page.locator("#template-message")).to_have_text("メールテンプレート「E2Eお知らせ」を削除しました。")
    expect(rows).to_have_count(4)


def test_mail_job_from_grid_to_mailbox(page: Page, app: RunningApp) -> None:
    assert app.mail is not None
    login(page, app.url)
    page.wait_for_url("**/orders")
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    numbers = [rows.nth(i).locator("a").inner_text() for i in (0, 1, 2)]
    with app.engine.begin() as conn:
        customers = dict(conn.execute(select(Order.number, Order.customer_id).where(Order.number.in_(numbers))).all())
        for n, number in enumerate(numbers):
            conn.execute(
                update(Customer)
                .where(Customer.id == customers[number])
                .values(email=f"e2e{n}@example.jp", mail_opt_in=n != 1)  # the second one: 送信しない
            )
    for i in (0, 1, 2):
        rows.nth(i).locator("button[role=checkbox]").click()
    expect(page.locator("#target-count")).to_have_text("処理対象: 選択した受注 3件")

    page.click("#open-mail")
    expect(page.locator("#mail-preview-subject")).to_contain_text("ご注文ありがとうございます")  # 注文完了メール
    page.click("#mail-template")
    page.get_by_role("option", name="商品発送完了メール").click()
    expect(page.locator("#mail-preview-subject")).to_contain_text("商品を発送いたしました")
    _shot(page, "mail-dialog-template", full_page=False)

    # Bad input: refused with a Japanese message, no job registered.
    before = _jobs(app)
    page.click("#mail-quote")
    expect(page.locator("#mail-subject")).to_have_value(QUOTED_SUBJECT)
    page.fill("#mail-cc", "not-an-address")
    page.click("#submit-mail")
    expect(page.locator("#job-errors")).to_contain_text("CCのメールアドレスが正しくありません")
    assert _jobs(app) == before
    page.fill("#mail-cc", "")
    page.fill("#mail-subject", "")
    page.click("#submit-mail")
    expect(page.locator("#job-errors")).to_contain_text("件名を入力してください。")
    assert _jobs(app) == before

    # テンプレートから引用, then edited: the preview follows.
    page.click("#mail-quote")
    expect(page.locator("#mail-subject")).to_have_value(QUOTED_SUBJECT)  # the quote has arrived
    page.fill("#mail-subject", "【E2E】{{ order.number }} 発送のお知らせ")
    page.fill("#mail-bcc", "audit@example.jp")
    page.locator("#mail-body").click()  # blur the subject: the preview refreshes
    expect(page.locator("#mail-preview-subject")).to_contain_text("【E2E】")
    _shot(page, "mail-dialog", full_page=False)
    page.click("#submit-mail")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="受注 メール一括通知 を登録しました。")).to_have_count(1)
    expect(notes.filter(has_text="受注 メール一括通知 を完了しました。")).to_have_count(1, timeout=60000)
    assert _jobs(app) == before + 1

    sent = [m for m in app.mail.store.mails if m.subject.startswith("【E2E】")]
    assert sorted(m.subject for m in sent) == sorted(f"【E2E】{n} 発送のお知らせ" for n in (numbers[0], numbers[2]))
    assert all("audit@example.jp" in m.rcpt_tos and "audit" not in m.to for m in sent)

    page.goto(f"{app.url}/jobs")
    job_row = page.locator("[data-testid=job-row]").first
    expect(job_row.locator("[data-testid=job-counts]")).to_have_text("成功 2 / 失敗 0 / スキップ 1")

    page.goto(f"{app.url}/mailbox")
    mails = page.locator("[data-testid=mail-row]").filter(has_text="【E2E】")
    expect(mails).to_have_count(2)
    mails.filter(has_text=numbers[0]).click()
    expect(page.locator("#mail-open-subject")).to_have_text(f"【E2E】{numbers[0]} 発送のお知らせ")
    expect(page.locator("#mail-open-body")).to_contain_text("ご注文いただいた商品を発送いたしました。")
    _shot(page, "mailbox")
