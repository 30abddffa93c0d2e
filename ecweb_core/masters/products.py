"""商品別の送料・支払い手数料: a product's own fee, which wins over the company's / method's
(ecweb_core/fees.py). Empty means the product has none. Paged: a shop may have thousands of products."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection

from ecweb_core import permissions
from ecweb_core.errors import FormError
from ecweb_core.masters import lists
from ecweb_core.masters.delivery import yen
from ecweb_core.models import Product

PRODUCTS = Product.__table__
FEE_KINDS = {"shipping": ("shipping_fee", "商品別送料"), "payment": ("payment_fee", "商品別支払い手数料")}
NONE = "設定なし"


@dataclass
class ProductFeeRow:
    id: int
    code: str
    name: str
    price: str
    fee: str  # 「¥0」 or 設定なし
    raw: str  # the fee as the edit field shows it ("" when none)


def list_product_fees(
    conn: Connection, kind: str, query: str = "", page: int = 1, size: int = 50
) -> tuple[list[ProductFeeRow], int]:
    column = PRODUCTS.c[_kind(kind)[0]]
    where = []
    if q := query.strip():
        like = f"%{q.replace('%', '').replace('_', '')}%"
        where.append(or_(PRODUCTS.c.code.like(like), PRODUCTS.c.name.like(like)))
    total = int(conn.execute(select(func.count()).select_from(PRODUCTS).where(*where)).scalar_one())
    rows = conn.execute(
        select(PRODUCTS.c.id, PRODUCTS.c.code, PRODUCTS.c.name, PRODUCTS.c.price, column)
        .where(*where)
        .order_by(PRODUCTS.c.code, PRODUCTS.c.id)
        .limit(size)
        .offset((max(1, page) - 1) * size)
    )
    return [
        ProductFeeRow(
            id=i,
            code=code,
            name=name,
            price=yen(price),
            fee=NONE if fee is None else yen(fee),
            raw="" if fee is None else str(fee),
        )
        for i, code, name, price, fee in rows
    ], total


@permissions.setting_change(permissions.SETTINGS_MASTERS, "商品手数料", "保存")
def set_product_fee(conn: Connection, kind: str, product_id: int, raw: str) -> int | None:
    """Sets (or, with an empty value, removes) the product's own fee of `kind`; returns it."""
    column, label = _kind(kind)
    errors: dict[str, str] = {}
    fee = lists.parse_yen(raw, label, errors, "fee", optional=True)
    lists.raise_if(errors)
    result = conn.execute(update(PRODUCTS).where(PRODUCTS.c.id == int(product_id)).values({column: fee}))
    if result.rowcount == 0:
        raise lists.not_found("商品")
    return fee


def _kind(kind: str) -> tuple[str, str]:
    if kind not in FEE_KINDS:
        raise FormError({"kind": "手数料の種類が正しくありません。"})
    return FEE_KINDS[kind]
