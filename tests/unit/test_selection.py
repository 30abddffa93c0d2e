"""The three selection modes of SPEC O5 against a real database."""

from __future__ import annotations

from sqlmodel import Session

from ecweb_core.search import PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.selection import Selection
from ecweb_core.statuses import SHIPPED


def _page_ids(session: Session, sel: Selection, page: int) -> list[int]:
    return [r.id for r in fetch_page(session, sel.filter, PageRequest(page=page, page_size=50))]


def test_all_results_targets_every_match_across_pages(session: Session) -> None:
    sel = Selection(filter=parse_filter({"status_ids": str(SHIPPED)}), all_results=True)
    total = count_orders(session, sel.filter)
    assert total > 50, "needs more than one page"
    assert sel.target_count(session) == total
    targets = {i for (i,) in session.execute(sel.ids_select())}
    every_page = {i for p in range(1, total // 50 + 2) for i in _page_ids(session, sel, p)}
    assert targets == every_page and len(targets) == total
    assert all(sel.is_ticked(i) for i in _page_ids(session, sel, 2))


def test_row_ticks_survive_paging(session: Session) -> None:
    sel = Selection(filter=parse_filter({}))
    first, second = _page_ids(session, sel, 1), _page_ids(session, sel, 2)
    sel.tick(first[0], True)
    sel.tick(first[3], True)
    sel.tick(second[5], True)
    # Back on page 1 the two ticks are still there.
    assert [i for i in _page_ids(session, sel, 1) if sel.is_ticked(i)] == [first[0], first[3]]
    sel.tick(first[3], False)
    assert sel.target_count(session) == 2
    assert {i for (i,) in session.execute(sel.ids_select())} == {first[0], second[5]}


def test_header_checkbox_ticks_the_current_page_only(session: Session) -> None:
    sel = Selection(filter=parse_filter({}))
    first, second = _page_ids(session, sel, 1), _page_ids(session, sel, 2)
    sel.tick(second[0], True)
    sel.tick_page(first, True)
    assert sel.page_fully_ticked(first) and not sel.page_fully_ticked(second)
    assert sel.target_count(session) == 51
    sel.tick_page(first, False)
    assert sel.target_count(session) == 1


def test_header_checkbox_on_a_single_page_equals_all_results(session: Session) -> None:
    # The seed: when the results fit on one page, ticking the page selects the same as 「検索結果全件」.
    f = parse_filter({"customer_name": "佐藤", "status_ids": str(SHIPPED)})
    total = count_orders(session, f)
    assert 0 < total <= 50
    by_page, by_all = Selection(filter=f), Selection(filter=f, all_results=True)
    by_page.tick_page(_page_ids(session, by_page, 1), True)
    ids = lambda s: {i for (i,) in session.execute(s.ids_select())}  # noqa: E731
    assert ids(by_page) == ids(by_all)


def test_clear_forgets_everything(session: Session) -> None:
    sel = Selection(filter=parse_filter({}), all_results=True)
    sel.tick(1, True)
    sel.clear()
    assert sel.target_count(session) == 0
    assert session.execute(sel.ids_select()).first() is None


def test_all_results_snapshot_is_a_select_not_a_list(session: Session) -> None:
    sel = Selection(filter=parse_filter({"status_ids": str(SHIPPED)}), all_results=True)
    compiled = str(sel.ids_select().compile(compile_kwargs={"literal_binds": True}))
    assert "status_id IN (40)" in compiled and "orders.id IN" not in compiled
