"""Roles × actions on real databases (issue 20): each action is called in ecweb_core exactly as its
handler calls it; a refused one raises PermissionDenied with a Japanese message and changes no row of
any table, an allowed one is written to the 操作ログ."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from ecweb_core import customers, integrations, operators, permissions
from ecweb_core.automation.rules import create_rule
from ecweb_core.csvexport.formats import list_formats, save_format
from ecweb_core.demo import DEMO_LOGIN, DEMO_STAFF_LOGIN, DEMO_VIEWER_LOGIN, generate
from ecweb_core.documents import templates as doc_templates
from ecweb_core.jobs.downloads import job_for_download
from ecweb_core.jobs.register import register_job
from ecweb_core.mail import templates as mail_templates
from ecweb_core.masters import catalog
from ecweb_core.models import (
    AuditEntry,
    Customer,
    DocumentTemplate,
    Job,
    Label,
    Operator,
    Order,
    OrderLabel,
    Subscription,
)
from ecweb_core.order_edit import add_order_memo, edit_order, recalculate_order, set_order_labels
from ecweb_core.permissions import PermissionDenied
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from ecweb_core.statuses import CONFIRMED
from ecweb_core.subscriptions import listing as sub_listing
from tests.conftest import DEMO_NOW
from tests.dbs import backends, fresh_database

ROLES = ("admin", "staff", "viewer")
LOGINS = {"admin": DEMO_LOGIN, "staff": DEMO_STAFF_LOGIN, "viewer": DEMO_VIEWER_LOGIN}
Y, N = True, False


@pytest.fixture(scope="module", params=backends())
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path_factory.mktemp("perm")) as e:
        generate(e, 20, seed=5, now=DEMO_NOW)
        yield e


def _ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {role: s.execute(select(Operator.id).where(Operator.login == login)).scalar_one()
                for role, login in LOGINS.items()}  # fmt: skip


def _order(s: Session) -> int:
    return int(s.execute(select(func.min(Order.id))).scalar_one())


def _payment_job_id(s: Session, admin: int) -> int:
    existing = s.execute(select(Job.id).where(Job.kind == "payment")).scalar()
    if existing:
        return int(existing)
    sel = Selection(filter=OrderFilter(), ticked={_order(s)})
    return int(register_job(s, "payment", admin, sel, {"process": "reauthorize"}).id or 0)


def _csv_job_id(s: Session, admin: int) -> int:
    existing = s.execute(select(Job.id).where(Job.kind == "csv_export")).scalar()
    if existing:
        return int(existing)
    fid = list_formats(s, "order")[0].id
    sel = Selection(filter=OrderFilter(), ticked={_order(s)})
    return int(register_job(s, "csv_export", admin, sel, {"format_id": str(fid), "encoding": "utf-8"}).id or 0)


def _first(s: Session, model: Any) -> int:
    return int(s.execute(select(func.min(model.id))).scalar_one())


def _toggled_labels(s: Session) -> list[int]:
    """A real change each time: the first label on when the order has none, else none."""
    have = s.execute(select(OrderLabel.label_id).where(OrderLabel.order_id == _order(s))).scalars().all()
    return [] if have else [int(s.execute(select(func.min(Label.id)).where(Label.enabled)).scalar_one())]


# Each action as its handler makes it: (session, operator id, the admin's id for setting up) -> None.
ACTIONS: dict[str, Callable[[Session, int, int], Any]] = {
    "一括更新": lambda s, op, _: register_job(
        s, "bulk_update", op, Selection(filter=OrderFilter(), ticked={_order(s)}), {"status_id": str(CONFIRMED)}
    ),
    "決済状況一括変更": lambda s, op, _: register_job(
        s, "payment", op, Selection(filter=OrderFilter(), ticked={_order(s)}), {"process": "reauthorize"}
    ),
    "一括督促": lambda s, op, _: register_job(
        s, "dunning", op, Selection(filter=OrderFilter(), ticked={_order(s)}), {"due_date": "2026-12-01"}
    ),
    "受注の編集": lambda s, op, _: edit_order(s.connection(), _order(s), {"tracking_number": f"T{op}"}, op),
    "受注ラベル": lambda s, op, _: set_order_labels(s.connection(), _order(s), _toggled_labels(s), operator_id=op),
    "メモ": lambda s, op, _: add_order_memo(s.connection(), _order(s), "確認済み", op),
    "再計算": lambda s, op, _: recalculate_order(s.connection(), _order(s), op),
    "顧客メモ": lambda s, op, _: customers.add_memo(s.connection(), _first(s, Customer), "電話あり", op),
    "定期受注メモ": lambda s, op, _: sub_listing.add_memo(s.connection(), _first(s, Subscription), "確認", op),
    "自動化設定": lambda s, op, _: create_rule(
        s.connection(),
        {"event": "status", "event_value": str(CONFIRMED), "action": "order_attention", "param": "on"},
        op,
    ),
    "CSV管理": lambda s, op, _: save_format(
        s, None, f"形式{op}", "order", "order", [("order.number", "")], operator_id=op
    ),
    "帳票管理": lambda s, op, _: doc_templates.copy_template(
        s, int(s.execute(select(func.min(DocumentTemplate.id))).scalar_one()), operator_id=op
    ),
    "メールテンプレート管理": lambda s, op, _: mail_templates.save_template(
        s, None, {"name": f"テンプレート{op}", "subject": "件名", "body": "本文"}, operator_id=op
    ),
    "外部連携": lambda s, op, _: integrations.set_survey_integration(s, True, operator_id=op),
    "マスタ(受注ラベル)": lambda s, op, _: catalog.create_item(s.connection(), "label", f"ラベル{op}", operator_id=op),
    "管理者管理": lambda s, op, _: operators.create_operator(s, op, f"new{op}", "新人", "abc-12345678", "viewer"),
    "CSVダウンロード": lambda s, op, admin: job_for_download(s, op, _csv_job_id(s, admin)),
    "決済ジョブの結果CSV": lambda s, op, admin: job_for_download(s, op, _payment_job_id(s, admin)),
}
# (管理者, 一般, 閲覧のみ)
EXPECTED: dict[str, tuple[bool, bool, bool]] = {
    "一括更新": (Y, Y, N),
    "決済状況一括変更": (Y, N, N),
    "一括督促": (Y, Y, N),
    "受注の編集": (Y, Y, N),
    "受注ラベル": (Y, Y, N),
    "メモ": (Y, Y, N),
    "再計算": (Y, Y, N),
    "顧客メモ": (Y, Y, N),
    "定期受注メモ": (Y, Y, N),
    "自動化設定": (Y, N, N),
    "CSV管理": (Y, N, N),
    "帳票管理": (Y, N, N),
    "メールテンプレート管理": (Y, N, N),
    "外部連携": (Y, N, N),
    "マスタ(受注ラベル)": (Y, N, N),
    "管理者管理": (Y, N, N),
    "CSVダウンロード": (Y, Y, N),
    "決済ジョブの結果CSV": (Y, N, N),
}


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in SQLModel.metadata.sorted_tables
        }


def test_the_table_covers_every_action() -> None:
    assert set(ACTIONS) == set(EXPECTED)
    # Every job kind has its permission, and only 管理者 may move money.
    assert permissions.allowed("admin", "jobs.payment") and not permissions.allowed("staff", "jobs.payment")


@pytest.mark.parametrize("action", list(ACTIONS))
def test_roles_and_actions(engine: Engine, action: str) -> None:
    ids = _ids(engine)
    with Session(engine) as s:  # the jobs whose files are asked for, registered by 管理者 before the fingerprint
        _csv_job_id(s, ids["admin"])
        _payment_job_id(s, ids["admin"])
        s.commit()
    for role, allowed in zip(ROLES, EXPECTED[action], strict=True):
        before = _fingerprint(engine)
        with Session(engine) as s:
            audit_before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
            try:
                ACTIONS[action](s, ids[role], ids["admin"])
                s.commit()
                refused = None
            except PermissionDenied as e:
                s.rollback()
                refused = e
            audit_after = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        if allowed:
            assert refused is None, (action, role)
            if not action.endswith(("ダウンロード", "結果CSV")):  # downloads are logged by the route, when served
                assert audit_after > audit_before, (action, role)
        else:
            assert refused is not None, (action, role)
            assert str(refused) == "この操作を行う権限がありません。"
            assert _fingerprint(engine) == before, (action, role)


def test_a_disabled_operator_is_refused_everything(engine: Engine) -> None:
    ids = _ids(engine)
    with Session(engine) as s:
        operators.create_operator(s, ids["admin"], "temp-admin", "一時", "abc-12345678", "admin")
        temp = s.execute(select(Operator.id).where(Operator.login == "temp-admin")).scalar_one()
        operators.set_disabled(s, ids["admin"], temp, True)
        with pytest.raises(PermissionDenied, match="ログインしてください"):
            ACTIONS["一括更新"](s, temp, ids["admin"])
        s.rollback()
