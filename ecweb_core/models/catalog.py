from __future__ import annotations

from sqlmodel import Field, SQLModel


class PaymentMethod(SQLModel, table=True):
    __tablename__ = "payment_methods"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)  # credit, np, np_wiz, cod, amazon_pay, bank
    name: str = Field(max_length=64)
    fee: int = 0  # 支払い手数料 when no product overrides it
    position: int = 0


class DeliveryCompany(SQLModel, table=True):
    __tablename__ = "delivery_companies"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    fee: int = 0  # 送料 when no product overrides it
    position: int = 0


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
