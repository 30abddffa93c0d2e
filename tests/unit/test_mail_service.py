"""The mail service against a real aiosmtpd server: opt-out / no-address skips, CC/BCC in the
envelope, refused recipients, and no second mail for the same dedupe key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from ecweb_core.demo import generate
from ecweb_core.mail.service import MailContent, content_from_template, send_order_mails, system_template_id
from ecweb_core.models import Customer, MailLog, Order
from tests.conftest import DEMO_NOW
from tests.dbs import backends, fresh_database
from tests.mail_server import SmtpServer, smtp_server

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
    with engine.begin() as conn:
        return send_order_mails(conn, ids, content, key, smtp_url=url)


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
        statuses = conn.execute(select(MailLog.status).where(MailLog.dedupe_key == "job:77")).scalars().all()
    assert sorted(statuses) == ["sent"] * 4


def test_claims_survive_the_callers_rollback(engine: Engine, smtp: SmtpServer) -> None:
    """The caller's transaction fails after sending (a crashed chunk): the retry sends nothing."""
    smtp.store.clear()
    ids = [o for o, _ in _orders(engine, 2)]
    with pytest.raises(RuntimeError), engine.begin() as conn:
        send_order_mails(conn, ids, CONTENT, "job:90", smtp_url=smtp.url)
        raise RuntimeError("chunk crashed")
    retry = _send(engine, ids, CONTENT, "job:90", smtp.url)
    assert all(retry[i][0] == "ok" and "再送しませんでした" in (retry[i][1] or "") for i in ids)
    assert len(smtp.store.mails) == 2


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
