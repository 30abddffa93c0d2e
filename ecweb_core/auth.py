"""Operator login (X1, issue 20): argon2id password hashes (old scrypt ones upgraded at the next login),
failed logins throttled per account and per address, server-side sessions keyed by a random token that
end after inactivity, at an absolute limit, at logout and when the operator is disabled.

Every login, logout and failed login is written to the 操作ログ (ecweb_core/audit.py)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlmodel import Session

from ecweb_core import audit
from ecweb_core.models import Operator, OperatorSession
from ecweb_core.models.common import utcnow

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard against GPU
# guessing, and cheap enough that a login (and the demo's three operators) stays quick on 2 cores.
_ARGON2 = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# The message of every refused login: it never says whether the account exists.
WRONG = "ログインIDまたはパスワードが正しくありません。"
LOCKED = "ログインに続けて失敗したため、しばらくログインできません。時間をおいて再度お試しください。"
EMPTY = "ログインIDとパスワードを入力してください。"
# The login page shows a refusal by its code (/login?error=wrong): only these fixed texts, never input.
ERROR_CODES = {"wrong": WRONG, "locked": LOCKED, "empty": EMPTY}
# A verification against this when the account does not exist, so the answer takes as long.
_DUMMY_HASH = _ARGON2.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Policy:
    session_days: int = 7  # absolute lifetime of a session
    idle_minutes: int = 120  # a session not used for this long ends
    lock_minutes: int = 15  # the window failures are counted in, and how long a lockout lasts
    max_failures_account: int = 5
    max_failures_address: int = 20

    @classmethod
    def from_env(cls) -> Policy:
        env = os.environ.get
        return cls(
            session_days=int(env("ECWEB_SESSION_DAYS", "7")),
            idle_minutes=int(env("ECWEB_SESSION_IDLE_MINUTES", "120")),
            lock_minutes=int(env("ECWEB_LOGIN_LOCK_MINUTES", "15")),
            max_failures_account=int(env("ECWEB_LOGIN_MAX_FAILURES", "5")),
            max_failures_address=int(env("ECWEB_LOGIN_MAX_FAILURES_ADDRESS", "20")),
        )


# ---- passwords ------------------------------------------------------------------------------------

PASSWORD_MIN = 10
PASSWORD_MAX = 128


def password_problem(password: str, login: str = "") -> str | None:
    """The minimum strength of a new password, as a Japanese message; None when it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return f"パスワードは{PASSWORD_MIN}文字以上で入力してください。"
    if len(password) > PASSWORD_MAX:
        return f"パスワードは{PASSWORD_MAX}文字以内で入力してください。"
    classes = [any(c.isalpha() for c in password), any(c.isdigit() for c in password),
               any(not c.isalnum() for c in password)]  # fmt: skip
    if sum(classes) < 2:
        return "パスワードには英字・数字・記号のうち2種類以上を含めてください。"
    if len(set(password)) < 4:
        return "同じ文字の繰り返しが多すぎるパスワードは使えません。"
    if login and login.lower() in password.lower():
        return "ログインIDを含むパスワードは使えません。"
    return None


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _ARGON2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """An old scrypt hash, or an argon2 one with weaker parameters than today's."""
    return stored.startswith("scrypt$") or _ARGON2.check_needs_rehash(stored)


def create_operator(session: Session, login: str, name: str, password: str, role: str = "admin") -> Operator:
    """Low level (the demo seeder, tests); 管理者管理 goes through ecweb_core/operators.py, which checks."""
    op = Operator(login=login, name=name, password_hash=hash_password(password), role=role)
    session.add(op)
    session.flush()
    return op


# ---- login ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    token: str | None
    error: str = ""

    @property
    def error_code(self) -> str:
        return next((k for k, v in ERROR_CODES.items() if v == self.error), "wrong")


def locked_out(session: Session, login_name: str, address: str, policy: Policy, now: datetime) -> bool:
    since = now - timedelta(minutes=policy.lock_minutes)
    if audit.failures_since(session, since, login=login_name) >= policy.max_failures_account:
        return True
    return bool(address) and audit.failures_since(session, since, address=address) >= policy.max_failures_address


def attempt_login(session: Session, login_name: str, password: str, policy: Policy | None = None) -> LoginResult:
    """A login from the address in audit.client_address. A refusal is recorded (and counts toward the
    lockout of the account as typed and of the address) whether or not the account exists."""
    policy = policy or Policy.from_env()
    now = utcnow()
    login_name = login_name[:64]
    op = session.execute(select(Operator).where(Operator.login == login_name)).scalar_one_or_none()
    if locked_out(session, login_name, audit.client_address.get(), policy, now):
        audit.login_failed(session, login_name, op.id if op else None, "ロック中")
        return LoginResult(None, LOCKED)
    if op is None:
        verify_password(password, _DUMMY_HASH)
        audit.login_failed(session, login_name, None, "存在しないログインID")
        return LoginResult(None, WRONG)
    if not verify_password(password, op.password_hash):
        audit.login_failed(session, login_name, op.id, "パスワード誤り")
        return LoginResult(None, WRONG)
    if op.disabled:
        audit.login_failed(session, login_name, op.id, "無効化された管理者")
        return LoginResult(None, WRONG)
    if needs_rehash(op.password_hash):
        op.password_hash = hash_password(password)
        session.add(op)
    token = secrets.token_urlsafe(32)
    session.add(
        OperatorSession(
            token_hash=token_hash(token),
            operator_id=op.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=policy.session_days),
        )  # fmt: skip
    )
    audit.logged_in(session, int(op.id or 0), login_name)
    return LoginResult(token)


def login(session: Session, login_name: str, password: str, days: int | None = None) -> str | None:
    """Returns a new session token, or None when the login is refused."""
    policy = Policy.from_env()
    if days is not None:
        policy = Policy(**{**policy.__dict__, "session_days": days})
    return attempt_login(session, login_name, password, policy).token


# ---- sessions -------------------------------------------------------------------------------------

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often, not on every event


def token_hash(token: str) -> str:
    # Only a hash is stored, so a leaked table does not leak live sessions.
    return hashlib.sha256(token.encode()).hexdigest()


def operator_for_token(session: Session, token: str, policy: Policy | None = None) -> Operator | None:
    """The operator of a live session: not past its absolute end, used within the idle limit, of an
    enabled operator. Using it keeps it alive."""
    if not token:
        return None
    policy = policy or Policy.from_env()
    now = utcnow()
    row = session.execute(
        select(Operator, OperatorSession.last_seen_at, OperatorSession.created_at)
        .join(OperatorSession, OperatorSession.operator_id == Operator.id)
        .where(
            OperatorSession.token_hash == token_hash(token),
            OperatorSession.expires_at > now,
            Operator.disabled.is_(False),
        )  # fmt: skip
    ).first()
    if row is None:
        return None
    op, last_seen, created = row
    seen = _aware(last_seen or created)
    if seen < now - timedelta(minutes=policy.idle_minutes):
        return None
    if seen < now - TOUCH_EVERY:
        session.execute(
            update(OperatorSession).where(OperatorSession.token_hash == token_hash(token)).values(last_seen_at=now)
        )  # committed with the caller's session
    return op


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def logout(session: Session, token: str) -> None:
    """Ends the session (every tab using it is refused at its next event) and logs it."""
    th = token_hash(token)
    op_id = session.execute(select(OperatorSession.operator_id).where(OperatorSession.token_hash == th)).scalar()
    if op_id is None:
        return
    login_name = session.execute(select(Operator.login).where(Operator.id == op_id)).scalar() or ""
    session.execute(delete(OperatorSession).where(OperatorSession.token_hash == th))
    audit.logged_out(session, int(op_id), login_name)


def end_sessions(session: Session, operator_id: int) -> None:
    """Every session of the operator ends now (disabling, password reset)."""
    session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator_id))
