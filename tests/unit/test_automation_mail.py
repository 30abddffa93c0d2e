"""メールを送信する rules through the real mail service and a real aiosmtpd capture server: sent once,
retried while the SMTP server is down (the event is never lost), reported when retries run out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.automation.deferred import MAX_ATTEMPTS, dedupe_key, run_deferred
from ecweb_core.automation.engine import drain
from ecweb_core.automation.history import problem_count
from ecweb_core.automation.mail_bridge import send_rule_mail
from ecweb_core.automation.rules import create_rule, set_enabled
from ecweb_core.demo import generate
from ecweb_core.models import AutomationRun, Customer, Order, OrderEvent
from ecweb_core.models.common import utcnow
from ecweb_core.order_edit import edit_order, parse_edit
from ecweb_core.statuses import CONFIRMED, SHIPPED
from tests.conftest import DEMO_NOW
from tests.mail_server import SmtpServer, free_port, smtp_server


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def engine(empty_engine: Engine, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SMTP_URL", smtp.url)
    smtp.store.clear()
    generate(empty_engine, 20, seed=8, now=DEMO_NOW)
    with empty_engine.begin() as conn:
        conn.execute(update(Order).values(status_id=CONFIRMED, ordered_at=DEMO_NOW))
        conn.execute(
            update(Customer).values(mail_opt_in=True, email=func.coalesce(Customer.email, "someone@example.jp"))
        )
        rule = create_rule(
            conn,
            {"event": f"status|{SHIPPED}", "action": "send_mail", "param": "system:商品発送完了メール"},
        )
        set_enabled(conn, rule, True)
    return empty_engine


def _ship(engine: Engine) -> int:
    with engine.begin() as conn:
        order_id = conn.execute(select(Order.id).order_by(Order.id).limit(1)).scalar_one()
        edit_order(conn, order_id, parse_edit(conn, {"status_id": str(SHIPPED)}), None)
    return order_id


def _run(engine: Engine) -> AutomationRun:
    with Session(engine) as s:
        return s.execute(select(AutomationRun)).scalar_one()


def test_mail_rule_sends_once(engine: Engine, smtp: SmtpServer) -> None:
    _ship(engine)
    drain(engine)
    run = _run(engine)
    assert (run.outcome, run.attempts) == ("ok", 1) and "送信しました" in (run.message or "")
    assert len(smtp.store.mails) == 1 and "発送" in smtp.store.mails[0].subject
    drain(engine)  # nothing new: nothing sent again
    # Even a second send with the run's key is refused by the ledger.
    outcome = send_rule_mail(engine, run.order_id, "system:商品発送完了メール", dedupe_key(run.rule_id, run.event_id))
    assert outcome[0] == "ok" and "再送しませんでした" in (outcome[1] or "")
    assert len(smtp.store.mails) == 1


def test_smtp_down_is_retried_then_sent_once(engine: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    _ship(engine)
    summary = drain(engine)
    run = _run(engine)
    assert summary.runs.get("retry") == 1 and (run.outcome, run.attempts) == ("retry", 1)
    assert "SMTPサーバーに接続できません" in (run.message or "")
    with Session(engine) as s:  # the event is drained; the run keeps the mail to send
        assert s.execute(select(OrderEvent.id).where(OrderEvent.processed_at.is_(None))).first() is None
    assert run_deferred(engine) == {}  # not due yet (backoff)
    monkeypatch.setenv("SMTP_URL", smtp.url)  # the server is back
    assert run_deferred(engine, now=utcnow() + timedelta(minutes=1)) == {"ok": 1}
    assert (_run(engine).outcome, _run(engine).attempts) == ("ok", 2)
    assert len(smtp.store.mails) == 1
    assert run_deferred(engine, now=utcnow() + timedelta(hours=1)) == {}


def test_smtp_down_for_good_is_reported(engine: Engine, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    _ship(engine)
    drain(engine)
    for hours in range(1, MAX_ATTEMPTS):
        run_deferred(engine, now=utcnow() + timedelta(hours=hours))
    run = _run(engine)
    assert (run.outcome, run.attempts) == ("failed", MAX_ATTEMPTS)
    assert f"{MAX_ATTEMPTS}回試行しましたが送信できませんでした" in (run.message or "")
    with engine.connect() as conn:
        assert problem_count(conn) == 1
    assert smtp.store.mails == []


def test_operator_templates_are_offered_and_sent(engine: Engine, smtp: SmtpServer) -> None:
    """③ パラメーター of メールを送信する: the system templates, then メールテンプレート管理's own ones."""
    from ecweb_core.automation.catalog import action_params
    from ecweb_core.models import MailTemplate

    with engine.begin() as conn:
        conn.execute(
            MailTemplate.__table__.insert().values(
                name="入金確認メール", subject="{{ order.number }} 入金確認", body="{{ customer.name }} 様", cc="",
                bcc="", is_system=False, created_at=utcnow(), updated_at=utcnow(),
            )
        )  # fmt: skip
        params = dict(action_params(conn, "send_mail"))
        template_param = next(k for k, v in params.items() if v == "入金確認メール")
        assert list(params.values())[:4] == [
            "注文完了メール",
            "2回目以降定期購入通知メール",
            "商品発送完了メール",
            "注文キャンセル完了メール",
        ]
        rule = create_rule(conn, {"event": "tracking_number", "action": "send_mail", "param": template_param})
        set_enabled(conn, rule, True)
    with engine.begin() as conn:
        order_id = conn.execute(select(Order.id).order_by(Order.id).limit(1)).scalar_one()
        edit_order(conn, order_id, parse_edit(conn, {"tracking_number": "T-9"}), None)
    drain(engine)
    (mail,) = smtp.store.mails
    assert mail.subject.endswith("入金確認")
