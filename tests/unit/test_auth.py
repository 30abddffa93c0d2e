from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core import auth
from ecweb_core.models import OperatorSession
from ecweb_core.models.common import utcnow


def test_password_hash_is_salted_and_verifies() -> None:
    a, b = auth.hash_password("secret-1"), auth.hash_password("secret-1")
    assert a != b and "secret-1" not in a
    assert auth.verify_password("secret-1", a)
    assert not auth.verify_password("secret-2", a)
    assert not auth.verify_password("secret-1", "garbage")


def test_login_session_and_logout(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "taro", "山田 太郎", "pass-word")
        s.commit()
        assert auth.login(s, "taro", "wrong") is None
        assert auth.login(s, "nobody", "pass-word") is None
        token = auth.login(s, "taro", "pass-word")
        s.commit()
        assert token
        op = auth.operator_for_token(s, token)
        assert op is not None and op.name == "山田 太郎"
        assert auth.operator_for_token(s, token + "x") is None
        assert auth.operator_for_token(s, "") is None
        auth.logout(s, token)
        s.commit()
        assert auth.operator_for_token(s, token) is None


def test_expired_session_is_refused(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        auth.create_operator(s, "hanako", "花子", "pw")
        token = auth.login(s, "hanako", "pw")
        s.commit()
        assert token and auth.operator_for_token(s, token) is not None
        s.execute(update(OperatorSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        s.commit()
        assert auth.operator_for_token(s, token) is None
