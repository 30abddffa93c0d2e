"""操作ログ (issue 20) on real databases: the table refuses UPDATE and DELETE (database triggers), and
each kind of action writes its entry (who, what, from which address); the download routes serve only
what the role may download, log what they serve, and answer a 30-digit id with 404."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

with warnings.catch_warnings():  # Starlette prefers httpx2 now; httpx is what the project has
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from ecweb_core import audit, auth
from ecweb_core.csvexport.formats import list_formats, save_format
from ecweb_core.demo import (
    DEMO_LOGIN,
    DEMO_STAFF_LOGIN,
    DEMO_STAFF_PASSWORD,
    DEMO_VIEWER_LOGIN,
    DEMO_VIEWER_PASSWORD,
    generate,
)
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import AuditEntry, Operator, Order
from ecweb_core.order_edit import edit_order
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW
from tests.dbs import backends, fresh_database


@pytest.fixture(scope="module", params=backends())
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("audit")
    with fresh_database(request.param, folder) as e:
        generate(e, 10, seed=4, now=DEMO_NOW)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DATABASE_URL", e.url.render_as_string(hide_password=False))
            mp.setenv("ECWEB_JOB_FILES_DIR", str(Path(folder) / "jobs"))
            yield e


def _op(s: Session, login: str) -> int:
    return int(s.execute(select(Operator.id).where(Operator.login == login)).scalar_one())


def _last(s: Session, kind: str) -> AuditEntry:
    return s.execute(select(AuditEntry).where(AuditEntry.kind == kind).order_by(AuditEntry.id.desc())).scalars().first()


def test_the_log_is_append_only(engine: Engine) -> None:
    with Session(engine) as s:
        audit.settings_changed(s, _op(s, DEMO_LOGIN), "テスト", "追記")
        s.commit()
    for statement in (update(AuditEntry).values(detail="書き換え"), delete(AuditEntry)):
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(statement)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("TRUNCATE audit_log"))
    with Session(engine) as s:
        assert _last(s, audit.SETTINGS).detail == "追記"


def test_login_logout_and_failed_login_are_logged_with_the_address(engine: Engine) -> None:
    token = audit.client_address.set("192.0.2.7")
    try:
        with Session(engine) as s:
            assert auth.login(s, DEMO_STAFF_LOGIN, "wrong-password") is None
            assert auth.login(s, "no-such-account", "whatever") is None
            session_token = auth.login(s, DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD)
            assert session_token
            auth.logout(s, session_token)
            s.commit()
            staff = _op(s, DEMO_STAFF_LOGIN)
            rows = s.execute(select(AuditEntry).where(AuditEntry.address == "192.0.2.7").order_by(AuditEntry.id))
            got = [(r.kind, r.operator_id, r.login, r.detail) for r in rows.scalars()]
    finally:
        audit.client_address.reset(token)
    assert got == [
        (audit.LOGIN_FAILED, staff, DEMO_STAFF_LOGIN, "パスワード誤り"),
        (audit.LOGIN_FAILED, None, "no-such-account", "存在しないログインID"),
        (audit.LOGIN, staff, DEMO_STAFF_LOGIN, ""),
        (audit.LOGOUT, staff, DEMO_STAFF_LOGIN, ""),
    ]
    # Nothing secret is written.
    with Session(engine) as s:
        texts = " ".join(f"{r.target} {r.detail} {r.login}" for r in s.execute(select(AuditEntry)).scalars())
    assert DEMO_STAFF_PASSWORD not in texts and "wrong-password" not in texts and session_token not in texts


def test_job_settings_and_order_edit_are_logged(engine: Engine) -> None:
    with Session(engine) as s:
        admin = _op(s, DEMO_LOGIN)
        order_id = int(s.execute(select(func.min(Order.id))).scalar_one())
        job = register_job(s, "dunning", admin, Selection(filter=OrderFilter(), ticked={order_id}),
                           {"due_date": "2026-12-01"})  # fmt: skip
        entry = _last(s, audit.JOB)
        assert (entry.operator_id, entry.target, entry.detail) == (admin, f"ジョブ #{job.id}", "一括督促(1件)")
        fmt = save_format(s, None, "監査テスト", "order", "order", [("order.number", "")], operator_id=admin)
        entry = _last(s, audit.SETTINGS)
        assert (entry.target, entry.detail) == ("CSV管理", f"フォーマット「監査テスト」(#{fmt.id})を保存")
        edit_order(s.connection(), order_id, {"tracking_number": "AUDIT-1"}, admin)
        s.commit()
        entry = _last(s, audit.ORDER_EDIT)
        assert (entry.operator_id, entry.target) == (admin, f"受注 #{order_id}")
        assert "tracking_number" in entry.detail


def test_the_screen_lists_and_filters(engine: Engine) -> None:
    with Session(engine) as s:
        everything = audit.count_entries(s, audit.AuditFilter())
        logins = audit.count_entries(s, audit.AuditFilter(kind=audit.LOGIN))
        rows = audit.list_entries(s, audit.AuditFilter(kind=audit.LOGIN))
        found = audit.list_entries(s, audit.AuditFilter(text="監査テスト"))
        none = audit.count_entries(s, audit.AuditFilter(text="100%_な\\い"))
    assert everything > logins >= 1 and len(rows) == logins
    assert {r.kind for r in rows} == {"ログイン"} and rows[0].operator == "デモ 一般"
    assert [r.target for r in found] == ["CSV管理"]
    assert none == 0


def _client(engine: Engine, login: str, password: str) -> TestClient:
    from ecweb.api import api
    from ecweb_state.auth import COOKIE

    with Session(engine) as s:
        token = auth.login(s, login, password)
        s.commit()
    client = TestClient(api)
    client.cookies.set(COOKIE, token or "")
    return client


def test_downloads_check_the_role_and_are_logged(engine: Engine) -> None:
    with Session(engine) as s:
        admin = _op(s, DEMO_LOGIN)
        order_id = int(s.execute(select(func.min(Order.id))).scalar_one())
        fid = list_formats(s, "order")[0].id
        job = register_job(s, "csv_export", admin, Selection(filter=OrderFilter(), ticked={order_id}),
                           {"format_id": str(fid), "encoding": "utf-8"})  # fmt: skip
        job_id = int(job.id or 0)
    run_job(engine, job_id)
    viewer = _client(engine, DEMO_VIEWER_LOGIN, DEMO_VIEWER_PASSWORD)
    staff = _client(engine, DEMO_STAFF_LOGIN, DEMO_STAFF_PASSWORD)
    for path in (f"/api/jobs/{job_id}/export", f"/api/jobs/{job_id}/result.csv"):
        refused = viewer.get(path)
        assert refused.status_code == 403 and refused.text == "この操作を行う権限がありません。"
    served = staff.get(f"/api/jobs/{job_id}/export")
    assert served.status_code == 200 and served.content
    with Session(engine) as s:
        entry = _last(s, audit.DOWNLOAD)
        assert (entry.operator_id, entry.target) == (_op(s, DEMO_STAFF_LOGIN), f"ジョブ #{job_id}")
        assert entry.address == "testclient"
    # A crafted id: not a job, whatever its length; no 500.
    for crafted in ("9" * 30, "0", str(2**31)):
        answer = staff.get(f"/api/jobs/{crafted}/result.csv")
        assert answer.status_code == 404, crafted
    from ecweb.api import api

    anonymous = TestClient(api)
    assert anonymous.get(f"/api/jobs/{job_id}/export").status_code == 401
