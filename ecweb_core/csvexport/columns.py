"""Every column a CSV format can hold (CSV管理), and the SQL expression that renders each one as text.

Values are formatted by the database (dates in JST, labels for codes, formula-neutralised text), so
the export loop hands the driver's tuples straight to csv.writer: Python does no per-cell work on
the fast path (bench/csv_export.py). Survey columns are the exception: they are assembled per chunk
in Python from one query (survey exports are small: only パーソナライズ orders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, String, case, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import ColumnElement

from ecweb_core.csvexport.encoding import CP932_EQUIVALENTS
from ecweb_core.models import (
    Customer,
    CustomerMemo,
    DeliveryCompany,
    DunningRecord,
    Label,
    Order,
    OrderItem,
    OrderLabel,
    OrderMemo,
    OrderStatus,
    PaymentMethod,
    Product,
    Subscription,
    SubscriptionMemo,
)
from ecweb_core.statuses import PAYMENT_STATUSES, SUBSCRIPTION_STATUSES

OC, C, S = Order.__table__.c, Customer.__table__.c, Subscription.__table__.c
IC, P = OrderItem.__table__.c, Product.__table__.c
PM, DC, ST = PaymentMethod.__table__.c, DeliveryCompany.__table__.c, OrderStatus.__table__.c

GROUPS = {"order": "受注", "item": "受注商品", "customer": "顧客", "subscription": "定期受注", "survey": "アンケート"}
_FORMULA_FIRST = ("=", "+", "-", "@", "\t", "\r")
# Checked against the text as stored, but the file holds it after the encoding: a character the
# Shift_JIS mapping turns into a formula start (– → -) or removes (U+200B, U+FEFF, exposing the next
# one) counts as a formula start too, as do the full-width forms. So the check holds after every
# transformation, in every encoding (issue 20).
FORMULA_STARTS = (
    *_FORMULA_FIRST,
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # ＝ ＋ － ＠
    *sorted(ch for ch, to in CP932_EQUIVALENTS.items() if to == "" or to.startswith(_FORMULA_FIRST)
            or to in ("\uff1d", "\uff0b", "\uff0d", "\uff20")),
)  # fmt: skip
SURVEY_QUESTION_PREFIX = "survey.q:"


@dataclass(frozen=True)
class Dialect:
    """The few SQL spellings that differ between SQLite and PostgreSQL."""

    name: str

    def datetime_jst(self, col: Any) -> ColumnElement[Any]:
        if self.name == "postgresql":
            return func.to_char(func.timezone("Asia/Tokyo", col), "YYYY/MM/DD HH24:MI")
        # Stored as UTC text; + 9/24 day on the Julian day number is ~2x faster than a '+9 hours' modifier.
        return func.strftime("%Y/%m/%d %H:%M", func.julianday(col) + 0.375)

    def date(self, col: Any) -> ColumnElement[Any]:
        if self.name == "postgresql":
            return func.to_char(col, "YYYY/MM/DD")
        return func.replace(col, "-", "/")

    def agg(self, expr: Any, sep: str, order_by: Any) -> ColumnElement[Any]:
        """Joins the values of a correlated group; SQLite reads them in index (= id) order."""
        if self.name == "postgresql":
            return func.string_agg(expr, aggregate_order_by(literal(sep), order_by))
        return func.group_concat(expr, literal(sep))


def neutralise(expr: Any) -> ColumnElement[Any]:
    """A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets a leading '."""
    return case((func.substr(expr, 1, 1).in_(FORMULA_STARTS), literal("'").op("||")(expr)), else_=expr)


def _q(sql: str) -> Any:
    return literal_column(sql)  # constant SQL text, not a bind parameter per cell


QUOTE, NO_TEXT, APOSTROPHE = _q("'\"'"), _q("''"), _q("''''")


def csv_text(expr: Any) -> ColumnElement[Any]:
    """A text cell rendered by the database as a quoted CSV field, formula-neutralised, NULL -> empty:
    '"' || [''''] || replace(x, '"', '""') || '"'. Every text cell is quoted: valid CSV whatever it
    holds, with one test per cell fewer than minimal quoting would need."""
    guard = case((func.substr(expr, 1, 1).in_(FORMULA_STARTS), APOSTROPHE), else_=NO_TEXT)
    body = func.replace(expr, QUOTE, _q("'\"\"'"))
    return func.coalesce(QUOTE.op("||")(guard).op("||")(body).op("||")(QUOTE), NO_TEXT)


@dataclass(frozen=True)
class CsvCell:
    """One column as a finished CSV field: how SQLite's printf renders it (format piece and its
    arguments) and the equivalent concatenated expression (PostgreSQL)."""

    piece: str
    args: tuple[Any, ...]
    expr: Any


# SQLite 3.40's default SQLITE_MAX_FUNCTION_ARG is 127: a long line is several printf calls.
PRINTF_ARGS = 120
FORMULA_CODES = tuple(ord(c) for c in FORMULA_STARTS)
QUOTE_APOSTROPHE = _q("'\"'''")  # the opening quote of a neutralised cell: "'


def text_cell(expr: Any) -> CsvCell:
    if not isinstance(expr, Column):
        # A subquery would run once per argument: keep the one-expression form.
        return CsvCell("%s", (csv_text(expr),), csv_text(expr))
    # "%w" doubles the double quotes; the opening quote carries the apostrophe of a neutralised formula,
    # and NULL stays an empty, unquoted field as in the PostgreSQL form.
    opening = case((func.unicode(expr).in_(FORMULA_CODES), QUOTE_APOSTROPHE), (expr.is_(None), NO_TEXT), else_=QUOTE)
    closing = case((expr.is_(None), NO_TEXT), else_=QUOTE)
    return CsvCell("%s%w%s", (opening, func.ifnull(expr, NO_TEXT), closing), csv_text(expr))


def plain_cell(expr: Any) -> CsvCell:
    # Numbers, dates and fixed vocabularies hold no comma, quote or line break, and no formula.
    return CsvCell("%s", (expr,), func.coalesce(cast(expr, String), NO_TEXT))


def csv_line(cells: list[CsvCell], d: Dialect) -> ColumnElement[Any]:
    """The cells joined with commas into one CSV line (without its line end). On SQLite one printf
    call renders the whole line: `a || ',' || b || …` copies the growing line at every operator."""
    if d.name != "sqlite":
        line = cells[0].expr
        for cell in cells[1:]:
            line = line.op("||")(_q("','")).op("||")(cell.expr)
        return line
    calls: list[Any] = []
    pieces: list[str] = []
    args: list[Any] = []
    for i, cell in enumerate(cells):
        if len(args) + len(cell.args) > PRINTF_ARGS:
            calls.append(_printf(pieces, args))
            pieces, args = [], []
        pieces.append(("," if i else "") + cell.piece)
        args.extend(cell.args)
    calls.append(_printf(pieces, args))
    line = calls[0]
    for call in calls[1:]:
        line = line.op("||")(call)
    return line


def _printf(pieces: list[str], args: list[Any]) -> Any:
    return func.printf(_q("'" + "".join(pieces) + "'"), *args)


def neutralise_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


Builder = Callable[[Dialect], Any]


@dataclass(frozen=True)
class ColumnDef:
    key: str
    label: str  # the default header
    source: str  # order | item | customer | subscription | survey (which joins it needs)
    build: Builder | None  # None: assembled in Python (survey)
    text: bool = False  # operator- or customer-typed text: neutralised against formulas

    @property
    def group(self) -> str:
        return GROUPS[self.source]

    def expression(self, d: Dialect) -> Any:
        assert self.build is not None
        expr = self.build(d)
        return neutralise(expr) if self.text else expr

    def csv_cell(self, d: Dialect) -> CsvCell:
        """This column as a finished CSV field, rendered by the database."""
        assert self.build is not None
        expr = self.build(d)
        return text_cell(expr) if self.text else plain_cell(expr)


def _yes_no(col: Any, yes: str, no: str) -> Builder:
    return lambda d: case((col.is_(True), yes), else_=no)


def _labels(d: Dialect) -> Any:
    ol, lb = OrderLabel.__table__.c, Label.__table__.c
    joined = OrderLabel.__table__.join(Label.__table__, ol.label_id == lb.id)
    return select(d.agg(lb.name, " ", lb.name)).select_from(joined).where(ol.order_id == OC.id).scalar_subquery()


def _items_summary(d: Dialect) -> Any:
    it = OrderItem.__table__.alias("its")
    line = it.c.product_name + literal(" ×") + cast(it.c.quantity, String)
    return select(d.agg(line, " / ", it.c.id)).where(it.c.order_id == OC.id).scalar_subquery()


def _item_count(d: Dialect) -> Any:
    it = OrderItem.__table__.alias("itc")
    return select(func.coalesce(func.sum(it.c.quantity), 0)).where(it.c.order_id == OC.id).scalar_subquery()


def _map(col: Any, mapping: dict[str, str]) -> Builder:
    return lambda d: case(mapping, value=col, else_=col)


def _col(col: Any) -> Builder:
    return lambda d: col


def _dt(col: Any) -> Builder:
    return lambda d: d.datetime_jst(col)


def _date(col: Any) -> Builder:
    return lambda d: d.date(col)


def _cycle(d: Dialect) -> Any:
    unit = case((S.cycle_kind == "days", "日ごと"), (S.cycle_kind == "weeks", "週ごと"), else_="ヶ月ごと")
    return case((S.id.is_(None), None), else_=cast(S.cycle_count, String) + unit)


MEMO_SEP = "\n"  # all memos of one record in one cell, oldest first, a line each


def _memo(model: Any, owner: str, owner_col: Any, latest: bool) -> Builder:
    """受注メモ / 顧客メモ / 定期受注メモ of the row's order, customer or subscription: the newest one,
    or all of them in one cell."""

    def build(d: Dialect) -> Any:
        m = model.__table__.alias(f"m_{owner}_{'l' if latest else 'a'}")
        mine = m.c[owner] == owner_col
        if latest:
            return select(m.c.body).where(mine).order_by(m.c.id.desc()).limit(1).scalar_subquery()
        return select(d.agg(m.c.body, MEMO_SEP, m.c.id)).where(mine).scalar_subquery()

    return build


def _dunning(what: str) -> Builder:
    """The order's latest 督促: when it was registered, or its 支払期限."""

    def build(d: Dialect) -> Any:
        r = DunningRecord.__table__.alias(f"dun_{what}")
        col = r.c.created_at if what == "at" else r.c.due_date
        latest = select(col).where(r.c.order_id == OC.id).order_by(r.c.id.desc()).limit(1).scalar_subquery()
        return d.datetime_jst(latest) if what == "at" else d.date(latest)

    return build


_DEFS: list[ColumnDef] = [
    # 受注
    ColumnDef("order.id", "受注ID", "order", _col(OC.id)),
    ColumnDef("order.number", "受注番号", "order", _col(OC.number), text=True),
    ColumnDef("order.ordered_at", "受注日時", "order", _dt(OC.ordered_at)),
    ColumnDef("order.type", "受注種別", "order", lambda d: case((OC.subscription_id.is_(None), "通常"), else_="定期")),
    ColumnDef("order.status", "対応状況", "order", _col(ST.name), text=True),
    ColumnDef("order.payment_status", "決済状況", "order", _map(OC.payment_status, PAYMENT_STATUSES)),
    ColumnDef("order.payment_method", "支払方法", "order", _col(PM.name), text=True),
    ColumnDef("order.delivery_company", "配送業者", "order", _col(DC.name), text=True),
    ColumnDef("order.tracking_number", "配送伝票番号", "order", _col(OC.tracking_number), text=True),
    ColumnDef("order.scheduled_ship_date", "発送予定日", "order", _date(OC.scheduled_ship_date)),
    ColumnDef("order.shipped_at", "発送完了日", "order", _dt(OC.shipped_at)),
    ColumnDef("order.scheduled_delivery_date", "配送予定日", "order", _date(OC.scheduled_delivery_date)),
    ColumnDef("order.delivered_at", "配送完了日", "order", _dt(OC.delivered_at)),
    ColumnDef("order.paid_at", "入金日", "order", _dt(OC.paid_at)),
    ColumnDef("order.shipping_list", "出荷リスト", "order", _yes_no(OC.shipping_list_exported, "出力済", "未出力")),
    ColumnDef("order.shipping_list_exported_at", "出荷リスト出力日", "order", _dt(OC.shipping_list_exported_at)),
    ColumnDef("order.needs_attention", "要対応", "order", _yes_no(OC.needs_attention, "要対応", "")),
    ColumnDef("order.attention_reason", "要対応理由", "order", _col(OC.attention_reason), text=True),
    ColumnDef("order.labels", "受注ラベル", "order", _labels, text=True),
    ColumnDef("order.items_summary", "商品(まとめ)", "order", _items_summary, text=True),
    ColumnDef("order.item_count", "商品点数", "order", _item_count),
    ColumnDef("order.subtotal", "小計", "order", _col(OC.subtotal)),
    ColumnDef("order.shipping_fee", "送料", "order", _col(OC.shipping_fee)),
    ColumnDef("order.payment_fee", "支払手数料", "order", _col(OC.payment_fee)),
    ColumnDef("order.points_used", "利用ポイント", "order", _col(OC.points_used)),
    ColumnDef("order.points_granted", "付与ポイント", "order", _col(OC.points_granted)),
    ColumnDef("order.total", "合計金額", "order", _col(OC.total)),
    ColumnDef("order.np_transaction_id", "NP取引ID", "order", _col(OC.np_transaction_id), text=True),
    ColumnDef("order.created_at", "作成日時", "order", _dt(OC.created_at)),
    ColumnDef("order.updated_at", "更新日時", "order", _dt(OC.updated_at)),
    ColumnDef("order.memo_latest", "受注メモ(最新)", "order", _memo(OrderMemo, "order_id", OC.id, True), text=True),
    ColumnDef("order.memo_all", "受注メモ(すべて)", "order", _memo(OrderMemo, "order_id", OC.id, False), text=True),
    ColumnDef("order.dunning_latest_at", "最新の督促日時", "order", _dunning("at")),
    ColumnDef("order.dunning_due_date", "支払期限(最新の督促)", "order", _dunning("due")),
    # 受注商品 (受注明細単位 only)
    ColumnDef("item.id", "受注商品ID", "item", _col(IC.id)),
    ColumnDef("item.product_code", "商品コード", "item", _col(P.code), text=True),
    ColumnDef("item.product_name", "商品名", "item", _col(IC.product_name), text=True),
    ColumnDef("item.unit_price", "単価", "item", _col(IC.unit_price)),
    ColumnDef("item.quantity", "数量", "item", _col(IC.quantity)),
    ColumnDef("item.amount", "金額", "item", lambda d: IC.unit_price * IC.quantity),
    # 顧客
    ColumnDef("customer.id", "顧客ID", "customer", _col(C.id)),
    ColumnDef("customer.name", "氏名", "customer", _col(C.name), text=True),
    ColumnDef("customer.kana", "フリガナ", "customer", _col(C.kana), text=True),
    ColumnDef("customer.email", "メールアドレス", "customer", _col(C.email), text=True),
    ColumnDef("customer.phone", "電話番号", "customer", _col(C.phone), text=True),
    ColumnDef("customer.postal_code", "郵便番号", "customer", _col(C.postal_code), text=True),
    ColumnDef("customer.prefecture", "都道府県", "customer", _col(C.prefecture), text=True),
    ColumnDef("customer.address", "住所", "customer", _col(C.address), text=True),
    ColumnDef("customer.mail_opt_in", "メール配信", "customer", _yes_no(C.mail_opt_in, "送信する", "送信しない")),
    ColumnDef("customer.blacklisted", "ブラックリスト", "customer", _yes_no(C.blacklisted, "はい", "いいえ")),
    ColumnDef("customer.blacklist_reason", "ブラックリスト理由", "customer", _col(C.blacklist_reason), text=True),
    ColumnDef("customer.points_balance", "保有ポイント", "customer", _col(C.points_balance)),
    ColumnDef(
        "customer.memo_latest", "顧客メモ(最新)", "customer", _memo(CustomerMemo, "customer_id", C.id, True), text=True
    ),
    ColumnDef(
        "customer.memo_all", "顧客メモ(すべて)", "customer", _memo(CustomerMemo, "customer_id", C.id, False), text=True
    ),
    # 定期受注
    ColumnDef("subscription.id", "定期受注ID", "subscription", _col(S.id)),
    ColumnDef("subscription.status", "ステータス(定期)", "subscription", _map(S.status, SUBSCRIPTION_STATUSES)),
    ColumnDef("subscription.status_reason", "停止・キャンセル理由", "subscription", _col(S.status_reason), text=True),
    ColumnDef("subscription.cycle", "お届け周期", "subscription", _cycle),
    ColumnDef("subscription.next_ship_date", "次回発送予定日", "subscription", _date(S.next_ship_date)),
    ColumnDef("subscription.next_delivery_date", "次回配送予定日", "subscription", _date(S.next_delivery_date)),
    ColumnDef("subscription.delivery_count", "定期回数", "subscription", _col(S.delivery_count)),
    ColumnDef("subscription.needs_attention", "要対応(定期)", "subscription", _yes_no(S.needs_attention, "要対応", "")),
    ColumnDef("subscription.attention_reason", "要対応理由(定期)", "subscription", _col(S.attention_reason), text=True),
    ColumnDef(
        "subscription.memo_latest",
        "定期受注メモ(最新)",
        "subscription",
        _memo(SubscriptionMemo, "subscription_id", S.id, True),
        text=True,
    ),
    ColumnDef(
        "subscription.memo_all",
        "定期受注メモ(すべて)",
        "subscription",
        _memo(SubscriptionMemo, "subscription_id", S.id, False),
        text=True,
    ),
    # アンケート (アンケート結果CSV formats only)
    ColumnDef("survey.answers", "アンケート回答", "survey", None),
    ColumnDef("survey.count", "回答数", "survey", None),
    ColumnDef("survey.answered_at", "回答日時", "survey", None),
]
COLUMNS: dict[str, ColumnDef] = {c.key: c for c in _DEFS}


def column_def(key: str) -> ColumnDef | None:
    """The definition of a key; a survey question column (survey.q:<質問>) is made on the fly."""
    if key.startswith(SURVEY_QUESTION_PREFIX):
        question = key[len(SURVEY_QUESTION_PREFIX) :]
        return ColumnDef(key, question, "survey", None) if question else None
    return COLUMNS.get(key)


def allowed_sources(purpose: str, unit: str) -> set[str]:
    sources = {"order", "customer", "subscription"}
    if unit == "item":
        sources.add("item")
    if purpose == "survey":
        sources.add("survey")
    return sources
