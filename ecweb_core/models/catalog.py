from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class PaymentMethod(SQLModel, table=True):
    """支払方法. The methods are the ones the payment gateway knows (codes); the shop sets their fees."""

    __tablename__ = "payment_methods"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # credit, np, np_wiz, cod, amazon_pay, bank
    name: str = Field(max_length=64)
    fee: int = 0  # 支払い手数料 below the lowest amount tier, when no product overrides it
    position: int = 0


class PaymentFeeTier(SQLModel, table=True):
    """支払い手数料 by amount: from `min_amount` yen of 商品小計 upward the fee is `fee` (the highest
    tier reached wins; below every tier the method's own fee applies)."""

    __tablename__ = "payment_fee_tiers"
    __table_args__ = (UniqueConstraint("payment_method_id", "min_amount", name="uq_payment_fee_tier"),)
    id: int | None = Field(default=None, primary_key=True)
    payment_method_id: int = Field(foreign_key="payment_methods.id", index=True)
    min_amount: int
    fee: int


class DeliveryCompany(SQLModel, table=True):
    __tablename__ = "delivery_companies"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    fee: int = 0  # 基本送料 when no product overrides it and no prefecture has its own
    position: int = 0
    enabled: bool = True  # a disabled company is no longer offered for new changes
    free_shipping_from: int | None = None  # 送料無料: 商品小計 from this amount ships for 0


class PrefectureShippingFee(SQLModel, table=True):
    """都道府県別送料: a company's fee to one prefecture (the customer's), instead of its 基本送料."""

    __tablename__ = "delivery_prefecture_fees"
    delivery_company_id: int = Field(foreign_key="delivery_companies.id", primary_key=True)
    prefecture: str = Field(max_length=10, primary_key=True)
    fee: int


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    price: int
    payment_fee: int | None = None  # a product's own fee wins over the method's
    shipping_fee: int | None = None  # a product's own fee wins over the company's
    # 消費税率 (%): 10, or the reduced 8 for food and drink (supplements included). Prices are tax-inclusive.
    tax_rate: int = Field(default=10, sa_column_kwargs={"server_default": "10"})


class ProductPrice(SQLModel, table=True):
    """A subscription's price of a product from its Nth delivery on (初回 = 1, 2回目以降 = 2 …);
    without a row the product's own price applies."""

    __tablename__ = "product_prices"
    __table_args__ = (UniqueConstraint("product_id", "from_count", name="uq_product_prices_count"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    from_count: int = 1
    price: int


class ProductBundle(SQLModel, table=True):
    """同梱品: an item added free to the Nth delivery of a subscription of the product."""

    __tablename__ = "product_bundles"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    delivery_count: int
    bundled_product_id: int = Field(foreign_key="products.id")
    quantity: int = 1
