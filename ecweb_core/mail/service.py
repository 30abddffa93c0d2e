"""Sending one mail per order to its customer over SMTP, never twice for the same dedupe key.

Delivery guarantee: AT MOST ONCE per (dedupe_key, order), through the external-effect ledger
(ecweb_core/ledger.py, kind "mail"): before any byte goes to the SMTP server each order's mail is
claimed and committed; a retried call (job retry, worker killed, chunk rolled back) finds the claim
and does not send again:
  - succeeded: reported ok (送信済み), not resent;
  - requested / unknown (the process died or the connection dropped mid-send, so the mail may have
    gone out; SMTP cannot be asked afterwards): reported failed 送信結果不明, never resent — an
    operator can send it again with a new job;
  - failed (the server refused it, or could not be reached: nothing was delivered): the claim is
    taken again and the mail is retried.
We chose at-most-once because a duplicate mail to a customer is worse than one the operator is
told to resend; at-least-once would need the SMTP transaction and the database commit to be one.

No database transaction is held while mails go out: the caller passes the engine, not a connection
(the job runner calls this from MailNotify.call_outside, before the chunk's transaction).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from ecweb_core import ledger
from ecweb_core.mail.addresses import split_addresses
from ecweb_core.mail.context import OrderMail, load_order_mails
from ecweb_core.mail.render import MailTemplateError, render, render_subject
from ecweb_core.mail.smtp import build_message, connect, wire_bytes
from ecweb_core.models import MailTemplate
from ecweb_core.outcomes import Outcome
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)
KIND = "mail"  # its kind in the external-effect ledger

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
    engine: Engine,
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
    with engine.connect() as conn:
        mails = load_order_mails(conn, order_ids)
    prepared = _prepare(mails, order_ids, content, outcomes)
    if not prepared:
        return outcomes
    intents = [ledger.Intent(p.order_id, target=p.recipient, summary=p.subject) for p in prepared]
    claim = ledger.claim(engine, KIND, dedupe_key, intents)
    for order_id, e in claim.earlier.items():
        if e.state == ledger.SUCCEEDED:
            outcomes[order_id] = ("ok", f"送信済みのため再送しませんでした: {e.target}")
        else:
            outcomes[order_id] = ("failed", f"前回の送信結果が不明のため再送しませんでした: {e.target}")
    mine = [p for p in prepared if p.order_id in set(claim.mine)]
    settings = load_settings()
    sent = _deliver(mine, content, smtp_url or settings.smtp_url, settings.mail_from)
    try:
        ledger.record(engine, claim, {order_id: result for order_id, (result, _) in sent.items()})
    except Exception:  # noqa: BLE001 - the outcomes below are still true; the claims keep their guard
        log.exception("mail: could not record the results of claim %s", claim.token)
    for order_id, (_result, outcome) in sent.items():
        outcomes[order_id] = outcome
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


Sent = tuple[ledger.Result, Outcome]  # what the ledger records, what the job reports


def _deliver(mails: list[_Prepared], content: MailContent, url: str, sender: str) -> dict[int, Sent]:
    cc, bcc = split_addresses(content.cc), split_addresses(content.bcc)
    copies = "".join(f" / {label}: {', '.join(a)}" for label, a in (("CC", cc), ("BCC", bcc)) if a)
    results: dict[int, Sent] = {}
    client: smtplib.SMTP | None = None
    try:
        for n, p in enumerate(mails):
            if client is None:
                try:
                    client = connect(url)
                except (OSError, smtplib.SMTPException) as exc:
                    for rest in mails[n:]:
                        message = f"SMTPサーバーに接続できません({exc}): {rest.recipient}"
                        results[rest.order_id] = (ledger.Result(ledger.FAILED, message), ("failed", message))
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
) -> tuple[Sent, bool]:
    """Sends one mail; returns its result and whether the connection is still usable."""
    msg = build_message(
        sender=sender, sender_name=p.shop_name, to=p.recipient, to_name=p.name, cc=cc, subject=p.subject, body=p.body
    )
    try:
        refused = client.sendmail(sender, [p.recipient, *cc, *bcc], wire_bytes(msg))
    except smtplib.SMTPRecipientsRefused as exc:
        return _sent(ledger.FAILED, f"送信先が拒否されました: {p.recipient} ({_reasons(exc.recipients)})"), True
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        return _sent(ledger.FAILED, f"SMTPサーバーが受け付けませんでした: {p.recipient} ({exc})"), True
    except (OSError, smtplib.SMTPException) as exc:
        # The server may have received the mail before the connection broke: never resent.
        return _sent(ledger.UNKNOWN, f"送信中に接続が切れました(送信結果不明): {p.recipient} ({exc})"), False
    if p.recipient in refused:
        # CC/BCC received it, the customer did not: resending would duplicate their copies.
        return _sent(ledger.UNKNOWN, f"送信先が拒否されました: {p.recipient} ({_reasons(refused)})"), True
    note = f" (拒否された宛先: {_reasons(refused)})" if refused else ""
    return _sent(ledger.SUCCEEDED, f"送信しました: {p.recipient}{copies}{note}"), True


def _sent(state: str, message: str) -> Sent:
    return ledger.Result(state, message), ("ok" if state == ledger.SUCCEEDED else "failed", message)


def _reasons(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} {code} {reply.decode(errors='replace')}" for addr, (code, reply) in refused.items())


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


__all__ = ["MailContent", "content_from_template", "send_order_mails", "system_template_id"]
