"""ジョブ管理's 中止 and 失敗分を再実行, its filters and its words for a job's params (issue 18), on
real databases with the real runner."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.jobs.control import NOT_OWN, NOTHING_TO_RERUN, request_stop, rerun_counts, rerun_failed
from ecweb_core.jobs.listing import JobQuery, count_jobs, list_jobs, page_of, parse_job_query, problem_targets
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import Job, JobTarget, Label, Operator, Order, OrderStatus, PaymentMethod
from ecweb_core.models.common import JST
from ecweb_core.search import parse_filter
from ecweb_core.selection import Selection
from ecweb_core.statuses import SHIPPED
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 250, seed=3, now=DEMO_NOW)
    yield empty_engine


def _op(s: Session) -> int:
    return int(s.execute(select(Operator.id)).scalars().first())  # type: ignore[arg-type]


def _other_operator(s: Session) -> int:
    with Session(s.get_bind()) as own:  # its own session: committing must not expire the caller's jobs
        own.add(Operator(login="other", name="別の担当者", password_hash="x"))
        own.commit()
        return int(own.execute(select(Operator.id).where(Operator.login == "other")).scalar_one())


def _all(s: Session, kind: str, form: dict[str, Any]) -> Job:
    return register_job(s, kind, _op(s), Selection(filter=parse_filter({}), all_results=True), form)


def _result_csv(engine: Engine, job_id: int) -> list[list[str]]:
    with Session(engine) as s:
        path = s.get(Job, job_id).result_path  # type: ignore[union-attr]
    with open(str(path), encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def test_stop_between_chunks_keeps_what_is_done_and_lists_the_rest_unprocessed(engine: Engine) -> None:
    notes: list[dict[str, Any]] = []
    with Session(engine) as s:
        job = _all(s, "dunning", {"memo": "中止テスト"})
        op = _op(s)
    # Two chunks of 40 run, then the operator asks to stop; the runner resumes and stops at once.
    run_job(engine, job.id, chunk_size=40, max_chunks=2)
    with engine.begin() as conn:
        assert request_stop(conn, job.id, op) == "running"
    summary = run_job(engine, job.id, notify=notes.append, chunk_size=40)
    assert summary.status == "cancelled"
    assert summary.succeeded == 80 and summary.total == 250
    rows = _result_csv(engine, job.id)
    assert len(rows) == 250
    assert sum(r[1] == "成功" for r in rows) == 80
    assert sum(r[1] == "未処理" for r in rows) == 170
    assert notes[-1]["event"] == "cancelled" and notes[-1]["message"] == "受注 一括督促 を中止しました。"
    # A later delivery of the same message does nothing more.
    assert run_job(engine, job.id, chunk_size=40).succeeded == 80
    with Session(engine) as s:
        row = next(r for r in list_jobs(s, 1, 20, operator_id=op) if r.id == job.id)
    assert row.status_label == "中止" and row.progress_text == "80 / 250" and row.can_rerun
    assert not row.can_stop


def test_stop_before_start_ends_the_job_and_the_worker_then_does_nothing(engine: Engine) -> None:
    with Session(engine) as s:
        job = _all(s, "dunning", {})
        op = _op(s)
    with engine.begin() as conn:
        assert request_stop(conn, job.id, op) == "cancelled"
    summary = run_job(engine, job.id, chunk_size=40)
    assert (summary.status, summary.succeeded) == ("cancelled", 0)
    assert {r[1] for r in _result_csv(engine, job.id)} == {"未処理"}


def test_only_the_owner_stops_and_only_an_unfinished_job(engine: Engine) -> None:
    with Session(engine) as s:
        job = _all(s, "dunning", {})
        other = _other_operator(s)
        op = _op(s)
    with pytest.raises(FormError) as err, engine.begin() as conn:
        request_stop(conn, job.id, other)
    assert err.value.errors["job"] == NOT_OWN
    run_job(engine, job.id, chunk_size=100)
    with pytest.raises(FormError), engine.begin() as conn:
        request_stop(conn, job.id, op)
    with Session(engine) as s:
        assert s.get(Job, job.id).stop_requested_at is None  # type: ignore[union-attr]


def _captured_and_other(s: Session) -> tuple[list[int], list[int]]:
    captured = list(s.execute(select(Order.id).where(Order.payment_status == "captured").limit(5)).scalars())
    others = list(s.execute(select(Order.id).where(Order.payment_status != "captured").limit(7)).scalars())
    return captured, others


def test_rerun_takes_exactly_the_failed_orders_with_the_same_params(engine: Engine) -> None:
    with Session(engine) as s:
        captured, others = _captured_and_other(s)
        bank = s.execute(select(PaymentMethod.id).where(PaymentMethod.code == "bank")).scalar_one()
        sel = Selection(filter=parse_filter({}))
        for i in captured + others:
            sel.tick(i, True)
        job = register_job(s, "bulk_update", _op(s), sel, {"payment_method_id": str(bank), "order_memo": "再実行"})
        op = _op(s)
    run_job(engine, job.id, chunk_size=100)
    with engine.begin() as conn:
        assert rerun_counts(conn, job.id) == (len(captured), 0)
        new_id, kind = rerun_failed(conn, job.id, op)
    with Session(engine) as s:
        new = s.get(Job, new_id)
        old = s.get(Job, job.id)
        assert new is not None and old is not None
        assert (kind, new.kind, new.params, new.rerun_of, new.total) == ("bulk_update", old.kind, old.params, job.id, 5)
        assert set(s.execute(select(JobTarget.order_id).where(JobTarget.job_id == new_id)).scalars()) == set(captured)
        rows = {r.id: r for r in list_jobs(s, 1, 20, operator_id=op)}
    assert rows[new_id].rerun_of == job.id and rows[job.id].reruns == [new_id]
    # Nothing failed in a job that had no failures: nothing is registered.
    with Session(engine) as s:
        ok_job = register_job(s, "dunning", op, Selection(filter=parse_filter({}), ticked={others[0]}), {})
    run_job(engine, ok_job.id)
    with Session(engine) as s:
        before = count_jobs(s)
    with pytest.raises(FormError) as err, engine.begin() as conn:
        rerun_failed(conn, ok_job.id, op)
    assert err.value.errors["job"] == NOTHING_TO_RERUN
    with Session(engine) as s:
        assert count_jobs(s) == before


def test_rerun_of_a_stopped_job_can_take_its_unprocessed_orders(engine: Engine) -> None:
    with Session(engine) as s:
        job = _all(s, "dunning", {})
        op = _op(s)
    run_job(engine, job.id, chunk_size=100, max_chunks=1)
    with engine.begin() as conn:
        request_stop(conn, job.id, op)
    run_job(engine, job.id, chunk_size=100)
    with engine.begin() as conn:
        assert rerun_counts(conn, job.id) == (0, 150)
        with pytest.raises(FormError):
            rerun_failed(conn, job.id, op)  # no failed ones
    with engine.begin() as conn:
        new_id, _ = rerun_failed(conn, job.id, op, with_unprocessed=True)
    assert run_job(engine, new_id, chunk_size=100).succeeded == 150


def test_problem_targets_name_the_orders_and_their_reasons(engine: Engine) -> None:
    with Session(engine) as s:
        captured, others = _captured_and_other(s)
        cod = s.execute(select(PaymentMethod.id).where(PaymentMethod.code == "cod")).scalar_one()
        sel = Selection(filter=parse_filter({}))
        for i in captured + others:
            sel.tick(i, True)
        job = register_job(s, "bulk_update", _op(s), sel, {"payment_method_id": str(cod)})
    run_job(engine, job.id)
    with Session(engine) as s:
        rows, total = problem_targets(s, job.id)
        numbers = dict(s.execute(select(Order.id, Order.number).where(Order.id.in_(captured))).all())
    assert total == len(rows) >= len(captured)
    by_id = {r.order_id: r for r in rows}
    for oid in captured:
        assert by_id[oid].number == numbers[oid] and by_id[oid].outcome == "失敗"
        assert "売上" in by_id[oid].message


def test_filters_and_the_page_of_a_linked_job(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        other = _other_operator(s)
        a = _all(s, "dunning", {})
        b = register_job(s, "dunning", other, Selection(filter=parse_filter({}), all_results=True), {})
        label = s.execute(select(Label.id, Label.name).order_by(Label.id)).first()
        shipped = s.get(OrderStatus, SHIPPED)
        c = _all(s, "bulk_update", {"status_id": str(SHIPPED), "label_ids": [str(label[0])]})
        s.execute(update(Job).where(Job.id == a.id).values(created_at=DEMO_NOW - timedelta(days=3)))
        s.commit()
    run_job(engine, b.id)
    day = (DEMO_NOW - timedelta(days=3)).astimezone(JST).date().isoformat()
    with Session(engine) as s:
        assert {r.id for r in list_jobs(s, 1, 20, parse_job_query({"kind": "dunning"}))} == {a.id, b.id}
        assert {r.id for r in list_jobs(s, 1, 20, parse_job_query({"operator_id": str(other)}))} == {b.id}
        assert {r.id for r in list_jobs(s, 1, 20, parse_job_query({"status": "done"}))} == {b.id}
        q = parse_job_query({"created_from": day, "created_to": day})
        assert {r.id for r in list_jobs(s, 1, 20, q)} == {a.id}
        assert page_of(s, JobQuery(), a.id, 2) == 2 and page_of(s, JobQuery(), c.id, 2) == 1
        row = next(r for r in list_jobs(s, 1, 20) if r.id == c.id)
    assert row.params_text == f"対応状況: {shipped.name}、受注ラベル: {label[1]}"
    assert row.counts_text == "成功 0 / 失敗 0 / スキップ 0" and row.progress_text == "0 / 250"
    with pytest.raises(FormError) as err:
        parse_job_query({"created_from": "2026/13/01", "status": "bogus"})
    assert set(err.value.errors) == {"created_from", "status"}


def test_counts_are_formatted_like_the_grid(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        job = _all(s, "dunning", {})
        s.execute(update(Job).where(Job.id == job.id).values(total=1202, done_count=1202, succeeded=1200, failed=2))
        s.commit()
        row = next(r for r in list_jobs(s, 1, 20) if r.id == job.id)
    assert row.progress_text == "1,202 / 1,202"
    assert row.counts_text == "成功 1,200 / 失敗 2 / スキップ 0"


def test_params_in_words_for_exports_and_mail(engine: Engine) -> None:
    from ecweb_core.jobs.describe import describe_params

    with engine.connect() as conn:
        csv_text = describe_params(
            conn, "csv_export", {"format_name": "出荷用", "encoding": "cp932", "shipping_list": True}
        )
        mail_text = describe_params(
            conn, "mail", {"mode": "template", "template_name": "発送のお知らせ", "subject": "発送しました"}
        )
        pdf_text = describe_params(
            conn,
            "pdf_export",
            {"document": {"name": "標準納品書", "kind": "delivery_note"}, "issue_date": "2026-11-01"},
        )
        gone = describe_params(conn, "bulk_update", {"status_id": 999999})
    assert csv_text == "フォーマット: 出荷用、文字コード: Shift_JIS、出荷リスト出力済にする"
    assert mail_text.startswith("メールテンプレート: 発送のお知らせ")
    assert pdf_text == "帳票: 標準納品書、種類: 納品書、発行日: 2026/11/01"
    assert gone == "対応状況: (削除済み)"
    assert json.dumps(csv_text)  # plain text
