"""支払方法: each method's 支払い手数料 — one fee, or a fee per amount range of the 商品小計
(「10,000円以上 440円」). The methods themselves are the ones the payment gateway knows (codes,
statuses.py): the shop sets their fees, not their names. The rules are applied in ecweb_core/fees.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ecweb_core import permissions
from ecweb_core.masters import lists
from ecweb_core.masters.delivery import yen
from ecweb_core.models import PaymentFeeTier, PaymentMethod

METHODS = PaymentMethod.__table__
TIERS = PaymentFeeTier.__table__


@dataclass
class MethodRow:
    id: int
    code: str
    name: str
    fee: str  # 「¥330」: below every tier
    tiers: list[str] = field(default_factory=list)  # 「¥10,000以上 ¥440」


@dataclass
class MethodFeeForm:
    fee: str = ""
    tiers: list[list[str]] = field(default_factory=list)  # [min amount, fee]


def list_methods(conn: Connection) -> list[MethodRow]:
    tiers: dict[int, list[str]] = {}
    for mid, low, fee in conn.execute(
        select(TIERS.c.payment_method_id, TIERS.c.min_amount, TIERS.c.fee).order_by(TIERS.c.min_amount)
    ):
        tiers.setdefault(mid, []).append(f"{yen(low)}以上 {yen(fee)}")
    return [
        MethodRow(id=r.id, code=r.code, name=r.name, fee=yen(r.fee), tiers=tiers.get(r.id, []))
        for r in conn.execute(select(METHODS).order_by(METHODS.c.position, METHODS.c.id))
    ]


def method_fee_form(conn: Connection, method_id: int) -> tuple[str, MethodFeeForm]:
    row = _method(conn, method_id)
    tiers = conn.execute(
        select(TIERS.c.min_amount, TIERS.c.fee).where(TIERS.c.payment_method_id == row.id).order_by(TIERS.c.min_amount)
    )
    return str(row.name), MethodFeeForm(fee=str(row.fee), tiers=[[str(low), str(fee)] for low, fee in tiers])


@permissions.setting_change(permissions.SETTINGS_MASTERS, "支払方法", "手数料を保存")
def save_method_fees(conn: Connection, method_id: int, form: MethodFeeForm) -> None:
    row = _method(conn, method_id)
    errors: dict[str, str] = {}
    fee = lists.parse_yen(form.fee, "支払い手数料", errors, "fee")
    tiers: dict[int, int] = {}
    for n, (raw_low, raw_fee) in enumerate(form.tiers, start=1):
        key = f"tier_{n}"
        low = lists.parse_yen(raw_low, f"金額別手数料 {n}行目の金額", errors, key)
        value = lists.parse_yen(raw_fee, f"金額別手数料 {n}行目の手数料", errors, key + "_fee")
        if low is None or value is None:
            continue
        if low == 0:
            errors[key] = f"金額別手数料 {n}行目: 金額は1円以上で入力してください(0円からは支払い手数料です)。"
        elif low in tiers:
            errors[key] = f"金額別手数料 {n}行目: {yen(low)}以上は既に指定されています。"
        else:
            tiers[low] = value
    lists.raise_if(errors)
    conn.execute(update(METHODS).where(METHODS.c.id == row.id).values(fee=fee))
    conn.execute(TIERS.delete().where(TIERS.c.payment_method_id == row.id))
    if tiers:
        rows = [{"payment_method_id": row.id, "min_amount": low, "fee": f} for low, f in sorted(tiers.items())]
        conn.execute(insert(TIERS), rows)


def _method(conn: Connection, method_id: int):  # type: ignore[no-untyped-def]
    row = conn.execute(select(METHODS).where(METHODS.c.id == int(method_id))).first()
    if row is None:
        raise lists.not_found("支払方法")
    return row
