"""Job registration (snapshot of the three selection modes) and the chunked runner, on real databases."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.demo import generate
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import _record, mark_failed, run_job
from ecweb_core.models import DunningRecord, Job, JobTarget, Operator, Order, OrderEvent
from ecweb_core.search import PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.selection import Selection
from ecweb_core.statuses import SHIPPED
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 250, seed=3, now=DEMO_NOW)
    yield empty_engine


def _op(s: Session) -> int:
    return s.execute(select(Operator.id)).scalars().first()  # type: ignore[return-value]


def _targets(s: Session, job_id: int) -> set[int]:
    return set(s.execute(select(JobTarget.order_id).where(JobTarget.job_id == job_id)).scalars())


def _dunning_per_order(s: Session) -> dict[int, int]:
    rows = s.execute(select(DunningRecord.order_id, func.count()).group_by(DunningRecord.order_id)).all()
    return {oid: n for oid, n in rows}


def test_snapshot_of_all_results_is_the_filter_at_registration(engine: Engine) -> None:
    with Session(engine) as s:
        f = parse_filter({"status_ids": str(SHIPPED)})
        expected = {i for (i,) in s.execute(select(Order.id).where(Order.status_id == SHIPPED))}
        job = register_job(s, "dunning", _op(s), Selection(filter=f, all_results=True), {"memo": "督促1"})
        assert job.total == len(expected) == count_orders(s, f)
        assert _targets(s, job.id) == expected
        # An order that starts to match later is not part of the job.
        other = s.execute(select(Order.id).where(Order.status_id != SHIPPED)).scalars().first()
        s.execute(update(Order).where(Order.id == other).values(status_id=SHIPPED))
        s.commit()
        assert other not in _targets(s, job.id)
        assert json.loads(job.selection)["all_results"] is True


def test_snapshot_of_ticked_rows_and_of_a_page(engine: Engine) -> None:
    with Session(engine) as s:
        sel = Selection(filter=parse_filter({}))
        page1 = [r.id for r in fetch_page(s, sel.filter, PageRequest(page=1, page_size=50))]
        page2 = [r.id for r in fetch_page(s, sel.filter, PageRequest(page=2, page_size=50))]
        sel.tick(page2[3], True)
        sel.tick(page2[7], True)
        job = register_job(s, "dunning", _op(s), sel, {})
        assert _targets(s, job.id) == {page2[3], page2[7]}
        sel.tick_page(page1, True)
        job2 = register_job(s, "dunning", _op(s), sel, {})
        assert _targets(s, job2.id) == set(page1) | {page2[3], page2[7]} and job2.total == 52


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"due_date": "2026-02-30"}, "due_date", "支払期限は「2026-01-31」の形式で入力してください。"),
        ({"memo": "あ" * 1001}, "memo", "メモは1000文字以内で入力してください。"),
    ],
)
def test_bad_form_registers_nothing(engine: Engine, form: dict[str, str], field: str, message: str) -> None:
    with Session(engine) as s:
        sel = Selection(filter=parse_filter({}), all_results=True)
        with pytest.raises(ParamError) as info:
            register_job(s, "dunning", _op(s), sel, form)
        assert info.value.errors[field] == message
        with pytest.raises(ParamError) as none:
            register_job(s, "dunning", _op(s), Selection(), {})
        assert none.value.errors["selection"] == "処理対象の受注を選択してください。"
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_dunning_job_runs_every_target_once_and_writes_result(engine: Engine) -> None:
    notes: list[dict] = []  # type: ignore[type-arg]
    with Session(engine) as s:
        sel = Selection(filter=parse_filter({}), all_results=True)
        job = register_job(s, "dunning", _op(s), sel, {"due_date": "2026/12/10", "memo": "お支払いのご確認"})
    summary = run_job(engine, job.id, notify=notes.append, chunk_size=40)
    assert (summary.status, summary.total, summary.succeeded, summary.failed) == ("done", 250, 250, 0)
    with Session(engine) as s:
        assert _dunning_per_order(s) == {i: 1 for i in _targets(s, job.id)}
        rec = s.execute(select(DunningRecord).limit(1)).scalar_one()
        assert rec.memo == "お支払いのご確認" and rec.due_date.isoformat() == "2026-12-10"
        events = s.execute(select(func.count()).where(OrderEvent.kind == "dunning")).scalar_one()
        assert events == 250
        done = s.get(Job, job.id)
        assert done is not None and done.status == "done" and done.done_count == 250 and done.result_path
    with open(done.result_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["受注番号", "結果", "メッセージ"]
    assert len(rows) == 251 and {r[1] for r in rows[1:]} == {"成功"}
    assert notes[0]["event"] == "started" and notes[-1]["event"] == "done"
    assert notes[-1]["message"] == "受注 一括督促 を完了しました。"
    # A duplicate delivery of the finished job changes nothing.
    run_job(engine, job.id)
    with Session(engine) as s:
        assert sum(_dunning_per_order(s).values()) == 250


def test_a_failing_order_is_reported_and_the_others_go_on(engine: Engine) -> None:
    with Session(engine) as s:
        sel = Selection(filter=parse_filter({}))
        for oid in s.execute(select(Order.id).order_by(Order.id).limit(5)).scalars():
            sel.tick(oid, True)
        job_id = register_job(s, "dunning", _op(s), sel, {}).id
        # The order vanished after the snapshot: the job must report it, not stop.
        s.execute(insert(JobTarget).values(job_id=job_id, order_id=999_999))
        s.execute(update(Job).where(Job.id == job_id).values(total=6))
        s.commit()
    summary = run_job(engine, job_id, chunk_size=4)
    assert (summary.status, summary.succeeded, summary.failed) == ("done", 5, 1)
    with Session(engine) as s:
        path = s.get(Job, job_id).result_path  # type: ignore[union-attr]
    with open(path, encoding="utf-8-sig") as fh:  # type: ignore[arg-type]
        rows = list(csv.reader(fh))
    assert ["(ID 999999)", "失敗", "受注が見つかりません。"] in rows


def _poison(engine: Engine, order_id: int) -> None:
    """A database that refuses any 督促 of one order: a real failure inside the chunk's transaction."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(
                f"CREATE TRIGGER poison BEFORE INSERT ON dunning_records WHEN NEW.order_id = {order_id} "
                "BEGIN SELECT RAISE(ABORT, 'poison order'); END"
            ))  # fmt: skip
            return
        conn.execute(text(
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.order_id = {order_id} THEN RAISE EXCEPTION 'poison order'; END IF; RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        ))  # fmt: skip
        conn.execute(
            text("CREATE TRIGGER poison BEFORE INSERT ON dunning_records FOR EACH ROW EXECUTE FUNCTION poison()")
        )


def test_a_poison_order_is_found_by_halving_its_chunk(engine: Engine) -> None:
    """One order the database refuses: the others of its chunk are done in a few transactions (the
    chunk is halved around it, not retried order by order), and its reason names no SQL."""
    with Session(engine) as s:
        ids = list(s.execute(select(Order.id).order_by(Order.id).limit(128)).scalars())
        job_id = int(register_job(s, "dunning", _op(s), Selection(ticked=set(ids)), {}).id or 0)
    _poison(engine, ids[77])
    begins: list[int] = []
    event.listen(engine, "begin", lambda conn: begins.append(1))
    summary = run_job(engine, job_id, chunk_size=128)
    assert (summary.status, summary.succeeded, summary.failed) == ("done", 127, 1)
    # 1 whole chunk + 2 per halving level (7 levels for 128) + the poison's own record, plus the
    # runner's own bookkeeping: far fewer than the 129 of an order-by-order retry.
    assert len(begins) < 40, len(begins)
    with Session(engine) as s:
        assert set(_dunning_per_order(s)) == set(ids) - {ids[77]}
        message = s.execute(
            select(JobTarget.message).where(JobTarget.job_id == job_id, JobTarget.order_id == ids[77])
        ).scalar_one()
    assert message is not None and "INSERT" not in message
    assert message.startswith("データベースの処理でエラーが発生しました")


def test_resume_after_interruption_does_no_order_twice(engine: Engine) -> None:
    with Session(engine) as s:
        job = register_job(s, "dunning", _op(s), Selection(filter=parse_filter({}), all_results=True), {})
    partial = run_job(engine, job.id, chunk_size=30, max_chunks=3)
    assert partial.status == "running"
    with Session(engine) as s:
        assert sum(_dunning_per_order(s).values()) == 90
    final = run_job(engine, job.id, chunk_size=30)
    assert (final.status, final.succeeded) == ("done", 250)
    with Session(engine) as s:
        assert _dunning_per_order(s) == {i: 1 for i in _targets(s, job.id)}
        assert s.get(Job, job.id).attempts == 2  # type: ignore[union-attr]


def test_a_chunk_recorded_by_two_deliveries_is_counted_once(engine: Engine) -> None:
    """Two deliveries of one job that took the same pending chunk: the second one's outcomes find the
    targets recorded, and the job's counters do not count them again."""
    with Session(engine) as s:
        ids = list(s.execute(select(Order.id).order_by(Order.id).limit(8)).scalars())
        job_id = int(register_job(s, "dunning", _op(s), Selection(ticked=set(ids)), {}).id or 0)
    outcomes = {i: ("ok", None) for i in ids[:6]} | {ids[6]: ("failed", "受注が見つかりません。")}
    for _ in range(2):
        with engine.begin() as conn:
            _record(conn, job_id, dict(outcomes))
    with Session(engine) as s:
        job = s.get(Job, job_id)
        assert job is not None
        assert (job.done_count, job.succeeded, job.failed, job.skipped) == (7, 6, 1, 0)
    final = run_job(engine, job_id)
    assert (final.status, final.succeeded, final.failed) == ("done", 7, 1)


def test_mark_failed_keeps_what_was_recorded(engine: Engine) -> None:
    notes: list[dict] = []  # type: ignore[type-arg]
    with Session(engine) as s:
        job = register_job(s, "dunning", _op(s), Selection(filter=parse_filter({}), all_results=True), {})
    run_job(engine, job.id, chunk_size=100, max_chunks=1)
    mark_failed(engine, job.id, "RuntimeError: boom", notify=notes.append)
    with Session(engine) as s:
        failed = s.get(Job, job.id)
        assert failed is not None and failed.status == "failed" and failed.succeeded == 100
    assert notes[-1]["message"] == "受注 一括督促 に失敗しました。ジョブ管理画面をご確認ください。"
    with open(failed.result_path, encoding="utf-8-sig") as fh:  # type: ignore[arg-type]
        outcomes = [r[1] for r in csv.reader(fh)][1:]
    assert outcomes.count("成功") == 100 and outcomes.count("未処理") == 150


def test_result_files_expire_after_the_configured_days(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from ecweb_core.jobs.files import expire_job_files
    from ecweb_core.models.common import utcnow

    with Session(engine) as s:
        old_id = register_job(s, "dunning", _op(s), Selection(filter=parse_filter({}), all_results=True), {}).id
        new_id = register_job(s, "dunning", _op(s), Selection(filter=parse_filter({}), all_results=True), {}).id
    run_job(engine, old_id)  # type: ignore[arg-type]
    run_job(engine, new_id)  # type: ignore[arg-type]
    with Session(engine) as s:
        s.execute(update(Job).where(Job.id == old_id).values(finished_at=utcnow() - timedelta(days=8)))
        s.commit()
        old_path, new_path = (Path(s.get(Job, i).result_path) for i in (old_id, new_id))  # type: ignore[union-attr,arg-type]
    monkeypatch.setenv("ECWEB_JOB_FILES_DAYS", "7")
    assert expire_job_files(engine) == 1
    assert not old_path.exists() and new_path.exists()
    with Session(engine) as s:
        assert s.get(Job, old_id).result_path is None  # type: ignore[union-attr]
        assert s.get(Job, new_id).result_path == str(new_path)  # type: ignore[union-attr]


def test_a_large_registration_gives_postgresql_statistics_of_its_targets(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without them the planner scans every target for each chunk's pending query (47 ms a chunk at 1M)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner statistics")
    monkeypatch.setattr("ecweb_core.jobs.register.ANALYZE_FROM", 200)
    reltuples = "SELECT reltuples FROM pg_class WHERE relname = 'job_targets'"
    with Session(engine) as s:
        small = Selection(filter=parse_filter({}), ticked=set(range(1, 11)))
        register_job(s, "dunning", _op(s), small, {"memo": "少数"})
        assert s.execute(text(reltuples)).scalar_one() <= 0  # 10 targets: not analyzed
        register_job(s, "dunning", _op(s), Selection(filter=parse_filter({}), all_results=True), {"memo": "全件"})
        assert s.execute(text(reltuples)).scalar_one() == 260
