"""Roles in the browser (issue 20): a 一般 operator does not see 決済状況一括変更 and is refused when
the tab sends its events over the websocket anyway (管理者 doing the same registers the job, the
control); a 閲覧のみ operator sees no download and the route refuses the file; 管理者管理 and 操作ログ."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from sqlalchemy import func, select
from sqlmodel import Session

from ecweb_core.demo import (
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_STAFF_LOGIN,
    DEMO_STAFF_PASSWORD,
    DEMO_VIEWER_LOGIN,
    DEMO_VIEWER_PASSWORD,
)
from ecweb_core.models import AuditEntry, Job
from ecweb_state.job_forms import PaymentFormState
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/roles-shots")
# A Socket.IO packet's head: its type and, for a namespace, "/_event," (42/_event,[...]).
PACKET = r"^\d+(/[^,\[]*,)?"


def _login_as(page: Page, base: str, login: str, password: str) -> None:
    """As conftest.login, for any operator (typing lost to hydration posts an empty form: again)."""
    for _ in range(3):
        page.goto(f"{base}/login", wait_until="networkidle")
        page.fill("#login", login)
        page.fill("#password", password)
        page.click("#login-submit")
        page.wait_for_url(re.compile(r".*/(orders|login/?\?error=empty)$"))
        if page.url.rstrip("/").endswith("/orders"):
            return
    raise AssertionError("could not log in")


class ForgingSocket:
    """Sits on the tab's websocket (Playwright's route_web_socket), passing everything through, and
    can send an event the UI never offered, in the format the tab's own events have."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.received: list[str] = []
        self.server: WebSocketRoute | None = None

    def route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.server = server

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str):
                self.sent.append(message)
            server.send(message)

        ws.on_message(from_page)

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str):
                self.received.append(message)
            ws.send(message)

        server.on_message(from_server)

    def received_text(self) -> str:
        """What the backend sent, decoded (its JSON may escape the Japanese)."""
        out = []
        for m in self.received:
            body = re.sub(PACKET, "", m)
            try:
                out.append(json.dumps(json.loads(body), ensure_ascii=False))
            except ValueError:
                out.append(m)
        return "\n".join(out)

    def forge(self, name: str, payload: dict[str, Any]) -> None:
        """A copy of the tab's last event message with another handler and payload."""
        template = next(m for m in reversed(self.sent) if re.match(r"^42", m) and '"name"' in m)
        prefix = re.match(PACKET, template).group(0)  # type: ignore[union-attr]
        frame = json.loads(template[len(prefix) :])
        event = frame[1]
        event["name"], event["payload"] = name, payload
        assert self.server is not None
        self.server.send(prefix + json.dumps(frame))


def _payment_jobs(app: RunningApp) -> int:
    with Session(app.engine) as s:
        return int(s.execute(select(func.count()).select_from(Job).where(Job.kind == "payment")).scalar_one())


def _wait_until(page: Page, done: Callable[[], bool]) -> None:
    for _ in range(150):
        if done():
            return
        page.wait_for_timeout(100)
    raise AssertionError("did not happen within 15 s")


def _forge_payment(browser: Browser, app: RunningApp, login: str, password: str,
                   check: Callable[[Page], None], done: Callable[[ForgingSocket], bool]) -> None:  # fmt: skip
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30000)
    sock = ForgingSocket()
    page.route_web_socket(re.compile(r".*/_event.*"), sock.route)
    _login_as(page, app.url, login, password)
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    check(page)
    rows.nth(0).locator("button[role=checkbox]").click()  # a real event of the tab: the template
    expect(page.locator("#target-count")).to_contain_text("1")
    name = f"{PaymentFormState.get_full_name()}"
    sock.forge(f"{name}.set_process", {"value": "reauthorize"})
    sock.forge(f"{name}.submit_payment", {"form_data": {}})
    _wait_until(page, lambda: done(sock))
    context.close()


def test_staff_does_not_see_payment_and_a_forged_event_is_refused(browser: Browser, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = _payment_jobs(app)

    def staff_view(page: Page) -> None:
        expect(page.locator("#open-bulk_update")).to_be_visible()
        expect(page.locator("#open-csv_export")).to_be_visible()
        expect(page.locator("#open-payment")).to_have_count(0)
        expect(page.locator("#nav-settings")).to_have_count(0)  # 一般 changes no setting
        page.screenshot(path=str(SHOTS / "orders-staff.png"))

    refused = "この操作を行う権限がありません。"
    _forge_payment(browser, app, DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD, staff_view,
                   lambda sock: refused in sock.received_text())  # fmt: skip
    assert _payment_jobs(app) == before

    def admin_view(page: Page) -> None:
        expect(page.locator("#open-payment")).to_be_visible()

    # The control: the same forged events from 管理者 do register the job.
    _forge_payment(browser, app, DEMO_LOGIN, DEMO_PASSWORD, admin_view, lambda _: _payment_jobs(app) > before)
    assert _payment_jobs(app) == before + 1


def _export_job(browser: Browser, app: RunningApp) -> int:
    """An export job registered by 管理者 through the UI, finished by the worker."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30000)
    _login_as(page, app.url, DEMO_LOGIN, DEMO_PASSWORD)
    rows = page.locator("[data-testid=order-row]")
    expect(rows).to_have_count(50)
    rows.nth(1).locator("button[role=checkbox]").click()
    page.click("#open-csv_export")
    page.click("#csv_export-format")
    page.get_by_role("option", name="受注一覧(標準)(受注単位)", exact=True).click()
    page.click("#submit-csv_export")
    notes = page.locator("[data-testid=notification]")
    expect(notes.filter(has_text="CSV一括出力 を完了しました。").first).to_be_visible()
    context.close()
    with Session(app.engine) as s:
        return int(s.execute(select(func.max(Job.id)).where(Job.kind == "csv_export")).scalar_one())


def test_viewer_cannot_download_an_export(browser: Browser, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    job_id = _export_job(browser, app)
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30000)
    _login_as(page, app.url, DEMO_VIEWER_LOGIN, DEMO_VIEWER_PASSWORD)
    expect(page.locator("[data-testid=order-row]")).to_have_count(50)
    for kind in ("bulk_update", "csv_export", "payment", "pdf_export", "mail", "dunning"):
        expect(page.locator(f"#open-{kind}")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "orders-viewer.png"))
    page.goto(f"{app.url}/jobs")
    expect(page.locator("[data-testid=job-row]").first).to_be_visible()
    expect(page.locator("[data-testid=job-export]")).to_have_count(0)
    expect(page.locator("[data-testid=job-result]")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "jobs-viewer.png"))
    # The file itself, asked for with the viewer's session cookie: refused, in Japanese.
    answer = page.request.get(f"{app.url}/api/jobs/{job_id}/export")
    assert answer.status == 403 and answer.text() == "この操作を行う権限がありません。"
    context.close()

    # 管理者 gets it, and the download is in the 操作ログ.
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(30000)
    _login_as(page, app.url, DEMO_LOGIN, DEMO_PASSWORD)
    answer = page.request.get(f"{app.url}/api/jobs/{job_id}/export")
    assert answer.status == 200 and answer.body()
    with Session(app.engine) as s:
        logged = s.execute(select(AuditEntry).where(AuditEntry.kind == "download").order_by(AuditEntry.id.desc()))
        entry = logged.scalars().first()
    assert entry is not None and entry.target == f"ジョブ #{job_id}"
    page.goto(f"{app.url}/settings/audit-log")
    expect(page.locator("[data-testid=audit-row]").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "audit-log.png"), full_page=True)
    page.fill("#audit-text", f"ジョブ #{job_id}")
    page.click("#audit-search")
    expect(page.locator("[data-testid=audit-row]").first).to_contain_text("ダウンロード")
    context.close()


def test_operators_screen(page: Page, app: RunningApp) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _login_as(page, app.url, DEMO_LOGIN, DEMO_PASSWORD)
    page.goto(f"{app.url}/settings/operators")
    rows = page.locator("[data-testid=operator-row]")
    expect(rows.filter(has_text=DEMO_STAFF_LOGIN)).to_have_count(1)
    # Oneself: no 無効にする button.
    expect(rows.filter(has_text="デモ 担当者").get_by_role("button", name="無効にする")).to_have_count(0)
    page.click("#new-operator")
    page.fill("#new-login", "e2e-new")
    page.fill("#new-name", "新しい担当")
    page.fill("#new-password", "short")
    page.click("#create-operator")
    expect(page.locator("#operator-errors")).to_contain_text("パスワードは10文字以上で入力してください。")
    page.screenshot(path=str(SHOTS / "operators-create.png"))
    page.fill("#new-password", "e2e-pass-2026")
    page.click("#create-operator")
    expect(page.locator("#operators-message")).to_have_text("管理者「e2e-new」を作成しました。")
    new_row = rows.filter(has_text="e2e-new")
    new_row.get_by_role("button", name="無効にする").click()
    expect(page.locator("#operators-message")).to_have_text("管理者を無効にしました。")
    expect(new_row).to_contain_text("無効")
    page.screenshot(path=str(SHOTS / "operators.png"), full_page=True)
