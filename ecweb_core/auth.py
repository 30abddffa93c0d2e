"""Operator login (X1): scrypt password hashes and server-side sessions keyed by a random token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from ecweb_core.models import Operator, OperatorSession
from ecweb_core.models.common import utcnow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def _token_hash(token: str) -> str:
    # Only a hash is stored, so a leaked table does not leak live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


def create_operator(session: Session, login: str, name: str, password: str) -> Operator:
    op = Operator(login=login, name=name, password_hash=hash_password(password))
    session.add(op)
    session.flush()
    return op


def login(session: Session, login_name: str, password: str, days: int = 7) -> str | None:
    """Returns a new session token, or None when the login or password is wrong."""
    op = session.execute(select(Operator).where(Operator.login == login_name)).scalar_one_or_none()
    if op is None or not verify_password(password, op.password_hash):
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        OperatorSession(token_hash=_token_hash(token), operator_id=op.id, expires_at=utcnow() + timedelta(days=days))
    )
    return token


def operator_for_token(session: Session, token: str) -> Operator | None:
    if not token:
        return None
    row = session.execute(
        select(Operator)
        .join(OperatorSession, OperatorSession.operator_id == Operator.id)
        .where(OperatorSession.token_hash == _token_hash(token), OperatorSession.expires_at > utcnow())
    ).scalar_one_or_none()
    return row


def logout(session: Session, token: str) -> None:
    session.execute(delete(OperatorSession).where(OperatorSession.token_hash == _token_hash(token)))
