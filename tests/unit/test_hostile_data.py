"""Hostile data and crafted input (issue 20) on real databases: formula neutralising holds after the
Shift_JIS mapping in every encoding and every export (CSV一括出力 per order and per item, アンケート
結果CSV); 一括更新 with ids that do not exist (or do not fit an integer) is refused in Japanese and
registers no job."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from ecweb_core.csvexport.columns import SURVEY_QUESTION_PREFIX
from ecweb_core.csvexport.formats import save_format
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import order_failure, run_job
from ecweb_core.models import Customer, Job, Operator, Order, ShopSettings, SurveyAnswer
from ecweb_core.search import OrderFilter, parse_filter
from ecweb_core.selection import Selection
from tests.conftest import DEMO_NOW

# What a spreadsheet runs as a formula when a cell starts with it (full-width forms included).
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HOSTILE = [
    "\u2013cmd|' /C calc'!A0",  # EN DASH: Shift_JIS maps it to "-"
    '\u200b=HYPERLINK("http://evil.example","x")',  # ZERO WIDTH SPACE: Shift_JIS drops it
    "\ufeff=1+1",  # a stray BOM: dropped too
    "\u2212=2",  # MINUS SIGN: mapped to －
    "\uff1dSUM(A1)",  # ＝
    "=plain",
]


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 30, seed=6, now=DEMO_NOW)
    yield empty_engine


def _hostile_orders(engine: Engine) -> list[int]:
    with Session(engine) as s:
        ids = list(s.execute(select(Order.id).order_by(Order.id).limit(len(HOSTILE))).scalars())
        for oid, text in zip(ids, HOSTILE, strict=True):
            cid = s.execute(select(Order.customer_id).where(Order.id == oid)).scalar_one()
            s.execute(update(Customer).where(Customer.id == cid).values(name=text))
            s.add(SurveyAnswer(order_id=oid, question="ご要望", answer=text, created_at=DEMO_NOW))
        settings = s.get(ShopSettings, 1) or ShopSettings(id=1)
        settings.survey_integration_enabled = True
        s.add(settings)
        s.commit()
    return ids


def _export(engine: Engine, kind: str, format_id: int, encoding: str, ids: list[int]) -> list[list[str]]:
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        flt = OrderFilter(personalized=True) if kind == "survey_csv" else OrderFilter()
        sel = Selection(filter=flt, ticked=set(ids))
        job = register_job(s, kind, op, sel, {"format_id": str(format_id), "encoding": encoding})
    assert run_job(engine, int(job.id or 0), chunk_size=4).status == "done"
    with Session(engine) as s:
        done = s.get(Job, job.id)
        assert done is not None and done.export_path
        data = Path(done.export_path).read_bytes()
    text = data.decode("utf-8-sig" if encoding.startswith("utf-8") else "cp932")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
@pytest.mark.parametrize(("kind", "purpose", "unit", "column"), [
    ("csv_export", "order", "order", "customer.name"),
    ("csv_export", "order", "item", "customer.name"),
    ("survey_csv", "survey", "order", f"{SURVEY_QUESTION_PREFIX}ご要望"),
])  # fmt: skip
def test_no_cell_starts_a_formula_in_the_file(engine: Engine, encoding: str, kind: str, purpose: str, unit: str,
                                              column: str) -> None:  # fmt: skip
    ids = _hostile_orders(engine)
    with Session(engine) as s:
        fid = int(save_format(s, None, "危険な文字", purpose, unit, [("order.number", ""), (column, "")]).id or 0)
    rows = _export(engine, kind, fid, encoding, ids)
    cells = [row[1] for row in rows[1:]]
    assert len(cells) >= len(HOSTILE)
    assert [c for c in cells if c.startswith(FORMULA)] == []
    # Neutralised by a leading apostrophe, the rest kept (as the encoding could hold it).
    assert all(c.startswith("'") for c in cells if "calc" in c or "HYPERLINK" in c or "1+1" in c)


@pytest.mark.parametrize(("form", "field_message"), [
    ({"status_id": "999"}, "指定された対応状況が存在しません。"),
    ({"status_id": "9" * 30}, "指定された対応状況が存在しません。"),
    ({"label_ids": ["99999"]}, None),
    ({"label_ids": ["9" * 30]}, None),
])  # fmt: skip
def test_bulk_update_with_ids_that_do_not_exist_registers_nothing(engine: Engine, form: dict[str, object],
                                                                  field_message: str | None) -> None:  # fmt: skip
    with Session(engine) as s:
        op = int(s.execute(select(Operator.id)).scalars().first() or 0)
        oid = int(s.execute(select(func.min(Order.id))).scalar_one())
        with pytest.raises(ParamError) as refused:
            register_job(s, "bulk_update", op, Selection(filter=OrderFilter(), ticked={oid}), form)
        s.rollback()
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 0
    messages = list(refused.value.errors.values())
    assert messages and all(m.endswith("。") for m in messages)  # Japanese sentences, not an SQL error
    if field_message:
        assert field_message in messages


def test_a_failed_order_reads_as_a_japanese_reason_without_sql(engine: Engine) -> None:
    """An order whose processing raises: the result CSV says why in Japanese; the SQL and its
    parameters go to the log only."""
    with Session(engine) as s:
        try:
            s.execute(select(Order.id).where(text("no_such_column = :secret")), {"secret": "p@ss"})
        except DBAPIError as e:
            db_error = e
    assert "no_such_column" in str(db_error)
    reason = order_failure(db_error)
    assert reason == "データベースの処理でエラーが発生しました。時間をおいて再度お試しください。"
    assert (
        order_failure(ParamError({"x": "指定された対応状況が存在しません。"})) == "指定された対応状況が存在しません。"
    )
    assert order_failure(RuntimeError("boom SELECT 1")) == "処理中に予期しないエラーが発生しました。"


def test_search_refuses_huge_numbers_and_texts_in_japanese() -> None:
    with pytest.raises(FormError) as huge:
        parse_filter({"total_min": "9" * 30})
    assert huge.value.errors == {"total_min": "合計金額(下限)は2,147,483,647以下で入力してください。"}
    with pytest.raises(FormError) as long:
        parse_filter({"customer_name": "あ" * 17_000})  # ~50,000 bytes
    assert long.value.errors == {"customer_name": "顧客名・カナは100文字以内で入力してください。"}
    assert parse_filter({"total_min": "1,000", "customer_name": "山田"}).total_min == 1000
