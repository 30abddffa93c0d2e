"""Order search (SPEC O4): a typed filter, its parsing from form input, and server-side paging.

The filter is the unit of 「検索結果すべて」: a job later snapshots its targets with
INSERT … SELECT from `order_ids_select(filter)`, so nothing here loads the matching ids.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import Session

from ecweb_core.errors import FormError
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    Label,
    Order,
    OrderLabel,
    OrderStatus,
    PaymentMethod,
    Subscription,
    SurveyAnswer,
)
from ecweb_core.models.common import fmt_jst, jst_midnight
from ecweb_core.statuses import PAYMENT_STATUSES, SUBSCRIPTION_STATUSES
from ecweb_core.textfold import email_key, name_query, phone_digits

MAX_PAGE_SIZE = 200
MAX_INT = 2**31 - 1
TEXT_MAX = 100  # a search text longer than any stored name or address is refused, not run


class FilterError(FormError):
    """Bad search input."""


@dataclass(frozen=True)
class OrderFilter:
    number: str = ""
    customer_name: str = ""  # matches 氏名 or カナ
    email: str = ""
    phone: str = ""
    ordered_from: date | None = None
    ordered_to: date | None = None
    scheduled_ship_from: date | None = None
    scheduled_ship_to: date | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None
    delivered_from: date | None = None
    delivered_to: date | None = None
    status_ids: tuple[int, ...] = ()
    payment_statuses: tuple[str, ...] = ()
    payment_method_ids: tuple[int, ...] = ()
    delivery_company_ids: tuple[int, ...] = ()
    label_ids: tuple[int, ...] = ()
    shipping_list: str = ""  # "" | "unexported" | "exported"
    needs_attention: str = ""  # "" | "yes" | "no"
    order_type: str = ""  # "" | "subscription" | "single"
    subscription_status: str = ""  # "" | a SUBSCRIPTION_STATUSES code: orders of subscriptions in it
    personalized: bool = False  # パーソナライズ: has survey answers
    total_min: int | None = None
    total_max: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for storing a 「検索結果すべて」 selection with a job."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            out[k] = v.isoformat() if isinstance(v, date) else (list(v) if isinstance(v, tuple) else v)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrderFilter:
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            v = data[f.name]
            if f.name.endswith(("_from", "_to")) and v:
                v = date.fromisoformat(v)
            elif isinstance(v, list):
                v = tuple(v)
            kw[f.name] = v
        return cls(**kw)

    @property
    def is_empty(self) -> bool:
        return self == OrderFilter()


# Form field name -> Japanese label, used in error messages.
DATE_RANGES: dict[str, str] = {
    "ordered": "受注日",
    "scheduled_ship": "発送予定日",
    "shipped": "発送完了日",
    "delivered": "配送完了日",
}


def _parse_date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    raw = raw.strip().replace("/", "-")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"{label}は「2026-01-31」の形式で入力してください。"
        return None


def _parse_int(raw: str, label: str, errors: dict[str, str], key: str) -> int | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    if not (raw.isdigit() and raw.isascii()):
        errors[key] = f"{label}は0以上の整数で入力してください。"
        return None
    if len(raw) > 10 or int(raw) > MAX_INT:  # a column holds 32-bit integers: more never matches, and overflows
        errors[key] = f"{label}は{MAX_INT:,}以下で入力してください。"
        return None
    return int(raw)


def _parse_ids(raw: str | list[str] | tuple[str, ...]) -> tuple[int, ...]:
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(int(x) for x in items if str(x).strip().isdigit() and len(str(x).strip()) <= 10
                 and int(x) <= MAX_INT)  # fmt: skip


def parse_filter(form: dict[str, Any]) -> OrderFilter:
    """Validates raw form strings into an OrderFilter, or raises FilterError (nothing is searched)."""
    errors: dict[str, str] = {}
    kw: dict[str, Any] = {}
    for key in ("number", "customer_name", "email", "phone"):
        kw[key] = str(form.get(key, "") or "").strip()
    if len(kw["number"]) > 32:
        errors["number"] = "受注番号は32文字以内で入力してください。"
    for key, label in (("customer_name", "顧客名・カナ"), ("email", "メールアドレス"), ("phone", "電話番号")):
        if len(kw[key]) > TEXT_MAX:
            errors[key] = f"{label}は{TEXT_MAX}文字以内で入力してください。"
    phone = phone_digits(kw["phone"])
    if phone and not (phone.isascii() and phone.isdigit()):
        errors["phone"] = "電話番号は数字とハイフンで入力してください。"
    for prefix, label in DATE_RANGES.items():
        lo = _parse_date(str(form.get(f"{prefix}_from", "") or ""), f"{label}(開始)", errors, f"{prefix}_from")
        hi = _parse_date(str(form.get(f"{prefix}_to", "") or ""), f"{label}(終了)", errors, f"{prefix}_to")
        if lo and hi and lo > hi:
            errors[f"{prefix}_to"] = f"{label}の終了日は開始日以降の日付を指定してください。"
        kw[f"{prefix}_from"], kw[f"{prefix}_to"] = lo, hi
    kw["total_min"] = _parse_int(str(form.get("total_min", "") or ""), "合計金額(下限)", errors, "total_min")
    kw["total_max"] = _parse_int(str(form.get("total_max", "") or ""), "合計金額(上限)", errors, "total_max")
    if kw["total_min"] is not None and kw["total_max"] is not None and kw["total_min"] > kw["total_max"]:
        errors["total_max"] = "合計金額の上限は下限以上の金額を指定してください。"
    for key in ("status_ids", "payment_method_ids", "delivery_company_ids", "label_ids"):
        kw[key] = _parse_ids(form.get(key, "") or "")
    pay = form.get("payment_statuses", "") or ""
    pay_items = tuple(p for p in (pay.split(",") if isinstance(pay, str) else pay) if p)
    if any(p not in PAYMENT_STATUSES for p in pay_items):
        errors["payment_statuses"] = "決済状況の指定が正しくありません。"
    kw["payment_statuses"] = pay_items
    for key, allowed in (
        ("shipping_list", ("", "unexported", "exported")),
        ("needs_attention", ("", "yes", "no")),
        ("order_type", ("", "subscription", "single")),
        ("subscription_status", ("", *SUBSCRIPTION_STATUSES)),
    ):
        value = str(form.get(key, "") or "")
        if value not in allowed:
            errors[key] = "選択肢から選んでください。"
        kw[key] = value
    kw["personalized"] = str(form.get("personalized", "")).lower() in ("1", "true", "on", "yes")
    if errors:
        raise FilterError(errors)
    return OrderFilter(**kw)


def _day_range(column: Any, lo: date | None, hi: date | None, is_datetime: bool) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if lo:
        conds.append(column >= (jst_midnight(lo) if is_datetime else lo))
    if hi:
        conds.append(column < jst_midnight(hi + timedelta(days=1)) if is_datetime else column <= hi)
    return conds


def conditions(f: OrderFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions on `orders` for a filter; customer and label terms are subqueries."""
    o = Order.__table__.c
    conds: list[ColumnElement[bool]] = []
    if f.number:
        conds.append(o.number.like(f"{_escape(f.number)}%", escape="\\"))
    customer_conds: list[ColumnElement[bool]] = []
    c = Customer.__table__.c
    # The stored search keys (ecweb_core.textfold): the term is folded the same way, so
    # 「佐藤　美咲」「佐藤美咲」「ｻﾄｳ」「さとう」, 090-… and 090… and any letter case all match.
    name_q, email_q, phone_q = name_query(f.customer_name), email_key(f.email), phone_digits(f.phone)
    if name_q:
        customer_conds.append(c.search_name.like(f"%{_escape(name_q)}%", escape="\\"))
    if email_q:
        customer_conds.append(c.search_email.like(f"%{_escape(email_q)}%", escape="\\"))
    if phone_q:
        customer_conds.append(c.search_phone.like(f"%{_escape(phone_q)}%", escape="\\"))
    if customer_conds:
        conds.append(o.customer_id.in_(select(c.id).where(and_(*customer_conds))))
    conds += _day_range(o.ordered_at, f.ordered_from, f.ordered_to, True)
    conds += _day_range(o.scheduled_ship_date, f.scheduled_ship_from, f.scheduled_ship_to, False)
    conds += _day_range(o.shipped_at, f.shipped_from, f.shipped_to, True)
    conds += _day_range(o.delivered_at, f.delivered_from, f.delivered_to, True)
    if f.status_ids:
        conds.append(o.status_id.in_(f.status_ids))
    if f.payment_statuses:
        conds.append(o.payment_status.in_(f.payment_statuses))
    if f.payment_method_ids:
        conds.append(o.payment_method_id.in_(f.payment_method_ids))
    if f.delivery_company_ids:
        conds.append(o.delivery_company_id.in_(f.delivery_company_ids))
    if f.label_ids:
        ol = OrderLabel.__table__.c
        # IN (subquery), not a correlated EXISTS: SQLite would run EXISTS once per order.
        conds.append(o.id.in_(select(ol.order_id).where(ol.label_id.in_(f.label_ids))))
    if f.shipping_list:
        conds.append(o.shipping_list_exported.is_(f.shipping_list == "exported"))
    if f.needs_attention:
        conds.append(o.needs_attention.is_(f.needs_attention == "yes"))
    if f.order_type == "subscription":
        conds.append(o.subscription_id.is_not(None))
    elif f.order_type == "single":
        conds.append(o.subscription_id.is_(None))
    if f.subscription_status:
        s = Subscription.__table__.c
        conds.append(o.subscription_id.in_(select(s.id).where(s.status == f.subscription_status)))
    if f.personalized:
        conds.append(o.id.in_(select(SurveyAnswer.__table__.c.order_id)))
    if f.total_min is not None:
        conds.append(o.total >= f.total_min)
    if f.total_max is not None:
        conds.append(o.total <= f.total_max)
    return conds


def customer_text_match(text: str, *, phone: bool = True) -> ColumnElement[bool]:
    """One free text against a customer's 氏名/カナ, e-mail (and phone), through the search keys."""
    c = Customer.__table__.c
    terms = [(c.search_name, name_query(text)), (c.search_email, email_key(text))]
    if phone:
        terms.append((c.search_phone, phone_digits(text)))
    return or_(*(col.like(f"%{_escape(q)}%", escape="\\") for col, q in terms if q))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def order_ids_select(f: OrderFilter) -> Select[Any]:
    """SELECT orders.id for a filter: the source of INSERT … SELECT snapshots."""
    o = Order.__table__.c
    return select(o.id).where(*conditions(f))


def count_orders(session: Session, f: OrderFilter) -> int:
    return int(session.execute(select(func.count()).select_from(Order.__table__).where(*conditions(f))).scalar_one())


# Sort keys the grid offers: key -> column. Ties break on id so pages never overlap.
SORT_COLUMNS: dict[str, str] = {
    "ordered_at": "ordered_at",
    "number": "number",
    "total": "total",
    "status": "status_id",
    "shipped_at": "shipped_at",
    "scheduled_ship_date": "scheduled_ship_date",
}


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 50
    sort: str = "ordered_at"
    descending: bool = True


@dataclass
class OrderRow:
    id: int
    number: str
    ordered_at: str
    customer_name: str
    total: int
    payment_method: str
    payment_status: str
    status: str
    delivery_company: str
    scheduled_ship_date: str
    shipping_list: str
    needs_attention: bool
    subscription: bool
    labels: list[list[str]] = field(default_factory=list)  # [name, colour] in 受注ラベル's order


def grid_order_by(sort: str, descending: bool) -> list[ColumnElement[Any]]:
    """The grid's ORDER BY for a sort key (what PDF一括出力 follows to put its pages in the grid's order)."""
    o = Order.__table__.c
    col = o[SORT_COLUMNS.get(sort, "ordered_at")]
    return [col.desc(), o.id.desc()] if descending else [col.asc(), o.id.asc()]


def page_ids_select(f: OrderFilter, req: PageRequest) -> Select[Any]:
    o = Order.__table__.c
    order_by = grid_order_by(req.sort, req.descending)
    size = max(1, min(req.page_size, MAX_PAGE_SIZE))
    return select(o.id).where(*conditions(f)).order_by(*order_by).limit(size).offset((max(req.page, 1) - 1) * size)


def fetch_page(session: Session, f: OrderFilter, req: PageRequest) -> list[OrderRow]:
    """One grid page: the ids from `orders` alone (index order), then their display columns."""
    ids = [r[0] for r in session.execute(page_ids_select(f, req))]
    if not ids:
        return []
    o, c = Order.__table__.c, Customer.__table__.c
    pm, dc, st = PaymentMethod.__table__.c, DeliveryCompany.__table__.c, OrderStatus.__table__.c
    rows = session.execute(
        select(
            o.id,
            o.number,
            o.ordered_at,
            c.name,
            o.total,
            pm.name,
            o.payment_status,
            st.name,
            dc.name,
            o.scheduled_ship_date,
            o.shipping_list_exported,
            o.needs_attention,
            o.subscription_id,
        )
        .join(Customer.__table__, c.id == o.customer_id)
        .join(PaymentMethod.__table__, pm.id == o.payment_method_id)
        .join(DeliveryCompany.__table__, dc.id == o.delivery_company_id)
        .join(OrderStatus.__table__, st.id == o.status_id)
        .where(o.id.in_(ids))
    ).all()
    labels = labels_of(session, ids)
    by_id = {
        r[0]: OrderRow(
            id=r[0],
            number=r[1],
            ordered_at=fmt_jst(r[2]),
            customer_name=r[3],
            total=r[4],
            payment_method=r[5],
            payment_status=PAYMENT_STATUSES.get(r[6], r[6]),
            status=r[7],
            delivery_company=r[8],
            scheduled_ship_date=r[9].strftime("%Y/%m/%d") if r[9] else "",
            shipping_list="出力済" if r[10] else "未出力",
            needs_attention=bool(r[11]),
            subscription=r[12] is not None,
            labels=labels.get(r[0], []),
        )
        for r in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def labels_of(session: Session, order_ids: list[int]) -> dict[int, list[list[str]]]:
    """Each order's labels as [name, colour], in the order 受注ラベル管理 sets."""
    ol, lb = OrderLabel.__table__.c, Label.__table__.c
    out: dict[int, list[list[str]]] = {}
    for oid, name, color in session.execute(
        select(ol.order_id, lb.name, lb.color)
        .join(Label.__table__, lb.id == ol.label_id)
        .where(ol.order_id.in_(order_ids))
        .order_by(lb.position, lb.id)
    ):
        out.setdefault(oid, []).append([name, color])
    return out
