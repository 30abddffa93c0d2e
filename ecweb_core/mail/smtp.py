"""SMTP from SMTP_URL and the MIME message of one mail."""

from __future__ import annotations

import smtplib
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_S = 30
# smtplib sends bytes as they are: lines must already end in CRLF (a server reads up to CRLF).
WIRE = compat32.clone(linesep="\r\n")


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
) -> Message:
    """A text/plain UTF-8 mail; the body goes base64 (7bit-safe: no 8BITMIME needed) and Japanese
    headers RFC 2047-encoded. BCC is not a header: it only goes to the envelope.

    The compat32 classes, not EmailMessage: the modern policy's header parsing and folding took
    more than half of the time of a mail (bench/mail.py)."""
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = formataddr((sender_name, sender), charset="utf-8")
    msg["To"] = formataddr((to_name, to), charset="utf-8")
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    return msg


def wire_bytes(msg: Message) -> bytes:
    return msg.as_bytes(policy=WIRE)
