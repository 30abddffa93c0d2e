"""Login security (issue 20) on real databases: failed logins lock the account (as typed, existing or
not, with the same message) and the address for a while; argon2id hashes, old scrypt ones upgraded at
the next login; a minimum password strength; sessions end after inactivity, at their absolute end, at
logout and at once when the operator is disabled."""

from __future__ import annotations

import hashlib
import secrets
import warnings
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core import audit, auth, operators
from ecweb_core.models import Operator, OperatorSession
from ecweb_core.models.common import utcnow

POLICY = auth.Policy(lock_minutes=15, max_failures_account=5, max_failures_address=8, idle_minutes=30)
GOOD = "correct-horse-42"


def _scrypt(password: str) -> str:
    """A hash as the previous version of ecweb wrote it."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _attempt(s: Session, login: str, password: str, address: str = "198.51.100.1") -> auth.LoginResult:
    token = audit.client_address.set(address)
    try:
        result = auth.attempt_login(s, login, password, POLICY)
        s.commit()
        return result
    finally:
        audit.client_address.reset(token)


def test_failed_logins_lock_the_account_whether_or_not_it_exists(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "taro", "太郎", GOOD)
        s.commit()
        for n in range(POLICY.max_failures_account):  # from many addresses: the account's own count
            assert _attempt(s, "taro", "wrong", address=f"198.51.100.{n}").error == auth.WRONG
            assert _attempt(s, "ghost", "wrong", address=f"198.51.100.{n}").error == auth.WRONG
        # Locked now: the right password is refused too, with the same message for both accounts.
        assert _attempt(s, "taro", GOOD) == auth.LoginResult(None, auth.LOCKED)
        assert _attempt(s, "ghost", GOOD) == auth.LoginResult(None, auth.LOCKED)
        # From another address too (the lock is the account's).
        assert _attempt(s, "taro", GOOD, address="203.0.113.9").token is None


def _failures_at(s: Session, login: str, minutes_ago: int, n: int) -> None:
    """Failed logins written in the past (the log is append-only: they cannot be aged afterwards)."""
    for _ in range(n):
        audit._write(s, audit.LOGIN_FAILED, None, login=login, at=utcnow() - timedelta(minutes=minutes_ago))
    s.commit()


def test_a_lockout_lasts_for_the_window_and_a_success_resets_the_count(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "goro", "五郎", GOOD)
        s.commit()
        _failures_at(s, "goro", POLICY.lock_minutes + 1, POLICY.max_failures_account)  # before the window
        assert _attempt(s, "goro", GOOD).token
        _failures_at(s, "goro", 1, POLICY.max_failures_account - 1)
        assert _attempt(s, "goro", GOOD).token  # 4 failures: not locked; the success resets the count
        _failures_at(s, "goro", 0, POLICY.max_failures_account - 1)
        assert _attempt(s, "goro", "wrong").error == auth.WRONG  # the 5th since the last success
        assert _attempt(s, "goro", GOOD).error == auth.LOCKED


def test_failed_logins_lock_the_address(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "hanako", "花子", GOOD)
        s.commit()
        for n in range(POLICY.max_failures_address):  # different accounts, one address
            assert _attempt(s, f"user{n}", "wrong", address="192.0.2.50").error == auth.WRONG
        assert _attempt(s, "hanako", GOOD, address="192.0.2.50").error == auth.LOCKED
        assert _attempt(s, "hanako", GOOD, address="192.0.2.51").token


def test_scrypt_hashes_are_upgraded_to_argon2_at_login(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        op = auth.create_operator(s, "jiro", "次郎", GOOD)
        op.password_hash = _scrypt(GOOD)
        s.commit()
        assert auth.verify_password(GOOD, op.password_hash) and auth.needs_rehash(op.password_hash)
        assert _attempt(s, "jiro", "wrong").token is None
        assert s.get(Operator, op.id).password_hash.startswith("scrypt$")  # type: ignore[union-attr]
        assert _attempt(s, "jiro", GOOD).token
        s.expire_all()
        stored = s.get(Operator, op.id).password_hash  # type: ignore[union-attr]
        assert stored.startswith("$argon2id$") and auth.verify_password(GOOD, stored)
        assert not auth.needs_rehash(stored)
        assert _attempt(s, "jiro", GOOD).token


def test_password_strength() -> None:
    assert auth.password_problem("short1!") == "パスワードは10文字以上で入力してください。"
    assert auth.password_problem("abcdefghijkl") == "パスワードには英字・数字・記号のうち2種類以上を含めてください。"
    assert auth.password_problem("a1a1a1a1a1a1") == "同じ文字の繰り返しが多すぎるパスワードは使えません。"
    assert auth.password_problem("taro-2026-xyz", "taro") == "ログインIDを含むパスワードは使えません。"
    assert auth.password_problem(GOOD, "taro") is None


def test_sessions_end_by_inactivity_and_absolutely(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "saburo", "三郎", GOOD)
        s.commit()
        idle = _attempt(s, "saburo", GOOD).token
        old = _attempt(s, "saburo", GOOD).token
        assert idle and old
        assert auth.operator_for_token(s, idle, POLICY) is not None
        s.execute(update(OperatorSession).where(OperatorSession.token_hash == auth.token_hash(idle))
                  .values(last_seen_at=utcnow() - timedelta(minutes=31)))  # fmt: skip
        # The other one was used 20 minutes ago (kept alive), but is past its absolute end.
        s.execute(update(OperatorSession).where(OperatorSession.token_hash == auth.token_hash(old))
                  .values(last_seen_at=utcnow() - timedelta(minutes=20)))  # fmt: skip
        s.commit()
        assert auth.operator_for_token(s, idle, POLICY) is None
        assert auth.operator_for_token(s, old, POLICY) is not None
        s.commit()  # the use wrote last_seen_at
        seen = s.execute(select(OperatorSession.last_seen_at).where(OperatorSession.token_hash == auth.token_hash(old)))
        assert seen.scalar_one() > utcnow() - timedelta(minutes=1)
        s.execute(update(OperatorSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
        assert auth.operator_for_token(s, old, POLICY) is None


def test_disabling_ends_the_sessions_at_once_and_logout_ends_one(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        admin = auth.create_operator(s, "boss", "管理者", GOOD, role="admin")
        staff = auth.create_operator(s, "shiro", "四郎", GOOD, role="staff")
        s.commit()
        one, two = _attempt(s, "shiro", GOOD).token, _attempt(s, "shiro", GOOD).token
        assert one and two
        auth.logout(s, one)
        s.commit()
        assert auth.operator_for_token(s, one, POLICY) is None
        assert auth.operator_for_token(s, two, POLICY) is not None
        operators.set_disabled(s, admin.id, int(staff.id or 0), True)
        assert auth.operator_for_token(s, two, POLICY) is None
        assert s.execute(select(OperatorSession).where(OperatorSession.operator_id == staff.id)).first() is None
        # A disabled operator cannot log in; the message is the usual one.
        assert _attempt(s, "shiro", GOOD).error == auth.WRONG


def test_the_cookie_is_set_by_the_login_response_httponly(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /api/login (the login form posts natively): an HttpOnly, SameSite=Strict cookie (Secure
    behind HTTPS); a refusal goes back to the form with a fixed code; /api/logout ends the session and
    clears the cookie."""
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient
    from ecweb.api import api
    from ecweb_state.auth import COOKIE

    with Session(empty_engine) as s:
        auth.create_operator(s, "rokuro", "六郎", GOOD)
        s.commit()
    client = TestClient(api, follow_redirects=False)
    wrong = client.post("/api/login", data={"login": "rokuro", "password": "nope"})
    assert (wrong.status_code, wrong.headers["location"]) == (303, "/login?error=wrong")
    assert "set-cookie" not in wrong.headers
    empty = client.post("/api/login", data={"login": "", "password": ""})
    assert empty.headers["location"] == "/login?error=empty"
    ok = client.post("/api/login", data={"login": "rokuro", "password": GOOD})
    assert (ok.status_code, ok.headers["location"]) == (303, "/")
    cookie = ok.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    with Session(empty_engine) as s:
        assert auth.operator_for_token(s, token) is not None
    behind_https = client.post("/api/login", data={"login": "rokuro", "password": GOOD},
                               headers={"x-forwarded-proto": "https"})  # fmt: skip
    assert "Secure" in behind_https.headers["set-cookie"]
    client.cookies.set(COOKIE, token)
    out = client.get("/api/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/")
    assert out.headers["set-cookie"].startswith(f'{COOKIE}="";') or "Max-Age=0" in out.headers["set-cookie"]
    with Session(empty_engine) as s:
        assert auth.operator_for_token(s, token) is None
    for _ in range(POLICY.max_failures_account):
        client.post("/api/login", data={"login": "nobody", "password": "x"})
    locked = client.post("/api/login", data={"login": "nobody", "password": "x"})
    assert locked.headers["location"] == "/login?error=locked"
    assert auth.ERROR_CODES["locked"] == auth.LOCKED
