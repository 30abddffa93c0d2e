"""SMTP from SMTP_URL and the MIME message of one mail."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_S = 30
# 7bit: Japanese bodies go base64, so any SMTP server takes them (no 8BITMIME needed).
POLICY = SMTP.clone(cte_type="7bit")


def connect(url: str) -> smtplib.SMTP:
    """smtp://[user:pass@]host:port (?starttls=1) or smtps://…; the default port is 25 / 465."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=TIMEOUT_S)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=TIMEOUT_S)
        if parse_qs(parts.query).get("starttls") == ["1"]:
            client.starttls()
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def build_message(
    *, sender: str, sender_name: str, to: str, to_name: str, cc: list[str], subject: str, body: str
) -> EmailMessage:
    """A text/plain UTF-8 mail. BCC is not a header: it only goes to the envelope."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = formataddr((to_name, to))
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body, charset="utf-8")
    return msg
