"""The three selection modes of SPEC O5, and how many orders the next job would touch.

- 検索結果すべてを処理対象にする: the search condition itself (never a list of ids);
- row checkboxes: ids ticked by hand, kept across pages;
- header checkbox: the ids of the current page, added to the ticked ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session

from ecweb_core.models import Order
from ecweb_core.search import OrderFilter, count_orders, order_ids_select


@dataclass
class Selection:
    filter: OrderFilter = field(default_factory=OrderFilter)
    all_results: bool = False
    ticked: set[int] = field(default_factory=set)

    def tick(self, order_id: int, on: bool) -> None:
        (self.ticked.add if on else self.ticked.discard)(order_id)

    def tick_page(self, page_ids: list[int], on: bool) -> None:
        """The header checkbox: ticks (or unticks) every row of the current page."""
        if on:
            self.ticked.update(page_ids)
        else:
            self.ticked.difference_update(page_ids)

    def is_ticked(self, order_id: int) -> bool:
        return self.all_results or order_id in self.ticked

    def page_fully_ticked(self, page_ids: list[int]) -> bool:
        return bool(page_ids) and all(self.is_ticked(i) for i in page_ids)

    def clear(self) -> None:
        self.all_results = False
        self.ticked.clear()

    def target_count(self, session: Session) -> int:
        if self.all_results:
            return count_orders(session, self.filter)
        return len(self.ticked)

    def ids_select(self) -> Select[Any]:
        """The target order ids as one SELECT, for INSERT … SELECT into a job's targets."""
        if self.all_results:
            return order_ids_select(self.filter)
        o = Order.__table__.c
        return select(o.id).where(o.id.in_(sorted(self.ticked)))
