"""Starts the real app (prod build, one port, a private redis-server, its own SQLite database)
and drives it with Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from ecweb_core.db import make_engine
from ecweb_core.demo import DEMO_LOGIN, DEMO_PASSWORD, generate
from ecweb_core.migrate import upgrade
from ecweb_core.models import Order
from ecweb_core.payments.demo import seed
from ecweb_core.settings import PROJECT_ROOT
from tests.mail_server import AppCapture, start_app_capture
from tests.payment_provider import Provider, sandbox_provider

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
E2E_ORDERS = 320
# A loaded machine (other suites on the same 2 cores) can take seconds to connect a tab's websocket:
# assertions wait up to 15 s, not Playwright's 5.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {timeout}s:\n{log.read_text()[-4000:]}")


@dataclass
class RunningApp:
    url: str
    engine: Engine
    mail: AppCapture | None = None  # the capture SMTP server the app sends to (SMTP_URL)
    provider: Provider | None = None  # the sandbox payment provider (PAYMENT_PROVIDER_URL)


def seed_payments(engine: Engine, provider_url: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAYMENT_PROVIDER_URL", provider_url)
        seed(engine)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'e2e.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    generate(engine, E2E_ORDERS, seed=5)

    redis_port, port = _free_port(), _free_port()
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "ECWEB_FRONTEND_PORT": str(port),
        "ECWEB_BACKEND_PORT": str(port),
        "ECWEB_VAR_DIR": str(tmp),
        "ECWEB_JOB_FILES_DIR": str(tmp / "jobs"),
        # Toasts stay long enough for a loaded machine's assertions (they still take no clicks).
        "ECWEB_NOTE_SECONDS": "60",
    }
    mail = start_app_capture(engine)
    env["SMTP_URL"] = mail.url
    providing = sandbox_provider(tmp)
    provider = providing.__enter__()
    env["PAYMENT_PROVIDER_URL"] = provider.url
    seed_payments(engine, provider.url)  # the demo orders' authorizations, as make run makes them
    log = tmp / "app.log"
    with (tmp / "worker.log").open("wb") as out:
        worker = subprocess.Popen(
            ["dramatiq", "workers", "--processes", "1", "--threads", "2"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
             "--backend-port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/ping", 240, proc, log)
        _wait_http(f"http://127.0.0.1:{port}/login", 60, proc, log)
        yield RunningApp(url=f"http://127.0.0.1:{port}", engine=engine, mail=mail, provider=provider)
    finally:
        for p in (proc, worker):
            os.killpg(p.pid, signal.SIGTERM)
        for p in (proc, worker):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        redis.terminate()
        mail.stop()
        providing.__exit__(None, None, None)
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="ja-JP")
    pg = context.new_page()
    pg.set_default_timeout(20000)
    yield pg
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        out = PROJECT_ROOT / "test-artifacts"
        out.mkdir(exist_ok=True)
        pg.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def order_count(app: RunningApp) -> int:
    """The orders now: E2E_ORDERS plus those an earlier test created (定期受注's 手動作成)."""
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Order)).scalar_one())


def login(page: Page, base: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the form (it posts natively to /api/login). Typing that lands before React
    has hydrated the form can be lost (the post arrives empty: /login?error=empty): then again."""
    for _ in range(3):
        page.goto(f"{base}/login", wait_until="networkidle")
        page.fill("#login", DEMO_LOGIN)
        page.fill("#password", password)
        page.click("#login-submit")
        # The response of POST /api/login sends the tab to /orders or back to /login?error=<code>.
        page.wait_for_url(re.compile(r".*/(orders|login/?\?error=\w+)$"))
        if "error=empty" not in page.url:
            return
