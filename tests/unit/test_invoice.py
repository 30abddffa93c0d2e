"""The 適格請求書 (インボイス) figures per tax rate against orders computed by hand, the 登録番号 check
and the 収入印紙 of a 領収書."""

from __future__ import annotations

import pytest

from ecweb_core.documents.invoice import (
    FiguresError,
    check_digit,
    invoice_figures,
    registration_number_error,
    stamp_duty,
)


def _lines(f):  # type: ignore[no-untyped-def]
    return [(line.rate, line.gross, line.discount, line.amount, line.tax) for line in f.lines]


def test_standard_rate_only_with_shipping() -> None:
    # 美容液 ¥4,980 + 送料 ¥600 = ¥5,580 税込 at 10 %: tax = floor(5580 × 10 / 110) = 507 (507.27…).
    f = invoice_figures([(4980, 10)], 4980, 600, 0, 0, 5580)
    assert _lines(f) == [(10, 5580, 0, 5580, 507)]
    assert (f.total, f.tax_total, f.net_total) == (5580, 507, 5073)


def test_mixed_rates_with_points_spread_in_proportion() -> None:
    # 10 %: 美容液 4,980 + 送料 600 + 手数料 330 = 5,910;  8 %: サプリ 3,980 × 2 = 7,960.  Sum 13,870.
    # 300 points: the smaller bucket is floored, 10 % floor(300 × 5910 / 13870) = 127 (127.83…), and the
    # largest (8 %) takes the remainder, 300 - 127 = 173.
    # 10 %: 5,910 - 127 = 5,783 → tax floor(5783 × 10 / 110) = 525 (525.72…)
    # 8 %:  7,960 - 173 = 7,787 → tax floor(7787 × 8 / 108) = 576 (576.81…)
    f = invoice_figures([(4980, 10), (7960, 8)], 12940, 600, 330, 300, 13570)
    assert _lines(f) == [(10, 5910, 127, 5783, 525), (8, 7960, 173, 7787, 576)]
    assert f.total == 5783 + 7787 == 13570
    assert f.tax_total == 1101


def test_reduced_rate_items_still_pay_standard_rate_shipping() -> None:
    # 青汁 3,240 at 8 %, 送料 550 at 10 %.
    f = invoice_figures([(3240, 8)], 3240, 550, 0, 0, 3790)
    assert _lines(f) == [(10, 550, 0, 550, 50), (8, 3240, 0, 3240, 240)]


def test_tax_is_rounded_once_per_rate_not_per_item() -> None:
    # Three ¥980 items at 8 %: per item floor(980×8/108) = 72, ×3 = 216; per rate floor(2940×8/108) = 217.
    f = invoice_figures([(980, 8), (980, 8), (980, 8)], 2940, 0, 0, 0, 2940)
    assert _lines(f) == [(8, 2940, 0, 2940, 217)]


@pytest.mark.parametrize(
    ("items", "subtotal", "total", "message"),
    [
        ([(1000, 10)], 1200, 1200, "小計(¥1,200)が商品明細の合計(¥1,000)と一致しません。"),
        ([(1000, 10)], 1000, 999, "合計(¥999)が小計+送料+手数料-利用ポイント(¥1,000)と一致しません。"),
        ([(1000, 5)], 1000, 1000, "商品の税率(5%)が正しくありません。"),
    ],
)
def test_inconsistent_orders_are_refused(items, subtotal: int, total: int, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FiguresError) as info:
        invoice_figures(items, subtotal, 0, 0, 0, total)
    assert str(info.value).startswith(message)


def test_registration_number() -> None:
    # 7000012050002: the 法人番号 of the National Tax Agency (check digit 7).
    assert check_digit("000012050002") == 7
    assert registration_number_error("T7000012050002") is None
    assert "検査用数字" in (registration_number_error("T1000012050002") or "")
    for bad in ("7000012050002", "T700001205000", "T70000120500021", "t7000012050002", "T70000120500O2"):
        assert "「T」に続けて13桁" in (registration_number_error(bad) or ""), bad


@pytest.mark.parametrize(
    ("net", "method", "duty"),
    [(49_999, "bank", 0), (50_000, "bank", 200), (1_000_000, "cod", 200), (1_000_001, "cod", 400),
     (3_000_001, "bank", 1_000), (80_000, "credit", 0)],
)  # fmt: skip
def test_stamp_duty(net: int, method: str, duty: int) -> None:
    s = stamp_duty(net, method)
    assert s.amount == duty
    if method == "credit":
        assert s.note == "クレジットカード決済のため収入印紙は不要です。"
