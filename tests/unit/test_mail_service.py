"""The mail service against a real aiosmtpd server: opt-out / no-address skips, CC/BCC in the
envelope, refused recipients, and no second mail for the same dedupe key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import Engine

from ecweb_core import ledger
from ecweb_core.demo import generate
from ecweb_core.mail.capture import CaptureHandler, MemoryStore
from ecweb_core.mail.service import MailContent, content_from_template, send_order_mails, system_template_id
from ecweb_core.models import Customer, ExternalEffect, Order
from tests.conftest import DEMO_NOW
from tests.dbs import backends, fresh_database
from tests.mail_server import SmtpServer, free_port, smtp_server

CONTENT = MailContent(
    subject="【{{ shop.name }}】{{ order.number }} のご案内",
    body="{{ customer.name }} 様\n{% for item in items %}{{ item.name }} x{{ item.quantity }}\n{% endfor %}"
    "合計 {{ order.total | yen }}\n",
)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(params=backends())
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as engine:
        generate(engine, 12, seed=5, now=DEMO_NOW)
        yield engine


def _orders(engine: Engine, n: int) -> list[tuple[int, int]]:
    """(order id, customer id) of the first n orders, each customer given a known address, opted in."""
    with engine.begin() as conn:
        rows = conn.execute(select(Order.id, Order.customer_id).order_by(Order.id).limit(n)).all()
        for order_id, customer_id in rows:
            conn.execute(
                update(Customer)
                .where(Customer.id == customer_id)
                .values(email=f"c{customer_id}-{order_id}@example.jp", mail_opt_in=True)
            )
    return [(r[0], r[1]) for r in rows]


def _send(engine: Engine, ids: list[int], content: MailContent, key: str, url: str) -> dict:
    return send_order_mails(engine, ids, content, key, smtp_url=url)


def test_one_mail_per_order_rendered(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    ids = [o for o, _ in _orders(engine, 3)]
    out = _send(engine, ids, CONTENT, "t1", smtp.url)
    assert all(out[i][0] == "ok" for i in ids), out
    assert len(smtp.store.mails) == 3
    with engine.connect() as conn:
        number = conn.execute(select(Order.number).where(Order.id == ids[0])).scalar_one()
    first = next(m for m in smtp.store.mails if number in m.subject)
    assert first.subject == f"【ecweb デモショップ】{number} のご案内"
    assert "様\n" in first.body and "合計 ¥" in first.body
    assert first.rcpt_tos == [out[ids[0]][1].split(": ")[1]]


def test_a_long_japanese_mail_arrives_whole(engine: Engine, smtp: SmtpServer) -> None:
    """Over 1,000 bytes: the lines on the wire must end in CRLF, or the server sees one long line."""
    smtp.store.clear()
    (a, _), = _orders(engine, 1)  # fmt: skip
    body = "{{ customer.name }} 様\n" + "ご注文いただいた商品を発送いたしました。\n" * 60
    out = _send(engine, [a], MailContent("長い本文のテスト", body), "t-long", smtp.url)
    assert out[a][0] == "ok", out
    (mail,) = smtp.store.mails
    assert mail.body.count("ご注文いただいた商品を発送いたしました。") == 60
    assert all(len(line) <= 998 for line in mail.raw.split(b"\r\n"))


def test_opted_out_and_no_address_are_skipped(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    (a, ca), (b, cb), (c, _) = _orders(engine, 3)
    with engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == ca).values(mail_opt_in=False))
        conn.execute(update(Customer).where(Customer.id == cb).values(email=None))
    out = _send(engine, [a, b, c, 999_999], CONTENT, "t2", smtp.url)
    assert out[a][0] == "skipped" and "送信しない" in (out[a][1] or "")
    assert out[b][0] == "skipped" and "メールアドレス" in (out[b][1] or "")
    assert out[c][0] == "ok"
    assert out[999_999] == ("failed", "受注が見つかりません。")
    assert len(smtp.store.mails) == 1


def test_cc_and_bcc_go_to_the_envelope_bcc_not_in_headers(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    (a, _), = _orders(engine, 1)  # fmt: skip
    content = MailContent(CONTENT.subject, CONTENT.body, cc="cc1@example.jp, cc2@example.jp", bcc="audit@example.jp")
    out = _send(engine, [a], content, "t3", smtp.url)
    assert out[a][0] == "ok" and "CC: cc1@example.jp, cc2@example.jp" in (out[a][1] or "")
    (mail,) = smtp.store.mails
    assert set(mail.rcpt_tos) == {f"{out[a][1].split(': ')[1].split(' ')[0]}", "cc1@example.jp", "cc2@example.jp",
                                  "audit@example.jp"}  # fmt: skip
    assert "cc1@example.jp" in mail.cc and b"audit@example.jp" not in mail.raw.split(b"\r\n\r\n")[0]


def test_a_refused_recipient_fails_alone(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    (a, ca), (b, _), (c, _) = _orders(engine, 3)
    with engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == ca).values(email="nobody@example.invalid"))
    out = _send(engine, [a, b, c], CONTENT, "t4", smtp.url)
    assert out[a][0] == "failed" and "nobody@example.invalid" in (out[a][1] or "") and "550" in (out[a][1] or "")
    assert out[b][0] == out[c][0] == "ok"
    assert len(smtp.store.mails) == 2


def test_same_dedupe_key_never_mails_twice(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    ids = [o for o, _ in _orders(engine, 4)]
    first = _send(engine, ids[:2], CONTENT, "job:77", smtp.url)
    again = _send(engine, ids, CONTENT, "job:77", smtp.url)  # a retry covering the sent ones and more
    assert all(first[i][0] == "ok" for i in ids[:2])
    assert all(again[i][0] == "ok" and "再送しませんでした" in (again[i][1] or "") for i in ids[:2])
    assert all(again[i][0] == "ok" and (again[i][1] or "").startswith("送信しました") for i in ids[2:])
    assert len(smtp.store.mails) == 4
    other_key = _send(engine, ids[:1], CONTENT, "job:78", smtp.url)
    assert other_key[ids[0]][0] == "ok" and len(smtp.store.mails) == 5
    with engine.connect() as conn:
        e = ExternalEffect
        states = conn.execute(select(e.state).where(e.kind == "mail", e.dedupe_key == "job:77")).scalars().all()
    assert sorted(states) == ["succeeded"] * 4


def test_a_claim_left_requested_is_never_resent(engine: Engine, smtp: SmtpServer) -> None:
    """The process died between claiming and recording (the mail may have gone out): never resent."""
    smtp.store.clear()
    ids = [o for o, _ in _orders(engine, 2)]
    ledger.claim(engine, "mail", "job:90", [ledger.Intent(ids[0], target="a@example.jp")])
    retry = _send(engine, ids, CONTENT, "job:90", smtp.url)
    assert retry[ids[0]] == ("failed", "前回の送信結果が不明のため再送しませんでした: a@example.jp")
    assert retry[ids[1]][0] == "ok" and len(smtp.store.mails) == 1


def test_an_unreachable_server_fails_and_a_later_retry_sends(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    ids = [o for o, _ in _orders(engine, 2)]
    down = _send(engine, ids, CONTENT, "job:91", "smtp://127.0.0.1:1")
    assert all(down[i][0] == "failed" and "SMTPサーバーに接続できません" in (down[i][1] or "") for i in ids)
    retry = _send(engine, ids, CONTENT, "job:91", smtp.url)  # nothing was delivered: may try again
    assert all(retry[i][0] == "ok" for i in ids) and len(smtp.store.mails) == 2


def test_system_templates_exist_and_render(engine: Engine, smtp: SmtpServer) -> None:
    smtp.store.clear()
    (a, _), = _orders(engine, 1)  # fmt: skip
    with engine.connect() as conn:
        tid = system_template_id(conn, "商品発送完了メール")
        assert tid is not None
        assert system_template_id(conn, "存在しない") is None
        for name in ("注文完了メール", "2回目以降定期購入通知メール", "注文キャンセル完了メール"):
            assert system_template_id(conn, name) is not None
        content = content_from_template(conn, tid)
    out = _send(engine, [a], content, "rule:1", smtp.url)
    assert out[a][0] == "ok"
    assert "発送いたしました" in smtp.store.mails[0].subject


class _WritesWhileReceiving(CaptureHandler):
    """While a mail is on the wire, checks that the sender holds no database transaction: another
    connection writes (SQLite allows one writer) and no session of ours is idle in a transaction."""

    def __init__(self, store: MemoryStore, engine: Engine) -> None:
        super().__init__(store)
        self.engine = engine
        self.seen: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        sqlite = self.engine.dialect.name == "sqlite"
        probe = create_engine(self.engine.url, connect_args={"timeout": 1} if sqlite else {})
        try:
            with probe.begin() as conn:
                conn.execute(update(Order).where(Order.id == -1).values(tracking_number="probe"))
                if conn.dialect.name == "postgresql":
                    idle = conn.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                             " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")
                    ).scalar_one()  # fmt: skip
                    assert idle == 0, idle
            self.seen.append("free")
        except Exception as exc:  # noqa: BLE001 - reported to the test
            self.seen.append(f"locked: {exc}")
        finally:
            probe.dispose()
        return await super().handle_DATA(server, session, envelope)


def test_no_database_transaction_is_open_while_mails_go_out(engine: Engine) -> None:
    store = MemoryStore()
    handler = _WritesWhileReceiving(store, engine)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (a, _), (b, _) = _orders(engine, 2)
        out = _send(engine, [a, b], CONTENT, "job:96", f"smtp://127.0.0.1:{port}")
        assert out[a][0] == out[b][0] == "ok", out
        assert handler.seen == ["free", "free"]
    finally:
        controller.stop()


def test_preview_is_the_first_selected_orders_mail(engine: Engine) -> None:
    from sqlmodel import Session

    from ecweb_core.mail.preview import preview_first
    from ecweb_core.selection import Selection

    (a, ca), (b, _) = _orders(engine, 2)
    with engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == ca).values(mail_opt_in=False))
    sel = Selection()
    sel.tick(b, True)
    sel.tick(a, True)
    with Session(engine) as s:
        p = preview_first(s, sel, CONTENT)
        number = s.execute(select(Order.number).where(Order.id == a)).scalar_one()
        assert p.order_number == number and p.subject.endswith(f"{number} のご案内") and not p.error
        assert "送信しない" in p.to
        bad = preview_first(s, sel, MailContent("{{ order.nope }}", "x"))
        assert "不明な差し込み項目" in bad.error
        assert preview_first(s, Selection(), CONTENT).error == "処理対象の受注を選択してください。"


class _DropAfterData(CaptureHandler):
    """Stores the mail, then drops the connection before answering: the client cannot know."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        await super().handle_DATA(server, session, envelope)
        server.transport.close()
        return "250 never seen"


def test_a_mail_whose_outcome_is_unknown_is_never_resent(engine: Engine) -> None:
    store = MemoryStore()
    port = free_port()
    controller = Controller(_DropAfterData(store), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (a, _), (b, _) = _orders(engine, 2)
        url = f"smtp://127.0.0.1:{port}"
        out = _send(engine, [a, b], CONTENT, "job:95", url)
        assert all(out[i][0] == "failed" and "送信結果不明" in (out[i][1] or "") for i in (a, b)), out
        assert len(store.mails) == 2  # each got through, and the connection was reopened for the second
        retry = _send(engine, [a, b], CONTENT, "job:95", url)
        assert all("前回の送信結果が不明のため再送しませんでした" in (retry[i][1] or "") for i in (a, b))
        assert len(store.mails) == 2
    finally:
        controller.stop()
