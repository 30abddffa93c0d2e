"""CSV一括出力 / アンケート結果CSV一括出力 (SPEC B2, B7) through the real job runner on real databases:
encodings, the cp932 report, formula neutralising, per-order / per-item rows, 出荷リスト, survey gating,
and a chunk redone after a crash not duplicating rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.csvexport import columns as csv_columns
from ecweb_core.csvexport.columns import COLUMNS as COLUMN_DEFS
from ecweb_core.csvexport.encoding import describe
from ecweb_core.csvexport.export import _build_select
from ecweb_core.csvexport.formats import save_format
from ecweb_core.demo import generate
from ecweb_core.jobs.catalog import CATALOG
from ecweb_core.jobs.downloads import export_download
from ecweb_core.jobs.files import expire_job_files, export_file, job_dir
from ecweb_core.jobs.listing import list_jobs
from ecweb_core.jobs.operations import JobContext, ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.models import (
    Customer,
    Job,
    JobExport,
    Operator,
    Order,
    OrderEvent,
    OrderItem,
    PointLedger,
    ShopSettings,
    SurveyAnswer,
)
from ecweb_core.models.common import fmt_jst
from ecweb_core.search import OrderFilter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW

COLUMNS = [("order.number", "受注番号"), ("customer.name", "氏名"), ("order.total", "合計"), ("order.labels", "ラベル")]


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 120, seed=5, now=DEMO_NOW)
    yield empty_engine


def _fmt(engine: Engine, name: str, unit: str = "order", columns: Any = None, purpose: str = "order") -> int:
    with Session(engine) as s:
        return int(save_format(s, None, name, purpose, unit, columns or COLUMNS).id or 0)


def _ids(engine: Engine, n: int) -> list[int]:
    with Session(engine) as s:
        return list(s.execute(select(Order.id).order_by(Order.id).limit(n)).scalars())


def _run(
    engine: Engine,
    form: dict[str, Any],
    selection: Selection,
    kind: str = "csv_export",
    chunk: int = 7,
) -> tuple[Job, bytes]:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, kind, int(op or 0), selection, form)
    summary = run_job(engine, int(job.id or 0), chunk_size=chunk)
    assert summary.status == "done"
    with Session(engine) as s:
        done = s.get(Job, job.id)
        assert done is not None and done.export_path
        return done, Path(done.export_path).read_bytes()


def _rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def _ticked(ids: list[int]) -> Selection:
    return Selection(ticked=set(ids))


def _set_name(engine: Engine, order_id: int, name: str) -> None:
    with Session(engine) as s:
        cid = s.execute(select(Order.customer_id).where(Order.id == order_id)).scalar_one()
        s.execute(update(Customer).where(Customer.id == cid).values(name=name))
        s.commit()


def _set_reason(engine: Engine, order_id: int, text: str | None) -> None:
    with Session(engine) as s:
        s.execute(update(Order).where(Order.id == order_id).values(attention_reason=text))
        s.commit()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_each_encoding_round_trips(engine: Engine, encoding: str) -> None:
    fid = _fmt(engine, f"round-{encoding}")
    ids = _ids(engine, 20)
    name = "髙橋 ①㈱～ﾊﾝｶｸ 﨑"  # all in cp932 (not in plain shift_jis)
    _set_name(engine, ids[3], name)
    job, data = _run(engine, {"format_id": str(fid), "encoding": encoding}, _ticked(ids))
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    rows = _rows(data, "utf-8-sig" if encoding == "utf-8-sig" else encoding)
    assert rows[0] == ["受注番号", "氏名", "合計", "ラベル"]
    assert len(rows) == 21 and rows[4][1] == name
    with Session(engine) as s:
        numbers = list(s.execute(select(Order.number).where(Order.id.in_(ids)).order_by(Order.id)).scalars())
    assert [r[0] for r in rows[1:]] == numbers
    assert b"\r\n" in data  # Excel's line ends
    assert job.succeeded == 20
    with Session(engine) as s:  # what ジョブ管理's link serves
        d = export_download(s, job)
    assert d is not None and d.path.read_bytes() == data and d.file_name == f"CSV一括出力_{job.id}.csv"
    assert d.media_type == ("text/csv; charset=Shift_JIS" if encoding == "cp932" else "text/csv; charset=utf-8")


def test_cp932_unmappable_characters_are_mapped_or_replaced_and_reported(engine: Engine) -> None:
    fid = _fmt(engine, "sjis", columns=[("order.number", "No"), ("order.attention_reason", "理由")])
    ids = _ids(engine, 30)
    _set_reason(engine, ids[5], "吉\U00020bb7野 ¥—")  # 𠮷 has no cp932 code; ¥ and — have equivalents
    _set_reason(engine, ids[20], "\U00020bb7田")
    job, data = _run(engine, {"format_id": str(fid), "encoding": "cp932"}, _ticked(ids), chunk=10)
    rows = _rows(data, "cp932")
    assert rows[6][1] == "吉?野 ￥―" and rows[21][1] == "?田"
    with Session(engine) as s:
        number5 = s.execute(select(Order.number).where(Order.id == ids[5])).scalar_one()
        report = s.execute(select(JobExport.report).where(JobExport.job_id == job.id)).scalar_one()
    chars = json.loads(report)
    assert chars["\U00020bb7"] == ["?", 2, number5]  # two orders, the first one named
    assert chars["¥"] == ["￥", 1, number5] and chars["—"] == ["―", 1, number5]
    text = describe(chars)
    assert "U+20BB7" in text and "2件" in text and number5 in text
    # The result CSV says, on the order's own line, what was changed.
    result = list(csv.reader(io.StringIO(Path(job.result_path or "").read_text("utf-8-sig"))))
    line = next(r for r in result if r[0] == number5)
    assert line[1] == "成功" and "「\U00020bb7」→「?」×1" in line[2]
    # ジョブ管理 shows the report and the download beside the result CSV.
    with Session(engine) as s:
        row = next(r for r in list_jobs(s, 1, 20) if r.id == job.id)
    assert row.has_export and row.has_result and row.report == text


def test_dates_are_japan_time_like_the_grid(engine: Engine) -> None:
    cols = [
        ("order.ordered_at", "受注日時"),
        ("order.scheduled_ship_date", "発送予定日"),
        ("order.shipping_list", "出荷"),
    ]
    fid = _fmt(engine, "dates", columns=cols)
    ids = _ids(engine, 30)
    _, data = _run(engine, {"format_id": str(fid), "encoding": "utf-8"}, _ticked(ids))
    with Session(engine) as s:
        rows = s.execute(
            select(Order.ordered_at, Order.scheduled_ship_date, Order.shipping_list_exported)
            .where(Order.id.in_(ids))
            .order_by(Order.id)
        ).all()
    expected = [
        [fmt_jst(at), d.strftime("%Y/%m/%d") if d else "", "出力済" if flag else "未出力"] for at, d, flag in rows
    ]
    assert _rows(data, "utf-8")[1:] == expected


def test_formula_cells_are_neutralised(engine: Engine) -> None:
    fid = _fmt(engine, "formula", columns=[("order.attention_reason", "理由"), ("order.total", "合計")])
    ids = _ids(engine, 6)
    evil = ['=HYPERLINK("http://x","y")', "+81 90", "-1+2", "@SUM(A1)", "\tTAB", "普通の名前"]
    for oid, name in zip(ids, evil, strict=True):
        _set_reason(engine, oid, name)
    _, data = _run(engine, {"format_id": str(fid), "encoding": "utf-8"}, _ticked(ids))
    names = [r[0] for r in _rows(data, "utf-8")[1:]]
    assert names == ["'" + n for n in evil[:5]] + ["普通の名前"]
    totals = [r[1] for r in _rows(data, "utf-8")[1:]]
    assert all(t.isdigit() for t in totals)  # numbers are not text: never prefixed


def test_per_item_rows_versus_per_order_rows(engine: Engine) -> None:
    per_order = _fmt(engine, "per-order", columns=[("order.number", "No"), ("order.item_count", "点数")])
    per_item = _fmt(engine, "per-item", "item", [("order.number", "No"), ("item.product_name", "商品")])
    ids = _ids(engine, 40)
    with Session(engine) as s:
        items = s.execute(select(func.count()).where(OrderItem.order_id.in_(ids))).scalar_one()
        names = list(
            s.execute(select(OrderItem.product_name).where(OrderItem.order_id.in_(ids)).order_by(OrderItem.id))
        )
    _, a = _run(engine, {"format_id": str(per_order), "encoding": "utf-8"}, _ticked(ids))
    _, b = _run(engine, {"format_id": str(per_item), "encoding": "utf-8"}, _ticked(ids))
    assert len(_rows(a, "utf-8")) == 41
    rows_b = _rows(b, "utf-8")
    assert len(rows_b) == items + 1 > 41
    assert [r[1] for r in rows_b[1:]] == [n for (n,) in names]


def test_shipping_list_flag_marks_orders_and_writes_events(engine: Engine) -> None:
    fid = _fmt(engine, "ship")
    with Session(engine) as s:
        fresh = list(
            s.execute(select(Order.id).where(Order.shipping_list_exported.is_(False)).order_by(Order.id).limit(8))
        )
        already = s.execute(select(Order.id).where(Order.shipping_list_exported.is_(True)).limit(1)).scalar_one()
    fresh_ids = [i for (i,) in fresh]
    # Without the box nothing changes.
    _run(engine, {"format_id": str(fid), "encoding": "utf-8"}, _ticked(fresh_ids[:2]))
    with Session(engine) as s:
        assert not s.execute(select(func.count()).where(Order.id.in_(fresh_ids), Order.shipping_list_exported)).scalar()
    job, _ = _run(
        engine, {"format_id": str(fid), "encoding": "utf-8", "shipping_list": "on"}, _ticked([*fresh_ids, already])
    )
    with Session(engine) as s:
        rows = s.execute(
            select(Order.shipping_list_exported, Order.shipping_list_exported_at).where(
                Order.id.in_([*fresh_ids, already])
            )
        ).all()
        assert all(flag and at is not None and at >= job.created_at for flag, at in rows)
        events = s.execute(
            select(OrderEvent.order_id, OrderEvent.value, OrderEvent.source).where(
                OrderEvent.kind == "shipping_list_exported"
            )
        ).all()
    # An event for each order that became 出力済 (as 一括更新 writes it), none for one already 出力済.
    assert sorted(e[0] for e in events) == sorted(fresh_ids)
    assert {(e[1], e[2]) for e in events} == {("出力済", f"job:{job.id}")}


def _enable_survey(engine: Engine, on: bool) -> None:
    with Session(engine) as s:
        s.execute(update(ShopSettings).where(ShopSettings.id == 1).values(survey_integration_enabled=on))
        s.commit()


def test_survey_export_is_gated_and_registers_nothing(engine: Engine) -> None:
    with Session(engine) as s:
        survey_fmt = _fmt(
            engine, "survey", columns=[("order.number", "No"), ("survey.q:肌質", "肌質")], purpose="survey"
        )
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        form = {"format_id": str(survey_fmt), "encoding": "utf-8"}
        personalized = Selection(filter=OrderFilter(personalized=True), all_results=True)
        with pytest.raises(ParamError) as err:
            register_job(s, "survey_csv", op, personalized, form)
        assert "1d-color" in err.value.errors["integration"]
        _enable_survey(engine, True)
        with pytest.raises(ParamError) as err:
            register_job(s, "survey_csv", op, Selection(filter=OrderFilter(), all_results=True), form)
        assert err.value.errors["selection"] == "検索条件に「パーソナライズ」を指定してから実行してください。"
        with pytest.raises(ParamError) as err:  # an order format is not a survey format
            register_job(s, "survey_csv", op, personalized, {**form, "format_id": str(_fmt(engine, "o"))})
        assert "使えません" in err.value.errors["format_id"]
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0
        answered = s.execute(select(func.count(func.distinct(SurveyAnswer.order_id)))).scalar_one()
    job, data = _run(engine, form, personalized, kind="survey_csv")
    rows = _rows(data, "utf-8")
    assert len(rows) == answered + 1 and answered > 0
    assert all(r[1] in ("乾燥肌", "脂性肌", "混合肌", "普通肌") for r in rows[1:])


def test_survey_per_item_rows(engine: Engine) -> None:
    _enable_survey(engine, True)
    fid = _fmt(
        engine,
        "survey-item",
        "item",
        [("order.number", "No"), ("item.product_name", "商品"), ("survey.answers", "回答"), ("survey.count", "数")],
        purpose="survey",
    )
    with Session(engine) as s:
        oid = s.execute(select(SurveyAnswer.order_id).limit(1)).scalar_one()
        n_items = s.execute(select(func.count()).where(OrderItem.order_id == oid)).scalar_one()
    sel = Selection(filter=OrderFilter(personalized=True), ticked={oid})
    job, data = _run(engine, {"format_id": str(fid), "encoding": "utf-8"}, sel, kind="survey_csv")
    rows = _rows(data, "utf-8")[1:]
    # Demo answers belong to the order's first item: only that item's row carries them.
    assert len(rows) == 1 <= n_items
    assert rows[0][2].startswith("肌質: ") and rows[0][3] == "2"


def test_a_chunk_redone_after_a_crash_does_not_duplicate_rows(engine: Engine) -> None:
    fid = _fmt(engine, "crash")
    ids = _ids(engine, 30)
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        job = register_job(s, "csv_export", op, _ticked(ids), {"format_id": str(fid), "encoding": "utf-8"})
    run_job(engine, int(job.id or 0), chunk_size=10, max_chunks=1)
    # A worker that appended its chunk and died before the commit leaves bytes past the committed length.
    with (job_dir(int(job.id or 0)) / "export.csv.part").open("ab") as fh:
        fh.write(b"GARBAGE,FROM,A,DEAD,WORKER\r\n")
    run_job(engine, int(job.id or 0), chunk_size=10)
    with Session(engine) as s:
        done = s.get(Job, job.id)
        assert done is not None
        data = Path(done.export_path or "").read_bytes()
    rows = _rows(data, "utf-8")
    assert b"GARBAGE" not in data and len(rows) == 31
    assert len({r[0] for r in rows[1:]}) == 30


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"encoding": "utf-8"}, "format_id"),
        ({"format_id": "1", "encoding": "latin-1"}, "encoding"),
        ({"format_id": "99999", "encoding": "utf-8"}, "format_id"),
    ],
)
def test_bad_form_registers_nothing(engine: Engine, form: dict[str, str], field: str) -> None:
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        with pytest.raises(ParamError) as err:
            register_job(s, "csv_export", op, _ticked(_ids(engine, 3)), form)
        assert field in err.value.errors
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0


def test_a_second_delivery_of_a_done_chunk_appends_nothing(engine: Engine) -> None:
    fid = _fmt(engine, "twice")
    ids = _ids(engine, 20)
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        job = register_job(s, "csv_export", op, _ticked(ids), {"format_id": str(fid), "encoding": "utf-8"})
    run_job(engine, int(job.id or 0), chunk_size=10, max_chunks=1)
    with Session(engine) as s:
        before = s.execute(select(JobExport.bytes_written).where(JobExport.job_id == job.id)).scalar_one()
        ctx = JobContext(job_id=int(job.id or 0), operator_id=op, params=json.loads(job.params))
    with engine.begin() as conn:  # a stale worker handed the same first chunk
        outcomes = CATALOG["csv_export"].operation.process(conn, ctx, ids[:10])
    assert outcomes == {i: ("ok", None) for i in ids[:10]}
    with Session(engine) as s:
        assert s.execute(select(JobExport.bytes_written).where(JobExport.job_id == job.id)).scalar_one() == before


def test_exported_file_expires_with_the_result_file(engine: Engine) -> None:
    fid = _fmt(engine, "expire")
    job, _ = _run(engine, {"format_id": str(fid), "encoding": "utf-8"}, _ticked(_ids(engine, 3)))
    assert export_file(job) is not None
    with Session(engine) as s:
        s.execute(update(Job).where(Job.id == job.id).values(finished_at=DEMO_NOW - timedelta(days=30)))
        s.commit()
    assert expire_job_files(engine) == 1
    with Session(engine) as s:
        old = s.get(Job, job.id)
        assert old is not None and old.export_path is None and export_file(old) is None
    assert not Path(job.export_path or "").exists()


def test_every_column_renders_one_field_each_with_csv_specials_and_vanished_orders(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A format of every SQL column, its SQLite line split over several printf calls: each line has
    one field per column; quotes, commas and line breaks survive; NULL text is an empty field; an
    order deleted after registration is reported, not exported."""
    monkeypatch.setattr(csv_columns, "PRINTF_ARGS", 16)
    _build_select.cache_clear()
    columns = [(c.key, c.label) for c in COLUMN_DEFS.values() if c.build is not None and c.source != "item"]
    assert len(columns) > 40
    fid = _fmt(engine, "every", columns=columns)
    ids = _ids(engine, 12)
    tricky = 'a "quoted", comma\r\nand a break'
    _set_reason(engine, ids[2], tricky)
    _set_reason(engine, ids[3], None)
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "csv_export", int(op or 0), _ticked(ids), {"format_id": str(fid), "encoding": "utf-8"})
        job_id = int(job.id or 0)
        s.execute(delete(OrderItem).where(OrderItem.order_id == ids[7]))
        s.execute(delete(PointLedger).where(PointLedger.order_id == ids[7]))
        s.execute(delete(Order).where(Order.id == ids[7]))
        s.commit()
    summary = run_job(engine, job_id, chunk_size=5)
    assert (summary.succeeded, summary.failed) == (11, 1)
    with Session(engine) as s:
        done = s.get(Job, job_id)
        assert done is not None
        data = Path(done.export_path or "").read_bytes()
        numbers = list(s.execute(select(Order.number).where(Order.id.in_(ids)).order_by(Order.id)).scalars())
    rows = _rows(data, "utf-8")
    assert all(len(r) == len(columns) for r in rows)
    assert [r[1] for r in rows[1:]] == numbers  # column 0 is 受注ID, 1 is 受注番号
    reason = [k for k, _ in columns].index("order.attention_reason")
    assert rows[3][reason] == tricky and rows[4][reason] == ""
    result = Path(done.result_path or "").read_text("utf-8-sig")
    assert "受注が見つかりません。" in result
    _build_select.cache_clear()
