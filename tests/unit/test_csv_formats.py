"""CSV管理 (SPEC B2): format CRUD and validation on real databases; the seeded default formats."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.csvexport.formats import (
    FormatError,
    available_columns,
    columns_of,
    copy_format,
    delete_format,
    get_format,
    list_formats,
    save_format,
)


def test_migration_seeds_default_formats(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        rows = list_formats(s)
        assert {(r.purpose, r.unit) for r in rows} == {("order", "order"), ("order", "item"), ("survey", "order")}
        assert all(r.column_count > 0 for r in rows)
        assert [r.name for r in list_formats(s, "survey")] == ["アンケート結果(標準)"]


def test_create_edit_copy_delete(empty_engine: Engine) -> None:
    with Session(empty_engine) as s:
        fmt = save_format(s, None, " 発送用 ", "order", "item", [("order.number", "受注No"), ("item.quantity", "")])
        assert fmt.name == "発送用"
        # A blank header label falls back to the column's own name.
        assert columns_of(fmt) == [("order.number", "受注No"), ("item.quantity", "数量")]
        fid = int(fmt.id or 0)
        save_format(s, fid, "発送用", "order", "order", [("customer.name", "お名前"), ("order.total", "金額")])
        again = get_format(s, fid)
        assert again.unit == "order" and columns_of(again) == [("customer.name", "お名前"), ("order.total", "金額")]
        copy1, copy2 = copy_format(s, fid), copy_format(s, fid)
        assert copy1.name == "発送用 のコピー" and copy2.name == "発送用 のコピー (2)"
        assert columns_of(copy1) == columns_of(again)
        delete_format(s, fid)
        with pytest.raises(FormatError):
            get_format(s, fid)


@pytest.mark.parametrize(
    ("name", "purpose", "unit", "columns", "field", "message"),
    [
        ("", "order", "order", [("order.number", "")], "name", "フォーマット名を入力してください。"),
        ("x" * 101, "order", "order", [("order.number", "")], "name", "100文字以内"),
        ("受注一覧(標準)", "order", "order", [("order.number", "")], "name", "既に使われています"),
        ("新", "order", "order", [], "columns", "1つ以上"),
        ("新", "order", "order", [("order.nope", "")], "columns", "存在しない項目「order.nope」"),
        ("新", "order", "order", [("item.quantity", "")], "columns", "受注明細単位のフォーマットでのみ"),
        ("新", "order", "order", [("survey.answers", "")], "columns", "アンケート結果CSVのフォーマットでのみ"),
        ("新", "order", "order", [("order.number", ""), ("order.number", "")], "columns", "重複"),
        ("新", "order", "order", [("order.number", "x" * 101)], "labels", "100文字以内"),
        ("新", "order", "order", [("order.number", "a\nb")], "labels", "改行"),
        ("新", "order", "weekly", [("order.number", "")], "unit", "受注単位"),
        ("新", "pdf", "order", [("order.number", "")], "purpose", "用途"),
    ],
)
def test_validation_messages_and_nothing_saved(
    empty_engine: Engine,
    name: str,
    purpose: str,
    unit: str,
    columns: list[tuple[str, str]],
    field: str,
    message: str,
) -> None:
    with Session(empty_engine) as s:
        before = len(list_formats(s))
        with pytest.raises(FormatError) as err:
            save_format(s, None, name, purpose, unit, columns)
        assert message in err.value.errors[field]
        assert len(list_formats(s)) == before


def test_available_columns_depend_on_purpose_and_unit(demo_engine: Engine) -> None:
    with Session(demo_engine) as s:
        per_order = {k for k, _, _ in available_columns(s, "order", "order")}
        per_item = {k for k, _, _ in available_columns(s, "order", "item")}
        survey = {k for k, _, _ in available_columns(s, "survey", "item")}
    assert "item.product_name" not in per_order and "item.product_name" in per_item
    assert "customer.email" in per_order and "subscription.next_delivery_date" in per_order
    assert not any(k.startswith("survey.") for k in per_item)
    # Survey formats offer one column per question answered in the shop (demo: 肌質, 気になる悩み).
    assert {"survey.answers", "survey.q:肌質", "survey.q:気になる悩み"} <= survey
