"""メール一括通知 as a job, end to end in the core: registration refuses bad input, the run mails
each customer once over a real aiosmtpd server, and a retried job sends nothing twice."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.mail.templates import save_template
from ecweb_core.models import Customer, Job, JobTarget, MailTemplate, Operator, Order
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW
from tests.mail_server import SmtpServer, smtp_server

TEXT_FORM = {
    "mail_mode": "text",
    "subject": "{{ order.number }} について",
    "body": "{{ customer.name }} 様\n{{ shop.name }}です。\n",
    "cc": "",
    "bcc": "",
}


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with smtp_server() as server:
        monkeypatch.setenv("SMTP_URL", server.url)
        yield server


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 40, seed=8, now=DEMO_NOW)
    with empty_engine.begin() as conn:  # every customer reachable, each order its own address
        conn.execute(
            update(Customer).values(mail_opt_in=True, email=literal("c") + cast(Customer.id, String) + "@example.jp")
        )
    yield empty_engine


def _op(s: Session) -> int:
    return s.execute(select(Operator.id)).scalars().first()  # type: ignore[return-value]


def _ticked(s: Session, n: int) -> Selection:
    """n orders of n different customers."""
    sel = Selection()
    first = select(func.min(Order.id)).group_by(Order.customer_id).order_by(func.min(Order.id)).limit(n)
    for order_id in s.execute(first).scalars():
        sel.tick(order_id, True)
    return sel


def _customer_of(engine: Engine, order_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Order.customer_id).where(Order.id == order_id)).scalar_one()


def _result(engine: Engine, job_id: int) -> list[list[str]]:
    with Session(engine) as s:
        path = s.get(Job, job_id).result_path  # type: ignore[union-attr]
    with open(path, encoding="utf-8-sig") as fh:  # type: ignore[arg-type]
        return list(csv.reader(fh))[1:]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({**TEXT_FORM, "subject": " "}, "subject", "件名を入力してください。"),
        ({**TEXT_FORM, "body": ""}, "body", "本文を入力してください。"),
        ({**TEXT_FORM, "body": "{{ customer.nickname }}"}, "body", "不明な差し込み項目"),
        ({**TEXT_FORM, "body": "{% for x in items %}"}, "body", "書式に誤り"),
        ({**TEXT_FORM, "body": "{{ ''.__class__.__mro__ }}"}, "body", "使用できない項目"),
        ({**TEXT_FORM, "cc": "ok@example.jp, not-an-address"}, "cc", "CCのメールアドレスが正しくありません"),
        ({"mail_mode": "template", "template_id": ""}, "template_id", "メールテンプレートを選択してください。"),
        ({"mail_mode": "template", "template_id": "99999"}, "template_id", "見つかりません"),
    ],
)
def test_bad_input_registers_no_job(engine: Engine, form: dict[str, str], field: str, message: str) -> None:
    with Session(engine) as s:
        with pytest.raises(ParamError) as err:
            register_job(s, "mail", _op(s), _ticked(s, 3), form)
        assert message in err.value.errors[field]
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_job_mails_each_customer_skips_opt_out_and_reports_recipients(engine: Engine, smtp: SmtpServer) -> None:
    with Session(engine) as s:
        sel = _ticked(s, 10)
        ids = sorted(sel.ticked)
        tid = s.execute(select(MailTemplate.id).where(MailTemplate.name == "商品発送完了メール")).scalar_one()
        job_id = int(register_job(s, "mail", _op(s), sel, {"mail_mode": "template", "template_id": str(tid)}).id or 0)
        # Edited after registration: the job sends what the operator saw.
        s.execute(update(MailTemplate).where(MailTemplate.id == tid).values(subject="changed"))
        s.commit()
    with engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == _customer_of(engine, ids[0])).values(mail_opt_in=False))
        conn.execute(update(Customer).where(Customer.id == _customer_of(engine, ids[1])).values(email=None))
        bounce = _customer_of(engine, ids[2])
        conn.execute(update(Customer).where(Customer.id == bounce).values(email="gone@example.invalid"))
    summary = run_job(engine, job_id, chunk_size=4)
    assert (summary.status, summary.succeeded, summary.skipped, summary.failed) == ("done", 7, 2, 1)
    assert len(smtp.store.mails) == 7
    assert all("商品を発送いたしました" in m.subject for m in smtp.store.mails)
    rows = {r[0]: r for r in _result(engine, job_id)}
    with engine.connect() as conn:
        numbers = dict(conn.execute(select(Order.id, Order.number).where(Order.id.in_(ids))).all())
    assert rows[numbers[ids[0]]][1] == "スキップ" and "送信しない" in rows[numbers[ids[0]]][2]
    assert rows[numbers[ids[1]]][1] == "スキップ"
    assert rows[numbers[ids[2]]][1] == "失敗" and "gone@example.invalid" in rows[numbers[ids[2]]][2]
    ok = rows[numbers[ids[3]]]
    assert ok[1] == "成功" and ok[2] == f"送信しました: c{_customer_of(engine, ids[3])}@example.jp"


def test_a_job_retried_after_a_lost_commit_mails_nobody_twice(engine: Engine, smtp: SmtpServer) -> None:
    with Session(engine) as s:
        job = register_job(s, "mail", _op(s), _ticked(s, 12), {**TEXT_FORM, "bcc": "audit@example.jp"})
    first = run_job(engine, job.id, chunk_size=5, max_chunks=2)  # killed after two chunks
    assert first.status == "running" and len(smtp.store.mails) == 10
    # The worker also lost the commit of the second chunk after its mails went out.
    with engine.begin() as conn:
        second_chunk = conn.execute(
            select(JobTarget.order_id).where(JobTarget.job_id == job.id).order_by(JobTarget.order_id).offset(5).limit(5)
        ).scalars().all()  # fmt: skip
        conn.execute(
            update(JobTarget)
            .where(JobTarget.job_id == job.id, JobTarget.order_id.in_(second_chunk))
            .values(outcome=None, message=None)
        )
        conn.execute(update(Job).where(Job.id == job.id).values(done_count=5, succeeded=5))
    final = run_job(engine, job.id, chunk_size=5)
    assert (final.status, final.succeeded, final.failed) == ("done", 12, 0)
    assert len(smtp.store.mails) == 12  # 2 more, not 7
    recipients = [tuple(sorted(m.rcpt_tos)) for m in smtp.store.mails]
    assert len(set(recipients)) == 12 and all("audit@example.jp" in r for r in recipients)
    messages = [r[2] for r in _result(engine, job.id)]
    assert sum("再送しませんでした" in m for m in messages) == 5
    again = run_job(engine, job.id)  # a duplicate delivery of the finished job
    assert again.status == "done" and len(smtp.store.mails) == 12


def test_operator_template_with_items_loop(engine: Engine, smtp: SmtpServer) -> None:
    with Session(engine) as s:
        tid = save_template(
            s,
            None,
            {
                "name": "お礼",
                "subject": "{{ customer.name }} 様へ {{ order.number }}",
                "body": "{% for item in items %}- {{ item.name }} {{ item.unit_price | yen }} x {{ item.quantity }}\n"
                "{% endfor %}計 {{ order.total | yen }}\n{{ shop.name }}",
                "cc": "shop@example.jp",
            },
        )
        sel = _ticked(s, 1)
        job = register_job(s, "mail", _op(s), sel, {"mail_mode": "template", "template_id": str(tid)})
    run_job(engine, job.id)
    (mail,) = smtp.store.mails
    assert mail.body.startswith("- ") and "計 ¥" in mail.body and mail.body.rstrip().endswith("ecweb デモショップ")
    assert "shop@example.jp" in mail.rcpt_tos and "shop@example.jp" in mail.cc
