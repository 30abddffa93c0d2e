"""The 適格請求書 (インボイス) figures of an order, the 登録番号 check and the 収入印紙 a 領収書 needs.

Prices are tax-inclusive (総額表示). Per tax rate the invoice states the amount (税込) and its tax,
rounded down once per rate and per document (the invoice rule: never per item). 送料 and 支払い手数料
are services at the standard 10 %. Points used are a discount (値引き) spread over the rates in
proportion to their amounts, the remainder on the largest, so the rate amounts add up to the order's
total exactly. An order whose stored figures disagree with its items is not printed: a legal
document must not show a total its own lines contradict."""

from __future__ import annotations

import re
from dataclasses import dataclass

STANDARD_RATE, REDUCED_RATE = 10, 8
RATES = (STANDARD_RATE, REDUCED_RATE)
REG_NO = re.compile(r"T(\d{13})")
RECALC = "受注商品管理で再計算してください。"


class FiguresError(ValueError):
    """The order's totals do not add up: the message says what, in Japanese."""


@dataclass(frozen=True)
class RateLine:
    rate: int  # %
    gross: int  # 税込, before the points discount
    discount: int  # the share of the points discount
    amount: int  # 税込 after it: what the invoice states as 対象額
    tax: int  # 消費税額 in `amount`

    @property
    def net(self) -> int:
        """税抜."""
        return self.amount - self.tax

    @property
    def label(self) -> str:
        return f"{self.rate}%対象" + ("(軽減税率)" if self.rate == REDUCED_RATE else "")


@dataclass(frozen=True)
class InvoiceFigures:
    lines: tuple[RateLine, ...]  # the rates present, 10 % first
    total: int

    @property
    def tax_total(self) -> int:
        return sum(line.tax for line in self.lines)

    @property
    def net_total(self) -> int:
        return self.total - self.tax_total


def tax_in(amount: int, rate: int) -> int:
    """消費税額 contained in a tax-inclusive amount, rounded down."""
    return amount * rate // (100 + rate)


def invoice_figures(
    items: list[tuple[int, int]], subtotal: int, shipping_fee: int, payment_fee: int, points_used: int, total: int
) -> InvoiceFigures:
    """`items` are (line amount 税込, rate). Raises FiguresError when the order's stored subtotal or
    total disagree with its lines."""
    item_sum = sum(amount for amount, _ in items)
    if item_sum != subtotal:
        raise FiguresError(f"小計(¥{subtotal:,})が商品明細の合計(¥{item_sum:,})と一致しません。{RECALC}")
    expected = subtotal + shipping_fee + payment_fee - points_used
    if expected != total:
        raise FiguresError(f"合計(¥{total:,})が小計+送料+手数料-利用ポイント(¥{expected:,})と一致しません。{RECALC}")
    if total < 0:
        raise FiguresError("利用ポイントが合計金額を超えています。")
    for _, rate in items:
        if rate not in RATES:
            raise FiguresError(f"商品の税率({rate}%)が正しくありません。10%または8%を設定してください。")
    gross = {rate: 0 for rate in RATES}
    for amount, rate in items:
        gross[rate] += amount
    gross[STANDARD_RATE] += shipping_fee + payment_fee
    present = [r for r in RATES if gross[r] != 0] or [STANDARD_RATE]
    discount = _spread(points_used, {r: gross[r] for r in present})
    lines = []
    for rate in present:
        amount = gross[rate] - discount[rate]
        lines.append(RateLine(rate, gross[rate], discount[rate], amount, tax_in(amount, rate)))
    return InvoiceFigures(tuple(lines), total)


def _spread(points: int, gross: dict[int, int]) -> dict[int, int]:
    """`points` over the rates in proportion to their amounts; the largest takes the remainder."""
    whole = sum(gross.values())
    if not points or whole <= 0:  # whole <= 0 with points: the total would be negative, refused above
        return dict.fromkeys(gross, 0)
    largest = max(gross, key=lambda r: (gross[r], r))
    out = {r: points * g // whole for r, g in gross.items() if r != largest}
    out[largest] = points - sum(out.values())
    return out


def registration_number_error(value: str) -> str | None:
    """登録番号: 「T」+ 13 digits whose first is the check digit of the 法人番号 scheme (the numbers of
    individual businesses are drawn from the same scheme). None when it is valid."""
    match = REG_NO.fullmatch(value)
    if match is None:
        return "登録番号は「T」に続けて13桁の数字で入力してください(例: T1234567890123)。"
    digits = match.group(1)
    if int(digits[0]) != check_digit(digits[1:]):
        return "登録番号の検査用数字(先頭の数字)が正しくありません。番号をご確認ください。"
    return None


def check_digit(base12: str) -> int:
    """The 法人番号 check digit: 9 - (Σ Pn×Qn mod 9), Pn the nth digit from the right, Qn = 1 odd, 2 even."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


# 印紙税 第17号文書 (売上代金の受取書): upper bound of the amount (税抜 when the tax is stated) → duty.
STAMP_DUTY: tuple[tuple[int, int], ...] = (
    (49_999, 0),
    (1_000_000, 200),
    (2_000_000, 400),
    (3_000_000, 600),
    (5_000_000, 1_000),
    (10_000_000, 2_000),
    (20_000_000, 4_000),
    (30_000_000, 6_000),
    (50_000_000, 10_000),
    (100_000_000, 20_000),
    (200_000_000, 40_000),
    (300_000_000, 60_000),
    (500_000_000, 100_000),
    (1_000_000_000, 150_000),
)
CARD_METHODS = ("credit",)


@dataclass(frozen=True)
class StampDuty:
    amount: int  # 印紙税額 (0: no stamp)
    note: str  # what the receipt says about it


def stamp_duty(net_total: int, payment_method_code: str) -> StampDuty:
    """The 収入印紙 of a 領収書 stating `net_total` (税抜, since the tax is stated separately). A card
    payment's receipt is not a receipt of money: no stamp, and the receipt says why."""
    duty = next((d for upper, d in STAMP_DUTY if net_total <= upper), 200_000)
    if duty and payment_method_code in CARD_METHODS:
        return StampDuty(0, "クレジットカード決済のため収入印紙は不要です。")
    if duty:
        return StampDuty(duty, f"収入印紙 {duty:,}円")
    return StampDuty(0, "")
