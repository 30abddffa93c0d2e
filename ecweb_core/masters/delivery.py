"""配送/送料設定: the delivery companies with their 送料 (基本送料, 都道府県別送料, 送料無料 from an
amount), created, renamed, reordered, disabled; deleted only when no order or 定期受注 uses them.
The fee rules themselves are applied in ecweb_core/fees.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ecweb_core import permissions
from ecweb_core.errors import FormError
from ecweb_core.masters import lists
from ecweb_core.models import DeliveryCompany, Order, PrefectureShippingFee, Subscription
from ecweb_core.prefectures import PREFECTURES

COMPANIES = DeliveryCompany.__table__
PREF_FEES = PrefectureShippingFee.__table__


@dataclass
class CompanyRow:
    id: int
    name: str
    position: int
    enabled: bool
    fee: str  # 「¥600」
    free_from: str  # 「¥10,000以上で無料」 or ""
    prefecture_fees: list[str] = field(default_factory=list)  # 「北海道 ¥1,200」
    usage: str = ""


@dataclass
class CompanyForm:
    """What the edit dialog shows: the stored values as text."""

    name: str = ""
    fee: str = ""
    free_from: str = ""
    prefecture_fees: list[list[str]] = field(default_factory=list)  # [prefecture, fee]


def yen(value: int) -> str:
    return f"¥{value:,}"


def list_companies(conn: Connection) -> list[CompanyRow]:
    o, s = Order.__table__.c, Subscription.__table__.c
    orders = dict(conn.execute(select(o.delivery_company_id, func.count()).group_by(o.delivery_company_id)).all())
    subs = dict(conn.execute(select(s.delivery_company_id, func.count()).group_by(s.delivery_company_id)).all())
    prefs: dict[int, list[str]] = {}
    order = {p: i for i, p in enumerate(PREFECTURES)}
    for cid, pref, fee in sorted(
        conn.execute(select(PREF_FEES.c.delivery_company_id, PREF_FEES.c.prefecture, PREF_FEES.c.fee)).all(),
        key=lambda r: order.get(r[1], 99),
    ):
        prefs.setdefault(cid, []).append(f"{pref} {yen(fee)}")
    return [
        CompanyRow(
            id=r.id,
            name=r.name,
            position=r.position,
            enabled=r.enabled,
            fee=yen(r.fee),
            free_from=f"{yen(r.free_shipping_from)}以上で無料" if r.free_shipping_from is not None else "",
            prefecture_fees=prefs.get(r.id, []),
            usage=_usage_text(orders.get(r.id, 0), subs.get(r.id, 0)),
        )
        for r in conn.execute(select(COMPANIES).order_by(COMPANIES.c.position, COMPANIES.c.id))
    ]


def assignable_companies(conn: Connection) -> list[tuple[int, str]]:
    rows = conn.execute(
        select(COMPANIES.c.id, COMPANIES.c.name)
        .where(COMPANIES.c.enabled.is_(True))
        .order_by(COMPANIES.c.position, COMPANIES.c.id)
    )
    return [(int(i), str(n)) for i, n in rows]


def company_form(conn: Connection, company_id: int) -> CompanyForm:
    row = _company(conn, company_id)
    order = {p: i for i, p in enumerate(PREFECTURES)}
    prefs = sorted(
        conn.execute(select(PREF_FEES.c.prefecture, PREF_FEES.c.fee).where(PREF_FEES.c.delivery_company_id == row.id)),
        key=lambda r: order.get(r[0], 99),
    )
    return CompanyForm(
        name=row.name,
        fee=str(row.fee),
        free_from="" if row.free_shipping_from is None else str(row.free_shipping_from),
        prefecture_fees=[[p, str(f)] for p, f in prefs],
    )


@permissions.setting_change(permissions.SETTINGS_MASTERS, "配送/送料設定", "配送業者を保存")
def save_company(conn: Connection, company_id: int | None, form: CompanyForm) -> int:
    """Creates (company_id None) or updates a company with its prefecture fees, all or nothing."""
    if company_id is not None:
        _company(conn, company_id)
    errors: dict[str, str] = {}
    name = lists.clean_name(form.name, "配送業者名", errors)
    lists.check_unique(conn, COMPANIES, name, "配送業者", errors, exclude_id=company_id)
    fee = lists.parse_yen(form.fee, "基本送料", errors, "fee")
    free_from = lists.parse_yen(form.free_from, "送料無料になる金額", errors, "free_from", optional=True)
    prefs: dict[str, int] = {}
    for n, (pref, raw_fee) in enumerate(form.prefecture_fees, start=1):
        key = f"prefecture_{n}"
        if pref not in PREFECTURES:
            errors[key] = f"都道府県別送料 {n}行目: 都道府県を選択してください。"
            continue
        if pref in prefs:
            errors[key] = f"都道府県別送料 {n}行目: {pref}は既に指定されています。"
            continue
        value = lists.parse_yen(raw_fee, f"都道府県別送料 {n}行目({pref})の送料", errors, key)
        if value is not None:
            prefs[pref] = value
    lists.raise_if(errors)
    values = {"name": name, "fee": fee, "free_shipping_from": free_from}
    try:
        if company_id is None:
            result = conn.execute(
                insert(COMPANIES).values(**values, enabled=True, position=lists.next_position(conn, COMPANIES))
            )
            company_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        else:
            conn.execute(update(COMPANIES).where(COMPANIES.c.id == company_id).values(**values))
    except IntegrityError:
        raise FormError({"name": f"配送業者「{name}」は既に登録されています。"}) from None
    conn.execute(PREF_FEES.delete().where(PREF_FEES.c.delivery_company_id == company_id))
    if prefs:
        conn.execute(
            insert(PREF_FEES),
            [{"delivery_company_id": company_id, "prefecture": p, "fee": f} for p, f in prefs.items()],
        )
    return company_id


@permissions.setting_change(permissions.SETTINGS_MASTERS, "配送/送料設定", "配送業者の有効/無効")
def set_company_enabled(conn: Connection, company_id: int, enabled: bool) -> None:
    row = _company(conn, company_id)
    conn.execute(update(COMPANIES).where(COMPANIES.c.id == row.id).values(enabled=enabled))


@permissions.setting_change(permissions.SETTINGS_MASTERS, "配送/送料設定", "配送業者の並び替え")
def move_company(conn: Connection, company_id: int, where: str) -> None:
    lists.move(conn, COMPANIES, int(company_id), where)


@permissions.setting_change(permissions.SETTINGS_MASTERS, "配送/送料設定", "配送業者を削除")
def delete_company(conn: Connection, company_id: int) -> str:
    row = _company(conn, company_id)
    orders = conn.execute(select(func.count()).where(Order.__table__.c.delivery_company_id == row.id)).scalar_one()
    subs = conn.execute(select(func.count()).where(Subscription.__table__.c.delivery_company_id == row.id)).scalar_one()
    if orders or subs:
        raise FormError(
            {
                "form": f"「{row.name}」は使用中のため削除できません({_usage_text(orders, subs)})。"
                "無効にすると選択肢に表示されなくなります。"
            }
        )
    conn.execute(PREF_FEES.delete().where(PREF_FEES.c.delivery_company_id == row.id))
    conn.execute(COMPANIES.delete().where(COMPANIES.c.id == row.id))
    lists.renumber(conn, COMPANIES, lists.ids_in_order(conn, COMPANIES))
    return str(row.name)


def check_assignable(conn: Connection, company_id: int) -> str | None:
    row = conn.execute(select(COMPANIES.c.enabled).where(COMPANIES.c.id == company_id)).first()
    if row is None:
        return "指定された配送業者が存在しません。"
    if not row.enabled:
        return "指定された配送業者は無効になっています。"
    return None


def _usage_text(orders: int, subs: int) -> str:
    parts = [f"受注 {orders:,}件" if orders else "", f"定期受注 {subs:,}件" if subs else ""]
    return " / ".join(p for p in parts if p)


def _company(conn: Connection, company_id: int):  # type: ignore[no-untyped-def]
    row = conn.execute(select(COMPANIES).where(COMPANIES.c.id == int(company_id))).first()
    if row is None:
        raise lists.not_found("配送業者")
    return row
