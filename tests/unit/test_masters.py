"""設定's master data on real databases (SQLite and PostgreSQL): 対応状況管理, 受注ラベル, the reason
lists, 配送業者と送料, 支払方法の手数料, 商品別の手数料 and the shop settings — CRUD, the in-use
guards, the Japanese refusals (and that a refused change changes nothing), and that what is created
is offered at once where the seeds say (the grid filter, 一括更新, 受注詳細, 自動化設定)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from ecweb_core import reference
from ecweb_core.automation.catalog import action_params
from ecweb_core.automation.rules import create_rule, delete_rule
from ecweb_core.demo import generate
from ecweb_core.errors import FormError
from ecweb_core.jobs.operations import ParamError
from ecweb_core.jobs.register import register_job
from ecweb_core.jobs.runner import run_job
from ecweb_core.masters import catalog, delivery, labels, payment, products, reasons, shop, statuses
from ecweb_core.masters.delivery import CompanyForm
from ecweb_core.masters.payment import MethodFeeForm
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    Label,
    Operator,
    Order,
    OrderLabel,
    OrderStatus,
    PaymentMethod,
    Product,
    Reason,
    Subscription,
)
from ecweb_core.order_edit import edit_order, parse_edit, set_order_labels
from ecweb_core.selection import Selection
from ecweb_core.statuses import CONFIRMED, IN_PROGRESS, SHIPPED, SYSTEM_ORDER_STATUSES
from tests.conftest import DEMO_NOW


@pytest.fixture
def engine(empty_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("ECWEB_JOB_FILES_DIR", str(tmp_path / "jobs"))
    generate(empty_engine, 80, seed=13, now=DEMO_NOW)
    yield empty_engine


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in SQLModel.metadata.sorted_tables
        }


def _refused(engine: Engine, change: Any, field: str, message: str) -> None:
    """`change(conn)` is refused with `message` on `field`, and no row of any table changed."""
    before = _fingerprint(engine)
    with pytest.raises(FormError) as info, engine.begin() as conn:
        change(conn)
    assert info.value.errors.get(field) == message, info.value.errors
    assert _fingerprint(engine) == before


def _register(engine: Engine, ids: list[int], form: dict[str, Any]) -> int:
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        return int(register_job(s, "bulk_update", op, Selection(ticked=set(ids)), form).id or 0)  # type: ignore[arg-type]


def _order_ids(engine: Engine, n: int = 3) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(Order.id).order_by(Order.id).limit(n)).scalars())


# ---- the migration's system rows ----------------------------------------------------------------


def test_a_migrated_database_has_the_system_rows_without_demo_data(empty_engine: Engine) -> None:
    with empty_engine.connect() as conn:
        names = dict(conn.execute(select(OrderStatus.id, OrderStatus.name).where(OrderStatus.is_system)).all())
        codes = set(conn.execute(select(PaymentMethod.code)).scalars())
        assert names == SYSTEM_ORDER_STATUSES
        assert codes == {"credit", "np", "np_wiz", "cod", "amazon_pay", "bank"}
        assert shop.shop_config(conn).min_delivery_days == 2
        assert reasons.reasons_of(conn, reasons.STOP) == ["顧客都合", "長期不在", "商品の余り", "決済エラー", "その他"]
        assert conn.execute(select(func.count()).select_from(DeliveryCompany)).scalar_one() == 0
        # 発送準備中 is the operator's to create (the demo does not either).
        assert "発送準備中" not in names.values()


# ---- 対応状況管理 ---------------------------------------------------------------------------------


def test_a_new_status_is_offered_everywhere_at_once(engine: Engine) -> None:
    with engine.begin() as conn:
        new_id = statuses.create_status(conn, "  発送準備中 ")
    assert new_id >= 100
    with Session(engine) as s:
        assert (str(new_id), "発送準備中") in reference.order_statuses(s)  # the grid filter
        assert (str(new_id), "発送準備中") in reference.order_statuses(s, assignable=True)  # 一括更新, 受注詳細
        assert (str(new_id), "発送準備中") in action_params(s.connection(), "change_status")  # 自動化設定
        assert str(IN_PROGRESS) not in dict(action_params(s.connection(), "change_status"))
    ids = _order_ids(engine, 2)
    with engine.begin() as conn:
        edit_order(conn, ids[0], parse_edit(conn, {"status_id": str(new_id)}), None)
        assert conn.execute(select(Order.status_id).where(Order.id == ids[0])).scalar_one() == new_id


def test_status_names_are_checked_and_refusals_change_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        mine = statuses.create_status(conn, "入荷待ち")
    _refused(engine, lambda c: statuses.create_status(c, ""), "name", "対応状況名を入力してください。")
    _refused(engine, lambda c: statuses.create_status(c, "　"), "name", "対応状況名を入力してください。")
    _refused(
        engine, lambda c: statuses.create_status(c, "入荷待ち"), "name", "対応状況「入荷待ち」は既に登録されています。"
    )
    _refused(
        engine, lambda c: statuses.create_status(c, "発送完了"), "name", "対応状況「発送完了」は既に登録されています。"
    )
    _refused(
        engine, lambda c: statuses.create_status(c, "あ" * 65), "name", "対応状況名は64文字以内で入力してください。"
    )
    _refused(
        engine,
        lambda c: statuses.rename_status(c, mine, "配送完了"),
        "name",
        "対応状況「配送完了」は既に登録されています。",
    )
    fixed = "システムの対応状況は名称の変更・無効化・削除ができません。"
    _refused(engine, lambda c: statuses.rename_status(c, SHIPPED, "出荷済み"), "form", fixed)
    _refused(engine, lambda c: statuses.set_status_enabled(c, CONFIRMED, False), "form", fixed)
    _refused(engine, lambda c: statuses.delete_status(c, IN_PROGRESS), "form", fixed)
    with engine.begin() as conn:
        statuses.rename_status(conn, mine, "入荷待ち(メーカー)")
        assert conn.execute(select(OrderStatus.name).where(OrderStatus.id == mine)).scalar_one() == "入荷待ち(メーカー)"


def test_a_status_in_use_cannot_be_deleted_and_the_list_says_where(engine: Engine) -> None:
    with engine.begin() as conn:
        used = statuses.create_status(conn, "発送準備中")
        spare = statuses.create_status(conn, "保留")
        rule_id = create_rule(conn, {"event": "shipping_list", "action": "change_status", "param": str(used)})
    ids = _order_ids(engine, 3)
    with engine.begin() as conn:
        conn.execute(update(Order).where(Order.id.in_(ids)).values(status_id=used))
        rows = {i.name: i for i in statuses.list_statuses(conn)}
    assert rows["発送準備中"].usage == f"受注 3件 / 自動化設定 ルールID {rule_id}"
    assert rows["保留"].usage == ""
    assert rows["発送完了"].system
    _refused(
        engine,
        lambda c: statuses.delete_status(c, used),
        "form",
        f"「発送準備中」は使用中のため削除できません(受注 3件 / 自動化設定 ルールID {rule_id})。",
    )
    _refused(
        engine,
        lambda c: statuses.set_status_enabled(c, used, False),
        "form",
        f"「発送準備中」は自動化設定のルール(ID: {rule_id})で使われているため無効にできません。",
    )
    with engine.begin() as conn:
        delete_rule(conn, rule_id)
        conn.execute(update(Order).where(Order.id.in_(ids)).values(status_id=CONFIRMED))
        assert statuses.delete_status(conn, used) == "発送準備中"
        # Disabled: kept on its orders and in the filter (marked), no longer offered for a change.
        statuses.set_status_enabled(conn, spare, False)
    with Session(engine) as s:
        assert (str(spare), "保留(無効)") in reference.order_statuses(s)
        assert str(spare) not in dict(reference.order_statuses(s, assignable=True))
        assert str(spare) not in dict(action_params(s.connection(), "change_status"))
    with pytest.raises(ParamError) as info:
        _register(engine, ids, {"status_id": str(spare)})
    assert info.value.errors["status_id"] == "指定された対応状況は無効になっています。"
    with pytest.raises(FormError) as edit_info, engine.begin() as conn:
        parse_edit(conn, {"status_id": str(spare)})
    assert edit_info.value.errors["status_id"] == "指定された対応状況は無効になっています。"


def test_lists_reorder_densely(engine: Engine) -> None:
    with engine.begin() as conn:
        a = statuses.create_status(conn, "A")
        statuses.move_status(conn, a, "top")
        order = [i.id for i in statuses.list_statuses(conn)]
        assert order[0] == a
        statuses.move_status(conn, a, "down")
        statuses.move_status(conn, a, "bottom")
        items = statuses.list_statuses(conn)
        assert items[-1].id == a and [i.position for i in items] == list(range(1, len(items) + 1))
        statuses.move_status(conn, a, "up")
        assert statuses.list_statuses(conn)[-2].id == a


# ---- 受注ラベル -----------------------------------------------------------------------------------


def test_labels_crud_colour_and_in_use_guard(engine: Engine) -> None:
    with engine.begin() as conn:
        label_id = labels.create_label(conn, "リピーター", "teal")
        assert labels.assignable_labels(conn)[-1] == (label_id, "リピーター", "teal")
    _refused(
        engine,
        lambda c: labels.create_label(c, "ギフト", "red"),
        "name",
        "受注ラベル「ギフト」は既に登録されています。",
    )
    _refused(engine, lambda c: labels.create_label(c, "新色", "rainbow"), "color", "色は選択肢から選んでください。")
    order_id = _order_ids(engine, 1)[0]
    with engine.begin() as conn:
        have = set(conn.execute(select(OrderLabel.label_id).where(OrderLabel.order_id == order_id)).scalars())
        set_order_labels(conn, order_id, sorted(have | {label_id}))
    _refused(
        engine,
        lambda c: labels.delete_label(c, label_id),
        "form",
        "「リピーター」は受注 1件に付いているため削除できません。無効にすると選択肢に表示されなくなります。",
    )
    with engine.begin() as conn:
        labels.update_label(conn, label_id, "リピーター様", "green")
        labels.set_label_enabled(conn, label_id, False)
        # A disabled label stays on its order (and may stay when the order's labels are saved).
        set_order_labels(conn, order_id, sorted(have | {label_id}))
    with pytest.raises(ParamError) as info:
        _register(engine, _order_ids(engine, 2), {"label_ids": [str(label_id)]})
    assert info.value.errors["label_ids"] == "指定された受注ラベルは無効になっています。"
    other = _order_ids(engine, 2)[1]
    _refused(
        engine,
        lambda c: set_order_labels(c, other, [label_id]),
        "label_ids",
        "指定された受注ラベルは無効になっています。",
    )
    with engine.begin() as conn:
        set_order_labels(conn, order_id, sorted(have))
        assert labels.delete_label(conn, label_id) == "リピーター様"
        assert conn.execute(select(Label.id).where(Label.id == label_id)).first() is None


# ---- 理由管理 -------------------------------------------------------------------------------------


def test_reasons_of_is_the_enabled_list_in_order(engine: Engine) -> None:
    with engine.begin() as conn:
        new = reasons.create_reason(conn, reasons.CANCEL, "引っ越し")
        reasons.move_reason(conn, reasons.CANCEL, new, "top")
        first = conn.execute(select(Reason.id).where(Reason.kind == reasons.CANCEL, Reason.name == "価格")).scalar_one()
        reasons.set_reason_enabled(conn, reasons.CANCEL, first, False)
        assert reasons.reasons_of(conn, reasons.CANCEL) == [
            "引っ越し",
            "顧客都合",
            "効果を感じない",
            "商品の余り",
            "その他",
        ]
        # Each list is its own: the same name may exist in another.
        reasons.create_reason(conn, reasons.STOP, "引っ越し")
    _refused(
        engine,
        lambda c: reasons.create_reason(c, reasons.CANCEL, "引っ越し"),
        "name",
        "キャンセル理由「引っ越し」は既に登録されています。",
    )
    _refused(engine, lambda c: reasons.create_reason(c, "nope", "x"), "kind", "理由の種類が正しくありません。")


def test_a_reason_renamed_is_renamed_on_its_records_and_guarded_while_used(engine: Engine) -> None:
    ids = _order_ids(engine, 4)
    job_id = _register(engine, ids, {"needs_attention": "yes", "attention_reason": "住所不備"})
    run_job(engine, job_id)
    with engine.begin() as conn:
        rid = conn.execute(
            select(Reason.id).where(Reason.kind == reasons.ATTENTION, Reason.name == "住所不備")
        ).scalar_one()
        item = next(i for i in reasons.list_reasons(conn, reasons.ATTENTION) if i.id == rid)
        assert item.usage.startswith("受注 ")
        assert reasons.rename_reason(conn, reasons.ATTENTION, rid, "住所不備(番地なし)") >= 4
        carried = set(conn.execute(select(Order.attention_reason).where(Order.id.in_(ids))).scalars())
        assert carried == {"住所不備(番地なし)"}
        used = conn.execute(select(func.count()).where(Order.attention_reason == "住所不備(番地なし)")).scalar_one()
    _refused(
        engine,
        lambda c: reasons.delete_reason(c, reasons.ATTENTION, rid),
        "form",
        f"「住所不備(番地なし)」は受注 {used}件に設定されているため削除できません。"
        "無効にすると選択肢に表示されなくなります。",
    )
    with engine.begin() as conn:
        spare = reasons.create_reason(conn, reasons.ATTENTION, "一時的")
        assert reasons.delete_reason(conn, reasons.ATTENTION, spare) == "一時的"
        reasons.set_reason_enabled(conn, reasons.ATTENTION, rid, False)
    # A disabled reason is no longer accepted by 一括更新 or 受注詳細.
    with pytest.raises(ParamError) as info:
        _register(engine, ids, {"needs_attention": "yes", "attention_reason": "住所不備(番地なし)"})
    assert info.value.errors["attention_reason"] == "要対応理由は選択肢から選んでください。"
    with pytest.raises(FormError), engine.begin() as conn:
        parse_edit(conn, {"needs_attention": "yes", "attention_reason": "住所不備(番地なし)"})


def test_order_detail_sets_attention_with_a_listed_reason(engine: Engine) -> None:
    order_id = _order_ids(engine, 1)[0]
    with engine.begin() as conn:
        reasons.create_reason(conn, reasons.ATTENTION, "ギフト包装確認")
        edit_order(
            conn, order_id, parse_edit(conn, {"needs_attention": "yes", "attention_reason": "ギフト包装確認"}), None
        )
        row = conn.execute(select(Order.needs_attention, Order.attention_reason).where(Order.id == order_id)).one()
        assert tuple(row) == (True, "ギフト包装確認")
        edit_order(conn, order_id, parse_edit(conn, {"needs_attention": "no"}), None)
        row = conn.execute(select(Order.needs_attention, Order.attention_reason).where(Order.id == order_id)).one()
        assert tuple(row) == (False, None)
    for form, field, message in [
        ({"attention_reason": "住所不備"}, "attention_reason",
         "要対応理由は「要対応にする」を選んだ場合のみ指定できます。"),
        ({"needs_attention": "yes", "attention_reason": "気分"}, "attention_reason",
         "要対応理由は選択肢から選んでください。"),
        ({"needs_attention": "maybe"}, "needs_attention", "要対応受注は選択肢から選んでください。"),
    ]:  # fmt: skip
        _refused(engine, lambda c, f=form: edit_order(c, order_id, parse_edit(c, f), None), field, message)


def test_stop_and_cancel_reasons_are_told_apart_on_subscriptions(engine: Engine) -> None:
    """停止理由 and キャンセル理由 share subscriptions.status_reason: each list counts and renames only
    the subscriptions in its own status."""
    with engine.begin() as conn:
        subs = list(conn.execute(select(Subscription.id).order_by(Subscription.id).limit(2)).scalars())
        conn.execute(
            update(Subscription).where(Subscription.id == subs[0]).values(status="paused", status_reason="その他")
        )
        conn.execute(
            update(Subscription).where(Subscription.id == subs[1]).values(status="cancelled", status_reason="その他")
        )
        stop_other = conn.execute(
            select(Reason.id).where(Reason.kind == reasons.STOP, Reason.name == "その他")
        ).scalar_one()
        reasons.rename_reason(conn, reasons.STOP, stop_other, "その他(停止)")
        got = dict(
            conn.execute(select(Subscription.id, Subscription.status_reason).where(Subscription.id.in_(subs))).all()
        )
    assert got == {subs[0]: "その他(停止)", subs[1]: "その他"}


def test_bulk_update_reads_the_reason_lists(engine: Engine) -> None:
    with engine.begin() as conn:
        reasons.create_reason(conn, reasons.BLACKLIST, "なりすまし")
    ids = _order_ids(engine, 2)
    run_job(engine, _register(engine, ids, {"blacklist": "yes", "blacklist_reason": "なりすまし"}))
    with engine.connect() as conn:
        customer = conn.execute(select(Order.customer_id).where(Order.id == ids[0])).scalar_one()
        assert (
            conn.execute(select(Customer.blacklist_reason).where(Customer.id == customer)).scalar_one() == "なりすまし"
        )
    for form, key, message in [
        ({"blacklist": "yes", "blacklist_reason": "気分"}, "blacklist_reason",
         "ブラックリスト理由は選択肢から選んでください。"),
        ({"sub_status": "paused", "sub_status_reason": "効果を感じない"}, "sub_status_reason",
         "停止理由は選択肢から選んでください。"),
        ({"sub_status": "cancelled", "sub_status_reason": "効果を感じない"}, None, None),
        ({"sub_needs_attention": "yes", "sub_attention_reason": "在庫不足"}, "sub_attention_reason",
         "要対応理由(定期)は選択肢から選んでください。"),
    ]:  # fmt: skip
        if key is None:
            _register(engine, ids, form)
            continue
        with pytest.raises(ParamError) as info:
            _register(engine, ids, form)
        assert info.value.errors[key] == message


def test_the_list_catalog_drives_every_kind(engine: Engine) -> None:
    for kind in catalog.KINDS:
        with engine.begin() as conn:
            item_id = catalog.create_item(conn, kind, f"テスト{kind}", "blue")
            catalog.update_item(conn, kind, item_id, f"テスト{kind}2", "pink")
            catalog.move_item(conn, kind, item_id, "top")
            catalog.set_item_enabled(conn, kind, item_id, False)
            item = catalog.list_items(conn, kind)[0]
            assert (item.id, item.name, item.enabled) == (item_id, f"テスト{kind}2", False)
            assert catalog.delete_item(conn, kind, item_id) == f"テスト{kind}2"
    _refused(engine, lambda c: catalog.list_items(c, "nope"), "kind", "一覧の種類が正しくありません。")


# ---- 配送/送料設定, 支払方法, 商品別 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (CompanyForm(name="", fee="500"), "name", "配送業者名を入力してください。"),
        (CompanyForm(name="ヤマト運輸", fee="500"), "name", "配送業者「ヤマト運輸」は既に登録されています。"),
        (CompanyForm(name="西濃運輸", fee=""), "fee", "基本送料を入力してください。"),
        (CompanyForm(name="西濃運輸", fee="-100"), "fee", "基本送料は0円以上で入力してください。"),
        (CompanyForm(name="西濃運輸", fee="500.5"), "fee", "基本送料は1円単位の整数で入力してください。"),
        (CompanyForm(name="西濃運輸", fee="五百"), "fee", "基本送料は円単位の整数(半角数字)で入力してください。"),
        (CompanyForm(name="西濃運輸", fee="10000000"), "fee", "基本送料は9,999,999円以下で入力してください。"),
        (CompanyForm(name="西濃運輸", fee="500", free_from="-1"), "free_from",
         "送料無料になる金額は0円以上で入力してください。"),
        (CompanyForm(name="西濃運輸", fee="500", prefecture_fees=[["北海道", "1000"], ["北海道", "900"]]),
         "prefecture_2", "都道府県別送料 2行目: 北海道は既に指定されています。"),
        (CompanyForm(name="西濃運輸", fee="500", prefecture_fees=[["東京", "1000"]]),
         "prefecture_1", "都道府県別送料 1行目: 都道府県を選択してください。"),
        (CompanyForm(name="西濃運輸", fee="500", prefecture_fees=[["沖縄県", "-5"]]),
         "prefecture_1", "都道府県別送料 1行目(沖縄県)の送料は0円以上で入力してください。"),
    ],
)  # fmt: skip
def test_company_form_is_checked(engine: Engine, form: CompanyForm, field: str, message: str) -> None:
    _refused(engine, lambda c: delivery.save_company(c, None, form), field, message)


def test_companies_crud_and_in_use_guard(engine: Engine) -> None:
    with engine.begin() as conn:
        form = CompanyForm(
            name="西濃運輸", fee="1,200円", free_from="２００００", prefecture_fees=[["沖縄県", "¥2,000"]]
        )
        new = delivery.save_company(conn, None, form)
        again = delivery.company_form(conn, new)
        assert (again.fee, again.free_from, again.prefecture_fees) == ("1200", "20000", [["沖縄県", "2000"]])
        row = next(r for r in delivery.list_companies(conn) if r.id == new)
        assert (row.fee, row.free_from, row.prefecture_fees) == ("¥1,200", "¥20,000以上で無料", ["沖縄県 ¥2,000"])
        delivery.save_company(conn, new, CompanyForm(name="西濃運輸", fee="1300"))  # prefecture fees cleared
        assert delivery.company_form(conn, new).prefecture_fees == []
        yamato = conn.execute(select(DeliveryCompany.id).where(DeliveryCompany.name == "ヤマト運輸")).scalar_one()
        orders = conn.execute(select(func.count()).where(Order.delivery_company_id == yamato)).scalar_one()
        subs = conn.execute(select(func.count()).where(Subscription.delivery_company_id == yamato)).scalar_one()
    assert orders and subs
    _refused(
        engine,
        lambda c: delivery.delete_company(c, yamato),
        "form",
        f"「ヤマト運輸」は使用中のため削除できません(受注 {orders}件 / 定期受注 {subs}件)。"
        "無効にすると選択肢に表示されなくなります。",
    )
    with engine.begin() as conn:
        delivery.set_company_enabled(conn, new, False)
    with Session(engine) as s:
        assert str(new) not in dict(reference.delivery_companies(s, assignable=True))
        assert (str(new), "西濃運輸(無効)") in reference.delivery_companies(s)
    with pytest.raises(ParamError) as info:
        _register(engine, _order_ids(engine, 1), {"delivery_company_id": str(new)})
    assert info.value.errors["delivery_company_id"] == "指定された配送業者は無効になっています。"
    with engine.begin() as conn:
        assert delivery.delete_company(conn, new) == "西濃運輸"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (MethodFeeForm(fee="-330"), "fee", "支払い手数料は0円以上で入力してください。"),
        (MethodFeeForm(fee="3.3"), "fee", "支払い手数料は1円単位の整数で入力してください。"),
        (MethodFeeForm(fee="330", tiers=[["0", "400"]]), "tier_1",
         "金額別手数料 1行目: 金額は1円以上で入力してください(0円からは支払い手数料です)。"),
        (MethodFeeForm(fee="330", tiers=[["10000", "440"], ["10,000", "500"]]), "tier_2",
         "金額別手数料 2行目: ¥10,000以上は既に指定されています。"),
        (MethodFeeForm(fee="330", tiers=[["10000", "abc"]]), "tier_1_fee",
         "金額別手数料 1行目の手数料は円単位の整数(半角数字)で入力してください。"),
    ],
)  # fmt: skip
def test_payment_fee_form_is_checked(engine: Engine, form: MethodFeeForm, field: str, message: str) -> None:
    with engine.connect() as conn:
        cod = conn.execute(select(PaymentMethod.id).where(PaymentMethod.code == "cod")).scalar_one()
    _refused(engine, lambda c: payment.save_method_fees(c, cod, form), field, message)


def test_product_fee_overrides(engine: Engine) -> None:
    with engine.begin() as conn:
        pid = conn.execute(select(Product.id).where(Product.code == "SKN-001")).scalar_one()
        assert products.set_product_fee(conn, "shipping", pid, "0") == 0
        assert products.set_product_fee(conn, "payment", pid, " 100 ") == 100
        rows, total = products.list_product_fees(conn, "payment", "SKN-001")
        assert total == 1 and (rows[0].fee, rows[0].raw) == ("¥100", "100")
        assert products.set_product_fee(conn, "payment", pid, "") is None
        assert conn.execute(select(Product.payment_fee).where(Product.id == pid)).scalar_one() is None
    _refused(
        engine,
        lambda c: products.set_product_fee(c, "shipping", pid, "-1"),
        "fee",
        "商品別送料は0円以上で入力してください。",
    )
    _refused(
        engine, lambda c: products.set_product_fee(c, "bogus", pid, "1"), "kind", "手数料の種類が正しくありません。"
    )


# ---- 受注/定期受注設定, 発送・お届け日 ---------------------------------------------------------------


def test_shop_settings_are_checked_and_saved(engine: Engine) -> None:
    with engine.begin() as conn:
        shop.save_delivery_dates(conn, {"min_delivery_days": "3"})
        stop = conn.execute(
            select(Reason.id).where(Reason.kind == reasons.STOP, Reason.name == "長期不在")
        ).scalar_one()
        shop.save_order_settings(
            conn, {"auto_order_days_before": "10", "subscription_run_time": "5:30", "auto_stop_reason_id": str(stop)}
        )
        config = shop.shop_config(conn)
        assert (config.min_delivery_days, config.auto_order_days_before, config.subscription_run_time) == (
            3,
            10,
            "05:30",
        )
        assert shop.auto_reason(conn, reasons.STOP) == "長期不在"
        assert shop.auto_reason(conn, reasons.ATTENTION) == "自動化設定"
        cancel = conn.execute(select(Reason.id).where(Reason.kind == reasons.CANCEL).limit(1)).scalar_one()
    _refused(
        engine,
        lambda c: shop.save_delivery_dates(c, {"min_delivery_days": "-1"}),
        "min_delivery_days",
        "最短お届け日の指定は0〜30日の整数で入力してください。",
    )
    good = {"auto_order_days_before": "7", "subscription_run_time": "04:00"}
    for form, field, message in [
        ({**good, "auto_order_days_before": "61"}, "auto_order_days_before",
         "自動受注作成日の指定は0〜60日の整数で入力してください。"),
        ({**good, "subscription_run_time": "25:00"}, "subscription_run_time",
         "定期受注の自動作成時刻は「04:00」の形式(00:00〜23:59)で入力してください。"),
        ({**good, "auto_stop_reason_id": str(cancel)}, "auto_stop_reason_id",
         "定期受注を停止にするときの停止理由は選択肢から選んでください。"),
    ]:  # fmt: skip
        _refused(engine, lambda c, f=form: shop.save_order_settings(c, f), field, message)
    # A reason named by the settings can be neither disabled nor deleted.
    _refused(
        engine,
        lambda c: reasons.delete_reason(c, reasons.STOP, stop),
        "form",
        "「長期不在」は受注/定期受注設定で使われているため削除できません。",
    )
    _refused(
        engine,
        lambda c: reasons.set_reason_enabled(c, reasons.STOP, stop, False),
        "form",
        "「長期不在」は受注/定期受注設定で使われているため無効にできません。",
    )
