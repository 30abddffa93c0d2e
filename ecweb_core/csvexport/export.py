"""Rendering one chunk of orders as CSV bytes with a format: one SELECT, csv.writer, one encode.

Memory is bounded by the chunk: the runner hands 1,000–5,000 order ids at a time and the bytes go
to the job's file before the next chunk is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection

from ecweb_core.csvexport.columns import (
    IC,
    OC,
    SURVEY_QUESTION_PREFIX,
    C,
    Dialect,
    S,
    column_def,
    csv_line,
    neutralise_text,
)
from ecweb_core.csvexport.encoding import BOM, CharReport, encode_chunk, encode_row
from ecweb_core.csvexport.formats import FormatSpec
from ecweb_core.models import (
    Customer,
    DeliveryCompany,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    Product,
    Subscription,
    SurveyAnswer,
)
from ecweb_core.models.common import fmt_jst
from ecweb_core.outcomes import Outcome
from ecweb_core.sqlutil import in_ids

NOT_FOUND = "受注が見つかりません。"
NO_ITEMS = "受注商品がないため出力していません。"
NO_SURVEY = "アンケート回答がないため出力していません。"
CRLF = literal_column("'\r\n'")  # constant SQL text, not a bind parameter


@dataclass
class ChunkResult:
    data: bytes
    rows: int
    outcomes: dict[int, Outcome]
    exported: list[int]  # orders with at least one row in the file
    report: CharReport = field(default_factory=CharReport)


def header_bytes(spec: FormatSpec, encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerow([neutralise_text(label) for _, label in spec.columns])
    data, _ = encode_row(buf.getvalue()) if encoding == "cp932" else (buf.getvalue().encode("utf-8"), [])
    return (BOM if encoding == "utf-8-sig" else b"") + data


def build_select(spec: FormatSpec, dialect: str) -> tuple[Select[Any], int, list[tuple[str, Any]]]:
    # Built once per format and database, not per chunk (the expression tree of 20 columns is big).
    return _build_select(spec.unit, tuple(spec.columns), dialect)


@lru_cache(maxsize=64)
def _build_select(unit: str, columns: tuple[tuple[str, str], ...], dialect: str) -> Any:
    """The chunk's SELECT (hidden order id, number[, item id] first), how many columns are hidden, and
    the plan: for each output column ("sql", index in the row) or ("survey", key).

    When every column is SQL (all but survey formats) the plan is [("line", n)]: the database renders
    the whole CSV line as one text value, so Python handles one string per row instead of 20 cells."""
    d = Dialect(dialect)
    hidden: list[Any] = [OC.id, OC.number] + ([IC.id] if unit == "item" else [])
    cols = [column_def(key) for key, _ in columns]
    sources = {c.source for c in cols if c is not None}
    order_by = hidden[:1] + hidden[2:]
    from_ = _joins(unit, columns, sources)
    if all(c is not None and c.build is not None for c in cols):
        line = csv_line([c.csv_cell(d) for c in cols if c is not None], d).label("line")
        return select(*hidden, line).select_from(from_).order_by(*order_by), len(hidden), [("line", len(hidden))]
    exprs: list[Any] = []
    plan: list[tuple[str, Any]] = []
    for col in cols:
        if col is None:
            plan.append(("const", ""))
        elif col.build is None:
            plan.append(("survey", col.key))
        else:
            plan.append(("sql", len(hidden) + len(exprs)))
            exprs.append(col.expression(d).label(f"c{len(exprs)}"))
    if not exprs:
        exprs.append(literal(None).label("c0"))  # survey-only formats still need a row per order
    return select(*hidden, *exprs).select_from(from_).order_by(*order_by), len(hidden), plan


def _joins(unit: str, columns: tuple[tuple[str, str], ...], sources: set[str]) -> Any:
    t = Order.__table__
    keys = {k for k, _ in columns}
    if "customer" in sources:
        t = t.join(Customer.__table__, C.id == OC.customer_id)
    if "subscription" in sources:
        t = t.outerjoin(Subscription.__table__, S.id == OC.subscription_id)
    if "order.status" in keys:
        t = t.join(OrderStatus.__table__, OrderStatus.__table__.c.id == OC.status_id)
    if "order.payment_method" in keys:
        t = t.join(PaymentMethod.__table__, PaymentMethod.__table__.c.id == OC.payment_method_id)
    if "order.delivery_company" in keys:
        t = t.join(DeliveryCompany.__table__, DeliveryCompany.__table__.c.id == OC.delivery_company_id)
    if unit == "item":
        t = t.outerjoin(OrderItem.__table__, IC.order_id == OC.id)
        if "item.product_code" in keys:
            t = t.outerjoin(Product.__table__, Product.__table__.c.id == IC.product_id)
    return t


def render_chunk(conn: Connection, spec: FormatSpec, encoding: str, order_ids: list[int]) -> ChunkResult:
    query, n_hidden, plan = build_select(spec, conn.dialect.name)
    if plan[0][0] == "line" and spec.unit == "order":
        whole = _render_whole(conn, query, encoding, order_ids)
        if whole is not None:
            return whole
    rows = conn.execute(query.where(in_ids(conn, OC.id, order_ids))).all()
    survey = _survey(conn, order_ids) if any(kind == "survey" for kind, _ in plan) else None
    lines, numbers, outcomes = _lines(rows, n_hidden, plan, spec, survey)
    for oid in order_ids:
        outcomes.setdefault(oid, ("failed", NOT_FOUND))
    if plan[0][0] == "line":
        text = "".join(f"{line}\r\n" for line in lines)
    else:
        buf = io.StringIO()
        csv.writer(buf).writerows(lines)
        text = buf.getvalue()
    data = encode_chunk(text, encoding)
    result = ChunkResult(b"", len(lines), outcomes, sorted({oid for oid, _ in numbers}))
    if data is not None:
        result.data = data
        return result
    result.data = _encode_rows(lines, numbers, outcomes, result.report)
    return result


def _render_whole(conn: Connection, query: Select[Any], encoding: str, order_ids: list[int]) -> ChunkResult | None:
    """The common case (per order, every column SQL): the database hands back the chunk's whole text
    and its order ids as one row, so Python does no per-row work at all. None when the chunk holds a
    character cp932 lacks: the row path then reports each replacement against its order."""
    sub = query.where(in_ids(conn, OC.id, order_ids)).subquery()
    if conn.dialect.name == "postgresql":
        agg = select(
            func.array_agg(aggregate_order_by(sub.c.id, sub.c.id)),
            func.string_agg(sub.c.line.op("||")(CRLF), aggregate_order_by(literal(""), sub.c.id)),
        )
    else:  # the ordered subquery is not flattened into an aggregate: rows arrive in id order
        agg = select(func.json_group_array(sub.c.id), func.group_concat(sub.c.line.op("||")(CRLF), literal("")))
    ids_value, text = conn.execute(agg).one()
    data = encode_chunk(text or "", encoding)
    if data is None:
        return None
    found = [int(i) for i in (json.loads(ids_value) if isinstance(ids_value, str) else ids_value or [])]
    outcomes: dict[int, Outcome] = dict.fromkeys(order_ids, ("failed", NOT_FOUND))
    outcomes.update(dict.fromkeys(found, ("ok", None)))
    return ChunkResult(data, len(found), outcomes, sorted(found))


def _lines(
    rows: Sequence[Any],
    n_hidden: int,
    plan: list[tuple[str, Any]],
    spec: FormatSpec,
    survey: dict[int, list[tuple[int | None, str, str, Any]]] | None,
) -> tuple[list[Any], list[tuple[int, str]], dict[int, Outcome]]:
    """The output lines (finished text from the database, or cells for csv.writer), each line's
    (order id, number), and the outcome of every order found."""
    outcomes: dict[int, Outcome] = {}
    lines: list[Any] = []
    numbers: list[tuple[int, str]] = []
    item = spec.unit == "item"
    line_at = plan[0][1] if plan[0][0] == "line" else None
    for r in rows:
        oid = r[0]
        if item and r[2] is None:
            outcomes.setdefault(oid, ("skipped", NO_ITEMS))
            continue
        if survey is not None:
            answers = [a for a in survey.get(oid, []) if not item or a[0] is None or a[0] == r[2]]
            if not answers:
                outcomes.setdefault(oid, ("skipped", NO_SURVEY))
                continue
        else:
            answers = []
        outcomes[oid] = ("ok", None)
        numbers.append((oid, r[1]))
        lines.append(r[line_at] if line_at is not None else [_cell(r, kind, ref, answers) for kind, ref in plan])
    return lines, numbers, outcomes


def _cell(row: Any, kind: str, ref: Any, answers: list[tuple[int | None, str, str, Any]]) -> Any:
    if kind == "sql":
        return row[ref]
    if kind == "const":
        return ref
    if ref == "survey.count":
        return len(answers)
    if ref == "survey.answered_at":
        return fmt_jst(max(a[3] for a in answers)) if answers else ""
    if ref == "survey.answers":
        return neutralise_text(" / ".join(f"{q}: {a}" for _, q, a, _ in answers))
    question = ref[len(SURVEY_QUESTION_PREFIX) :]
    return neutralise_text(" / ".join(a for _, q, a, _ in answers if q == question))


def _survey(conn: Connection, order_ids: list[int]) -> dict[int, list[tuple[int | None, str, str, Any]]]:
    sa = SurveyAnswer.__table__.c
    out: dict[int, list[tuple[int | None, str, str, Any]]] = defaultdict(list)
    q = select(sa.order_id, sa.order_item_id, sa.question, sa.answer, sa.created_at).order_by(sa.id)
    for oid, item_id, question, answer, created in conn.execute(q.where(in_ids(conn, sa.order_id, order_ids))):
        out[oid].append((item_id, question, answer, created))
    return out


def _encode_rows(
    lines: Iterable[Any], numbers: list[tuple[int, str]], outcomes: dict[int, Outcome], report: CharReport
) -> bytes:
    """The slow path, only for a chunk holding a character cp932 lacks: row by row, so each change is
    counted against its order (per-order message in the result CSV, job-level report)."""
    out = bytearray()
    per_order: dict[int, CharReport] = {}
    buf = io.StringIO()
    writer = csv.writer(buf)
    for line, (oid, number) in zip(lines, numbers, strict=True):
        if isinstance(line, str):
            data, hits = encode_row(line + "\r\n")
        else:
            buf.seek(0)
            buf.truncate()
            writer.writerow(line)
            data, hits = encode_row(buf.getvalue())
        out += data
        for ch, to in hits:
            report.add(ch, to, number)
            per_order.setdefault(oid, CharReport()).add(ch, to, number)
    for oid, rep in per_order.items():
        outcomes[oid] = ("ok", rep.order_message())
    return bytes(out)
