"""Search against a real database, checked against a brute-force filter over the same rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from ecweb_core.models import Customer, Order, OrderLabel, SurveyAnswer
from ecweb_core.models.common import JST
from ecweb_core.search import FilterError, OrderFilter, PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.statuses import SHIPPED


def _all(session: Session) -> list[tuple[Order, Customer]]:
    return list(session.execute(select(Order, Customer).join(Customer, Customer.id == Order.customer_id)).all())


def _jst_day(value: datetime | None) -> date | None:
    return value.astimezone(JST).date() if value else None


def _ids(session: Session, f: OrderFilter) -> set[int]:
    total = count_orders(session, f)
    rows = fetch_page(session, f, PageRequest(page=1, page_size=200))
    pages = [rows]
    page = 2
    while sum(map(len, pages)) < total:
        pages.append(fetch_page(session, f, PageRequest(page=page, page_size=200)))
        page += 1
    ids = [r.id for p in pages for r in p]
    assert len(ids) == len(set(ids)) == total
    return set(ids)


def test_no_filter_matches_every_order(session: Session) -> None:
    assert count_orders(session, OrderFilter()) == 600


@pytest.mark.parametrize(
    ("form", "predicate"),
    [
        ({"status_ids": str(SHIPPED)}, lambda o, c: o.status_id == SHIPPED),
        ({"payment_statuses": "captured"}, lambda o, c: o.payment_status == "captured"),
        ({"payment_method_ids": "2"}, lambda o, c: o.payment_method_id == 2),
        ({"delivery_company_ids": "1"}, lambda o, c: o.delivery_company_id == 1),
        ({"customer_name": "佐藤"}, lambda o, c: "佐藤" in c.name),
        ({"customer_name": "サトウ"}, lambda o, c: "サトウ" in c.kana),
        ({"email": "customer1"}, lambda o, c: c.email is not None and "customer1" in c.email),
        ({"number": "EC0000001"}, lambda o, c: o.number.startswith("EC0000001")),
        ({"shipping_list": "unexported"}, lambda o, c: not o.shipping_list_exported),
        ({"shipping_list": "exported"}, lambda o, c: o.shipping_list_exported),
        ({"needs_attention": "yes"}, lambda o, c: o.needs_attention),
        ({"order_type": "subscription"}, lambda o, c: o.subscription_id is not None),
        ({"order_type": "single"}, lambda o, c: o.subscription_id is None),
        ({"total_min": "5000", "total_max": "9000"}, lambda o, c: 5000 <= o.total <= 9000),
        (
            {"ordered_from": "2026-06-01", "ordered_to": "2026-06-30"},
            lambda o, c: o.ordered_at is not None and date(2026, 6, 1) <= _jst_day(o.ordered_at) <= date(2026, 6, 30),
        ),
        (
            {"shipped_from": "2026/09/01"},
            lambda o, c: o.shipped_at is not None and _jst_day(o.shipped_at) >= date(2026, 9, 1),
        ),
        (
            {"scheduled_ship_to": "2026-03-31"},
            lambda o, c: o.scheduled_ship_date is not None and o.scheduled_ship_date <= date(2026, 3, 31),
        ),
        (
            {"delivered_from": "2026-10-01", "delivered_to": "2026-10-31"},
            lambda o, c: (
                o.delivered_at is not None and date(2026, 10, 1) <= _jst_day(o.delivered_at) <= date(2026, 10, 31)
            ),
        ),
        (
            {"status_ids": str(SHIPPED), "payment_method_ids": "1", "order_type": "single"},
            lambda o, c: o.status_id == SHIPPED and o.payment_method_id == 1 and o.subscription_id is None,
        ),
    ],
)
def test_filter_matches_brute_force(session: Session, form: dict[str, str], predicate) -> None:  # type: ignore[no-untyped-def]
    expected = {o.id for o, c in _all(session) if predicate(o, c)}
    assert expected, "the demo data should hold matching orders, else the test proves nothing"
    assert _ids(session, parse_filter(form)) == expected


def test_label_and_personalize_filters(session: Session) -> None:
    labelled = {oid for (oid,) in session.execute(select(OrderLabel.order_id).where(OrderLabel.label_id == 1))}
    surveyed = {oid for (oid,) in session.execute(select(SurveyAnswer.order_id))}
    assert labelled and surveyed
    assert _ids(session, parse_filter({"label_ids": "1"})) == labelled
    assert _ids(session, parse_filter({"personalized": "on"})) == surveyed


def test_like_wildcards_are_literal(session: Session) -> None:
    assert count_orders(session, parse_filter({"customer_name": "%"})) == 0
    assert count_orders(session, parse_filter({"number": "EC_"})) == 0


def test_date_range_boundaries_are_japan_days(session: Session) -> None:
    order = session.execute(select(Order).where(Order.ordered_at.is_not(None)).limit(1)).scalar_one()
    day = _jst_day(order.ordered_at)
    assert day is not None
    same_day = parse_filter({"ordered_from": day.isoformat(), "ordered_to": day.isoformat()})
    assert order.id in _ids(session, same_day)
    next_day = (day + timedelta(days=1)).isoformat()
    assert order.id not in _ids(session, parse_filter({"ordered_from": next_day}))


def test_pages_cover_results_in_sort_order(session: Session) -> None:
    f = parse_filter({})
    seen: list[int] = []
    for page in range(1, 14):
        seen += [
            r.id for r in fetch_page(session, f, PageRequest(page=page, page_size=50, sort="total", descending=False))
        ]
    assert len(seen) == len(set(seen)) == 600
    totals = {o.id: o.total for o, _ in _all(session)}
    assert [totals[i] for i in seen] == sorted(totals[i] for i in seen)
    assert fetch_page(session, f, PageRequest(page=13, page_size=50)) == []


def test_page_rows_carry_display_values(session: Session) -> None:
    row = fetch_page(session, OrderFilter(), PageRequest(page=1, page_size=1))[0]
    order = session.get(Order, row.id)
    assert order is not None
    assert row.number == order.number and row.total == order.total
    assert row.shipping_list in ("未出力", "出力済")


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"ordered_from": "2026-13-01"}, "ordered_from", "受注日(開始)は「2026-01-31」の形式で入力してください。"),
        ({"shipped_to": "昨日"}, "shipped_to", "発送完了日(終了)は「2026-01-31」の形式で入力してください。"),
        (
            {"ordered_from": "2026-05-02", "ordered_to": "2026-05-01"},
            "ordered_to",
            "受注日の終了日は開始日以降の日付を指定してください。",
        ),
        ({"total_min": "abc"}, "total_min", "合計金額(下限)は0以上の整数で入力してください。"),
        ({"total_min": "9000", "total_max": "10"}, "total_max", "合計金額の上限は下限以上の金額を指定してください。"),
        ({"phone": "090-abcd"}, "phone", "電話番号は数字とハイフンで入力してください。"),
        ({"payment_statuses": "nope"}, "payment_statuses", "決済状況の指定が正しくありません。"),
        ({"shipping_list": "maybe"}, "shipping_list", "選択肢から選んでください。"),
    ],
)
def test_bad_input_is_refused_with_japanese_message(form: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_filter(form)
    assert info.value.errors[field] == message


def test_filter_round_trips_through_json_form() -> None:
    f = parse_filter({"ordered_from": "2026-01-01", "status_ids": "40", "personalized": "1", "total_max": "100"})
    assert OrderFilter.from_dict(f.to_dict()) == f
    assert not f.is_empty and OrderFilter().is_empty
