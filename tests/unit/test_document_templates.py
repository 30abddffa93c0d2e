"""受注帳票管理 on real databases: the three system documents, コピー, save with Japanese validation (and
a sample order rendered, so a broken template is refused at save), 削除, logos."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.documents.templates import (
    DocumentFormError,
    copy_template,
    delete_template,
    get_template,
    list_templates,
    save_template,
    store_logo,
)
from ecweb_core.models import DocumentLogo, DocumentTemplate

VALID_NO = "T7000012050002"


@pytest.fixture
def s(empty_engine: Engine) -> Iterator[Session]:
    with Session(empty_engine) as session:
        yield session


def _id(s: Session, name: str) -> int:
    return int(s.execute(select(DocumentTemplate.id).where(DocumentTemplate.name == name)).scalar_one())


def _form(s: Session, template_id: int, **changes: Any) -> dict[str, Any]:
    t = get_template(s, template_id)
    assert t is not None
    form = {k: getattr(t, k) for k in ("name", "title", "shop_name", "shop_postal_code", "shop_address",
                                        "shop_phone", "registration_number", "remarks", "receipt_addressee",
                                        "receipt_note", "logo_sha")}  # fmt: skip
    form["fields"] = list(t.fields)
    form.update(changes)
    return form


def _png(w: int = 120, h: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (20, 80, 160)).save(buf, "PNG")
    return buf.getvalue()


def test_the_three_system_documents_come_with_the_migration(s: Session) -> None:
    rows = list_templates(s)
    assert [(r.name, r.kind_label, r.is_system) for r in rows] == [
        ("納品書", "納品書", True), ("請求書", "請求書", True), ("領収書", "領収書", True)
    ]  # fmt: skip
    receipt = get_template(s, _id(s, "領収書"))
    assert receipt is not None
    assert "items" in receipt.fields and "tax_summary" in receipt.fields
    assert receipt.receipt_addressee == "{{ customer.name }}" and receipt.receipt_note == "お品代として"


def test_an_invoice_needs_a_valid_registration_number(s: Session) -> None:
    tid = _id(s, "請求書")
    with pytest.raises(DocumentFormError) as info:
        save_template(s, tid, _form(s, tid))
    assert info.value.errors == {
        "registration_number": "請求書には適格請求書発行事業者の登録番号(T+13桁)を入力してください。"
    }
    with pytest.raises(DocumentFormError) as info:
        save_template(s, tid, _form(s, tid, registration_number="T1000012050002"))
    assert "検査用数字" in info.value.errors["registration_number"]
    # Typed with hyphens / a full-width T, it is normalised.
    save_template(s, tid, _form(s, tid, registration_number="Ｔ7000-0120-50002"))
    s.expire_all()
    assert get_template(s, tid).registration_number == VALID_NO  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "タイトルを入力してください。"),
        ({"fields": []}, "fields", "出力項目を1つ以上選択してください。"),
        ({"fields": ["order", "bogus"]}, "fields", "出力項目の指定が正しくありません。"),
        ({"fields": ["order", "order", "items", "tax_summary"]}, "fields", "出力項目が重複しています。"),
        ({"fields": ["order", "totals"]}, "fields",
         "領収書は適格請求書の記載事項として「商品明細」「税率別内訳(対象額・消費税額)」を出力してください。"),
        ({"shop_postal_code": "1500001x"}, "shop_postal_code", "郵便番号は「150-0001」の形式で入力してください。"),
        ({"shop_phone": "03-abcd"}, "shop_phone", "電話番号は数字とハイフンで入力してください。"),
        ({"receipt_note": ""}, "receipt_note", "但し書きを入力してください。"),
        ({"remarks": "{{ order.nope }}"}, "remarks", "備考: 不明な差し込み項目があります"),
        ({"remarks": "{% for %}"}, "remarks", "備考: テンプレートの書式に誤りがあります"),
        ({"receipt_addressee": "{{ ''.__class__ }}"}, "receipt_addressee", "宛名: 使用できない項目が含まれています"),
        ({"title": "領収書𠮷"}, "title", "タイトルの「𠮷」はPDFのフォントにないため印刷できません。"),
    ],
)  # fmt: skip
def test_bad_templates_are_refused_in_japanese_and_nothing_changes(
    s: Session, changes: dict[str, Any], field: str, message: str
) -> None:
    tid = _id(s, "領収書")
    before = s.execute(
        select(DocumentTemplate.updated_at, DocumentTemplate.title).where(DocumentTemplate.id == tid)
    ).one()
    with pytest.raises(DocumentFormError) as info:
        save_template(s, tid, _form(s, tid, registration_number=VALID_NO, **changes))
    assert info.value.errors[field].startswith(message), info.value.errors
    s.rollback()
    assert (
        s.execute(select(DocumentTemplate.updated_at, DocumentTemplate.title).where(DocumentTemplate.id == tid)).one()
        == before
    )


def test_copy_edit_and_delete_an_operator_document(s: Session) -> None:
    src = _id(s, "領収書")
    new = copy_template(s, src)
    again = copy_template(s, src)
    t = get_template(s, new)
    assert t is not None and (t.name, t.kind, t.is_system) == ("領収書のコピー", "receipt", False)
    assert get_template(s, again).name == "領収書のコピー(2)"  # type: ignore[union-attr]
    form = _form(
        s, new, name="領収書(ギフト)", title="領収証", registration_number=VALID_NO, receipt_note="ギフト代として",
        fields=["items", "tax_summary", "order", "remarks"], remarks="{{ customer.name }} 様、ありがとうございました。",
    )  # fmt: skip
    save_template(s, new, form)
    s.expire_all()
    t = get_template(s, new)
    assert t is not None
    assert (t.name, t.title, t.fields, t.receipt_note) == (
        "領収書(ギフト)", "領収証", ["items", "tax_summary", "order", "remarks"], "ギフト代として"
    )  # fmt: skip
    with pytest.raises(DocumentFormError) as info:
        save_template(s, again, _form(s, again, name="領収書(ギフト)", registration_number=VALID_NO))
    assert info.value.errors == {"name": "「領収書(ギフト)」という名前の帳票は既にあります。"}
    # A system document keeps its name and cannot be deleted.
    save_template(s, src, _form(s, src, name="別の名前", registration_number=VALID_NO))
    assert get_template(s, src).name == "領収書"  # type: ignore[union-attr]
    with pytest.raises(DocumentFormError) as info:
        delete_template(s, src)
    assert info.value.errors == {"id": "システム帳票「領収書」は削除できません。"}
    assert delete_template(s, new) == "領収書(ギフト)"
    assert get_template(s, new) is None
    assert s.execute(select(func.count()).select_from(DocumentTemplate)).scalar_one() == 4


def test_logos_are_checked_and_stored_once_by_content(s: Session) -> None:
    tid = _id(s, "納品書")
    sha = store_logo(s, _png())
    assert store_logo(s, _png()) == sha
    assert s.execute(select(func.count()).select_from(DocumentLogo)).scalar_one() == 1
    save_template(s, tid, _form(s, tid, logo_sha=sha))
    t = get_template(s, tid)
    assert t is not None and t.logo_sha == sha and t.logo_uri.startswith("data:image/png;base64,")
    for data, message in (
        (b"", "ロゴ画像のファイルが空です。"),
        (b"GIF89a not really", "ロゴ画像はPNGまたはJPEGのファイルを選択してください。"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "ロゴ画像はPNGまたはJPEGのファイルを選択してください。"),
        (_png(2400, 10), "ロゴ画像は2000×2000ピクセル以内にしてください。"),
        (b"\x89PNG" + b"0" * (600 * 1024), "ロゴ画像は512KB以下のファイルにしてください。"),
    ):
        with pytest.raises(DocumentFormError) as info:
            store_logo(s, data)
        assert info.value.errors == {"logo": message}
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(DocumentFormError):
        store_logo(s, gif.getvalue())
    assert json.loads(s.get(DocumentTemplate, tid).fields)  # type: ignore[union-attr]
