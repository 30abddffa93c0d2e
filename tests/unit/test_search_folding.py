"""Search finds Japanese text as operators type it (issue 18, item 6), on both databases:
the stored customer keys and the folded search terms, through the grid's own count and page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ecweb_core.customers import count_customers
from ecweb_core.demo import generate
from ecweb_core.migrate import alembic_config, upgrade
from ecweb_core.models import Customer, Order
from ecweb_core.search import FilterError, PageRequest, count_orders, fetch_page, parse_filter
from ecweb_core.textfold import customer_keys, email_key, name_key, name_query, phone_digits
from tests.conftest import DEMO_NOW
from tests.dbs import backends, fresh_database

C = Customer.__table__.c


def test_folding_rules() -> None:
    assert name_query("佐藤　美咲") == name_query("佐藤 美咲") == name_query("佐藤美咲") == "佐藤美咲"
    assert name_query("ｻﾄｳ ﾐｻｷ") == name_query("さとう　みさき") == name_query("サトウミサキ") == "サトウミサキ"
    assert name_query("ＳＡＴＯ") == "sato"
    assert name_key("佐藤 美咲", "サトウ ミサキ") == "佐藤美咲 サトウミサキ"
    assert phone_digits("０９０－１２３４－５６７８") == phone_digits("090-1234-5678") == "09012345678"
    assert phone_digits("090‐1234ー5678") == "09012345678"  # the hyphens an IME gives
    assert (
        email_key(" Customer1@Example.JP ")
        == email_key("ｃｕｓｔｏｍｅｒ１＠ｅｘａｍｐｌｅ．ｊｐ")
        == "customer1@example.jp"
    )


@pytest.fixture(scope="module", params=backends())
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as e:
        generate(e, 400, seed=11, now=DEMO_NOW)
        yield e


def _matching(session: Session, form: dict[str, str]) -> set[int]:
    f = parse_filter(form)
    ids: set[int] = set()
    page = 1
    rows = fetch_page(session, f, PageRequest(page=page, page_size=200))
    while rows:
        ids |= {r.id for r in rows}
        page += 1
        rows = fetch_page(session, f, PageRequest(page=page, page_size=200))
    assert len(ids) == count_orders(session, f)
    return ids


def _orders_of(session: Session, predicate: object) -> set[int]:
    o = Order.__table__.c
    rows = session.execute(
        select(o.id, C.name, C.kana, C.email, C.phone).join_from(
            Order.__table__, Customer.__table__, C.id == o.customer_id
        )
    )
    return {r.id for r in rows if predicate(r)}  # type: ignore[operator]


def test_generated_customers_carry_their_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            select(C.name, C.kana, C.email, C.phone, C.search_name, C.search_email, C.search_phone)
        ).all()
    assert rows
    for r in rows:
        keys = customer_keys(r.name, r.kana, r.email, r.phone)
        assert (r.search_name, r.search_email, r.search_phone) == (
            keys["search_name"],
            keys["search_email"],
            keys["search_phone"],
        )


def test_a_name_however_it_is_typed(engine: Engine) -> None:
    with Session(engine) as s:
        name = s.execute(select(C.name).where(C.name.like("% %")).order_by(C.id).limit(1)).scalar_one()
        surname, given = name.split(" ")
        expected = _orders_of(s, lambda r: r.name == name)
        assert expected
        for typed in (name, f"{surname}　{given}", f"{surname}{given}", f" {surname}  {given} "):
            assert _matching(s, {"customer_name": typed}) >= expected, typed
        # Exactly the orders whose customer has that name (or that kana), nothing else.
        assert _matching(s, {"customer_name": f"{surname}　{given}"}) == _orders_of(
            s, lambda r: r.name.replace(" ", "") == surname + given
        )


def test_kana_in_hiragana_katakana_and_half_width(engine: Engine) -> None:
    with Session(engine) as s:
        kana = s.execute(select(C.kana).order_by(C.id).limit(1)).scalar_one()
        surname = kana.split(" ")[0]
        hira = "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in surname)
        expected = _orders_of(s, lambda r: surname in r.kana.replace(" ", ""))
        assert expected
        assert _matching(s, {"customer_name": surname}) == expected
        assert hira != surname
        assert _matching(s, {"customer_name": hira}) == expected


def test_half_width_katakana(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        conn.execute(
            insert(Customer.__table__),
            [{"name": "佐藤 美咲", "kana": "サトウ ミサキ"}, {"name": "鈴木 一郎", "kana": "スズキ イチロウ"}],
        )
        found = count_customers(conn, "ｻﾄｳ ﾐｻｷ")
    assert found == 1


def test_phone_with_or_without_hyphens(engine: Engine) -> None:
    with Session(engine) as s:
        phone = s.execute(select(C.phone).where(C.phone.is_not(None)).order_by(C.id).limit(1)).scalar_one()
        expected = _orders_of(s, lambda r: r.phone == phone)
        assert expected
        digits = phone.replace("-", "")
        wide = phone.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        for typed in (phone, digits, wide, phone[:8]):
            assert _matching(s, {"phone": typed}) >= expected, typed
        assert _matching(s, {"phone": digits}) == expected


def test_email_ignores_case_and_width(engine: Engine) -> None:
    with Session(engine) as s:
        email = s.execute(select(C.email).where(C.email.is_not(None)).order_by(C.id).limit(1)).scalar_one()
        expected = _orders_of(s, lambda r: r.email == email)
        assert expected
        assert _matching(s, {"email": email.upper()}) == expected
        wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in email)
        assert _matching(s, {"email": wide}) == expected


def test_bad_phone_is_refused_before_searching() -> None:
    with pytest.raises(FilterError) as err:
        parse_filter({"phone": "090-abcd"})
    assert "電話番号" in err.value.errors["phone"]
    assert parse_filter({"phone": "０９０－１２３４"}).phone == "０９０－１２３４"


def test_migration_fills_the_keys_of_existing_customers(tmp_path_factory: pytest.TempPathFactory) -> None:
    for backend in backends():
        with fresh_database(backend, tmp_path_factory.mktemp("db")) as e:
            command.downgrade(alembic_config(e), "0014")  # a database before the search keys
            with e.begin() as conn:
                conn.execute(
                    text("INSERT INTO customers (name, kana, email, phone, mail_opt_in, blacklisted, points_balance,"
                         " created_at) VALUES ('佐藤 美咲', 'さとう みさき', 'A@B.JP', '090-1111-2222', true, false, 0,"
                         " CURRENT_TIMESTAMP)")
                )  # fmt: skip
            upgrade(e)
            with e.connect() as conn:
                row = conn.execute(select(C.search_name, C.search_email, C.search_phone)).one()
                assert tuple(row) == ("佐藤美咲 サトウミサキ", "a@b.jp", "09011112222")
                assert count_customers(conn, "佐藤　美咲") == 1
