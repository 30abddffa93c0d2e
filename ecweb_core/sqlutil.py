"""SQL helpers for the bulk paths."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement


def in_ids(conn: Connection, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN (ids)` as ONE bind parameter: a chunk of 1,000 ids otherwise costs SQLAlchemy
    1,000 parameters to expand in every statement of the chunk (measured: ~1 ms each)."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    values = func.json_each(bindparam(None, json.dumps(list(ids)))).table_valued("value")
    return column.in_(select(values.c.value))


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column` contains `text` literally (the operator's % and _ are not wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
