"""Sending one mail per order to its customer over SMTP, never twice for the same dedupe key.

Delivery guarantee: AT MOST ONCE per (dedupe_key, order). Before any byte goes to the SMTP
server, each order's row in `mail_log` is claimed (INSERT … ON CONFLICT DO NOTHING on the UNIQUE
(dedupe_key, order_id)) and committed on the service's own connection, independently of the
caller's transaction. A retried call (job retry, worker killed, chunk rolled back) finds the claim
and does not send again:
  - status "sent": reported ok (送信済み), not resent;
  - status "sending" / "unknown" (the process died or the connection dropped mid-send, so the mail
    may have gone out): reported failed 送信結果不明, never resent — an operator can send it again
    with a new job;
  - status "failed" (the server refused it, or could not be reached: nothing was delivered): the
    claim is taken again and the mail is retried.
We chose at-most-once because a duplicate mail to a customer is worse than one the operator is
told to resend; at-least-once would need the SMTP transaction and the database commit to be one.

SQLite allows one writer: if the caller's connection already holds a write transaction, the claim
is written on the caller's connection instead (its commit then records the claims). The dedupe
still holds for every retry after that commit; only a crash between sending and the caller's
commit could resend. Callers that want the strict guarantee on SQLite call this before writing.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ecweb_core.mail.addresses import split_addresses
from ecweb_core.mail.context import OrderMail, load_order_mails
from ecweb_core.mail.render import MailTemplateError, render, render_subject
from ecweb_core.mail.smtp import build_message, connect, wire_bytes
from ecweb_core.models import MailLog, MailTemplate
from ecweb_core.models.common import utcnow
from ecweb_core.settings import load_settings
from ecweb_core.sqlutil import in_ids

log = logging.getLogger(__name__)
Outcome = tuple[str, str | None]

NOT_FOUND = "受注が見つかりません。"
NO_ADDRESS = "顧客のメールアドレスが登録されていないため送信しませんでした。"


@dataclass(frozen=True)
class MailContent:
    """What to send: subject and body are Jinja2 template sources (mail/render.py)."""

    subject: str
    body: str
    cc: str = ""
    bcc: str = ""


@dataclass(frozen=True)
class _Prepared:
    order_id: int
    recipient: str
    name: str
    shop_name: str
    subject: str
    body: str


def content_from_template(conn: Connection, template_id: int) -> MailContent:
    t = MailTemplate.__table__.c
    row = conn.execute(select(t.subject, t.body, t.cc, t.bcc).where(t.id == template_id)).first()
    if row is None:
        raise LookupError(f"メールテンプレート(ID {template_id})が見つかりません。")
    return MailContent(subject=row.subject, body=row.body, cc=row.cc or "", bcc=row.bcc or "")


def system_template_id(conn: Connection, name: str) -> int | None:
    """The id of a system template by its fixed name (e.g. 「商品発送完了メール」)."""
    t = MailTemplate.__table__.c
    return conn.execute(select(t.id).where(t.name == name, t.is_system.is_(True))).scalar()


def send_order_mails(
    conn: Connection,
    order_ids: list[int],
    content: MailContent,
    dedupe_key: str,
    *,
    smtp_url: str | None = None,
) -> dict[int, Outcome]:
    """Mails each order's customer; returns per order ("ok" | "skipped" | "failed", message).

    Skips customers set to 「送信しない」 and those without an address. One SMTP connection serves
    the whole call; a refused recipient fails only its own order."""
    outcomes: dict[int, Outcome] = {}
    prepared = _prepare(load_order_mails(conn, order_ids), order_ids, content, outcomes)
    if not prepared:
        return outcomes
    token, mine = _claim(conn, dedupe_key, prepared, outcomes)
    settings = load_settings()
    results = _deliver(mine, content, smtp_url or settings.smtp_url, settings.mail_from)
    _finish(conn, token, results)
    for order_id, (_status, outcome, message) in results.items():
        outcomes[order_id] = (outcome, message)
    return outcomes


def _prepare(
    mails: dict[int, OrderMail], order_ids: list[int], content: MailContent, outcomes: dict[int, Outcome]
) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    for order_id in order_ids:
        m = mails.get(order_id)
        if m is None:
            outcomes[order_id] = ("failed", NOT_FOUND)
        elif m.email is None:
            outcomes[order_id] = ("skipped", NO_ADDRESS)
        elif not m.opt_in:
            outcomes[order_id] = ("skipped", f"顧客のメール設定が「送信しない」のため送信しませんでした: {m.email}")
        else:
            try:
                subject = render_subject(content.subject, m.context)
                body = render(content.body, m.context)
            except MailTemplateError as exc:
                outcomes[order_id] = ("failed", str(exc))
                continue
            shop = m.context["shop"].name
            prepared.append(_Prepared(order_id, m.email, m.name, shop, subject, body))
    return prepared


@contextmanager
def _own_transaction(conn: Connection) -> Iterator[Connection]:
    """A transaction that commits now, whatever the caller's transaction does later."""
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite" and getattr(dbapi, "in_transaction", False):
        # The caller holds SQLite's only write lock: a second connection would wait for it forever.
        yield conn
        return
    with conn.engine.begin() as own:
        yield own


def _claim(
    conn: Connection, key: str, prepared: list[_Prepared], outcomes: dict[int, Outcome]
) -> tuple[str, list[_Prepared]]:
    """Takes the (key, order) claims; returns the token and the mails this call may send.
    The other orders get their outcome from the earlier claim."""
    token = uuid.uuid4().hex
    ml = MailLog.__table__
    now = utcnow()
    rows = [
        {"dedupe_key": key, "order_id": p.order_id, "recipient": p.recipient, "subject": p.subject[:255],
         "status": "sending", "claim_token": token, "created_at": now}
        for p in prepared
    ]  # fmt: skip
    ids = [p.order_id for p in prepared]
    with _own_transaction(conn) as c:
        ins = pg_insert(ml) if c.dialect.name == "postgresql" else sqlite_insert(ml)
        c.execute(ins.on_conflict_do_nothing(index_elements=["dedupe_key", "order_id"]), rows)
        # Nothing was delivered for a "failed" claim: this call may try again.
        c.execute(
            update(ml)
            .where(ml.c.dedupe_key == key, in_ids(c, ml.c.order_id, ids), ml.c.status == "failed")
            .values(status="sending", claim_token=token, error=None, created_at=now)
        )
        earlier = c.execute(
            select(ml.c.order_id, ml.c.status, ml.c.recipient).where(
                ml.c.dedupe_key == key, in_ids(c, ml.c.order_id, ids), ml.c.claim_token != token
            )
        ).all()
    for order_id, status, recipient in earlier:
        if status == "sent":
            outcomes[order_id] = ("ok", f"送信済みのため再送しませんでした: {recipient}")
        else:
            outcomes[order_id] = ("failed", f"前回の送信結果が不明のため再送しませんでした: {recipient}")
    taken = {order_id for order_id, _, _ in earlier}
    return token, [p for p in prepared if p.order_id not in taken]


Result = tuple[str, str, str]  # (mail_log status, outcome, message)


def _deliver(mails: list[_Prepared], content: MailContent, url: str, sender: str) -> dict[int, Result]:
    cc, bcc = split_addresses(content.cc), split_addresses(content.bcc)
    copies = "".join(f" / {label}: {', '.join(a)}" for label, a in (("CC", cc), ("BCC", bcc)) if a)
    results: dict[int, Result] = {}
    client: smtplib.SMTP | None = None
    try:
        for n, p in enumerate(mails):
            if client is None:
                try:
                    client = connect(url)
                except (OSError, smtplib.SMTPException) as exc:
                    for rest in mails[n:]:
                        message = f"SMTPサーバーに接続できません({exc}): {rest.recipient}"
                        results[rest.order_id] = ("failed", "failed", message)
                    break
            results[p.order_id], alive = _send_one(client, p, cc, bcc, sender, copies)
            if not alive:
                _close(client)
                client = None
    finally:
        if client is not None:
            _close(client)
    return results


def _send_one(
    client: smtplib.SMTP, p: _Prepared, cc: list[str], bcc: list[str], sender: str, copies: str
) -> tuple[Result, bool]:
    """Sends one mail; returns its result and whether the connection is still usable."""
    msg = build_message(
        sender=sender, sender_name=p.shop_name, to=p.recipient, to_name=p.name, cc=cc, subject=p.subject, body=p.body
    )
    try:
        refused = client.sendmail(sender, [p.recipient, *cc, *bcc], wire_bytes(msg))
    except smtplib.SMTPRecipientsRefused as exc:
        return ("failed", "failed", f"送信先が拒否されました: {p.recipient} ({_reasons(exc.recipients)})"), True
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return ("failed", "failed", f"SMTPサーバーが受け付けませんでした: {p.recipient} ({exc})"), True
    except (OSError, smtplib.SMTPException) as exc:
        # The server may have received the mail before the connection broke: never resent.
        return ("unknown", "failed", f"送信中に接続が切れました(送信結果不明): {p.recipient} ({exc})"), False
    if p.recipient in refused:
        # CC/BCC received it, the customer did not: resending would duplicate their copies.
        return ("unknown", "failed", f"送信先が拒否されました: {p.recipient} ({_reasons(refused)})"), True
    note = f" (拒否された宛先: {_reasons(refused)})" if refused else ""
    return ("sent", "ok", f"送信しました: {p.recipient}{copies}{note}"), True


def _reasons(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} {code} {reply.decode(errors='replace')}" for addr, (code, reply) in refused.items())


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _finish(conn: Connection, token: str, results: dict[int, Result]) -> None:
    """Records how each claimed mail went. If this fails the claims stay "sending": never resent."""
    ml = MailLog.__table__
    now = utcnow()
    sent = [i for i, (status, _, _) in results.items() if status == "sent"]
    others = [
        {"b_order": i, "b_status": status, "b_error": message[:500]}
        for i, (status, _, message) in results.items()
        if status != "sent"
    ]
    try:
        with _own_transaction(conn) as c:
            if sent:
                c.execute(
                    update(ml)
                    .where(ml.c.claim_token == token, in_ids(c, ml.c.order_id, sent))
                    .values(status="sent", sent_at=now)
                )
            if others:
                c.execute(
                    update(ml)
                    .where(ml.c.claim_token == token, ml.c.order_id == bindparam("b_order"))
                    .values(status=bindparam("b_status"), error=bindparam("b_error")),
                    others,
                )
    except Exception:  # noqa: BLE001 - the outcomes returned are still true; the claims keep their guard
        log.exception("mail log: could not record the results of claim %s", token)


__all__ = ["MailContent", "content_from_template", "send_order_mails", "system_template_id"]
