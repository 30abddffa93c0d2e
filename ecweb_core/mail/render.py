"""Mail templates: Jinja2 in a sandbox with strict placeholders.

The sandbox refuses attributes that reach Python internals (``{{ ''.__class__ }}``) and
StrictUndefined turns an unknown placeholder into an error instead of an empty string, so a
template is validated at save time by rendering it against a sample context (SAMPLE)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError, safe_range

MAX_OUTPUT = 200_000  # characters of a rendered body: a loop cannot make a huge mail
# The render budget: the sandbox bounds one range() (100,000 items), not loops nested in each other,
# so a template's rendering is also bounded in time, checked as it outputs and as its loops turn.
RENDER_SECONDS = 2.0
_deadline: ContextVar[float] = ContextVar("template_deadline", default=math.inf)


class _OverBudget(Exception):
    pass


def _check_deadline() -> None:
    if time.monotonic() > _deadline.get():
        raise _OverBudget


class _BudgetRange:
    """range() for templates: the sandbox's limit on its length, and the time budget checked every
    1,024 turns; a sequence still (`|length`, `loop.last`, indexing work as on a range)."""

    def __init__(self, *args: int) -> None:
        self._range = safe_range(*args)

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index: int) -> int:
        return self._range[index]

    def __iter__(self) -> Iterator[int]:
        for n, value in enumerate(self._range):
            if n % 1024 == 0:
                _check_deadline()
            yield value


class MailTemplateError(ValueError):
    """A template that cannot be rendered; the message is Japanese and shown to the operator."""


def _yen(value: Any) -> str:
    try:
        return f"¥{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _make_env() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["yen"] = _yen
    env.globals["range"] = _BudgetRange
    return env


ENV = _make_env()

# What a template can use. Namespaces, not dicts: a dict would expose its methods (order.items).
PLACEHOLDERS: dict[str, list[str]] = {
    "order": [
        "number", "ordered_at", "status", "payment_status", "payment_method", "delivery_company",
        "tracking_number", "scheduled_ship_date", "shipped_at", "scheduled_delivery_date", "delivered_at",
        "subtotal", "shipping_fee", "payment_fee", "points_used", "points_granted", "total",
    ],
    "customer": ["name", "kana", "email", "phone", "postal_code", "prefecture", "address", "points_balance"],
    "item": ["name", "code", "unit_price", "quantity", "subtotal"],
    "shop": ["name"],
}  # fmt: skip

# Shown next to the template form: (placeholder, meaning).
PLACEHOLDER_HELP: list[tuple[str, str]] = [
    ("{{ order.number }}", "受注番号"),
    ("{{ order.ordered_at }}", "受注日時"),
    ("{{ order.status }}", "対応状況"),
    ("{{ order.payment_method }}", "支払方法"),
    ("{{ order.delivery_company }}", "配送業者"),
    ("{{ order.tracking_number }}", "配送伝票番号"),
    ("{{ order.scheduled_delivery_date }}", "配送予定日"),
    ("{{ order.total | yen }}", "合計金額(¥1,234の形式)"),
    ("{{ customer.name }}", "顧客名"),
    ("{{ customer.email }}", "顧客のメールアドレス"),
    ("{% for item in items %}{{ item.name }} × {{ item.quantity }}{% endfor %}", "商品ごとの繰り返し"),
    ("{{ shop.name }}", "ショップ名"),
]


def sample_context(shop_name: str = "ecweb デモショップ") -> dict[str, Any]:
    order = SimpleNamespace(
        number="SAMPLE-000001", ordered_at="2026/11/01 10:00", status="注文確定", payment_status="売上完了",
        payment_method="クレジットカード", delivery_company="ヤマト運輸", tracking_number="1234-5678-9012",
        scheduled_ship_date="2026/11/02", shipped_at="2026/11/02 15:00", scheduled_delivery_date="2026/11/03",
        delivered_at="", subtotal=3980, shipping_fee=600, payment_fee=0, points_used=0, points_granted=39,
        total=4580,
    )  # fmt: skip
    customer = SimpleNamespace(
        name="山田 太郎", kana="ヤマダ タロウ", email="taro@example.com", phone="090-0000-0000",
        postal_code="100-0001", prefecture="東京都", address="千代田区千代田1-1", points_balance=120,
    )  # fmt: skip
    items = [SimpleNamespace(name="美容液 30ml", code="P001", unit_price=3980, quantity=1, subtotal=3980)]
    return {"order": order, "customer": customer, "items": items, "shop": SimpleNamespace(name=shop_name)}


@lru_cache(maxsize=256)
def _compile(source: str):  # type: ignore[no-untyped-def]
    return ENV.from_string(source)


def _japanese(exc: Exception, label: str) -> str:
    if isinstance(exc, SecurityError):
        return f"{label}: 使用できない項目が含まれています(Pythonの内部属性にはアクセスできません)。"
    if isinstance(exc, TemplateSyntaxError):
        return f"{label}: テンプレートの書式に誤りがあります({exc.lineno}行目: {exc.message})。"
    if isinstance(exc, UndefinedError):
        return f"{label}: 不明な差し込み項目があります({exc.message})。"
    return f"{label}: テンプレートを展開できません({exc})。"


def render(source: str, context: dict[str, Any], label: str = "本文") -> str:
    """Renders a template source within its budget (output size, time); raises MailTemplateError
    with a Japanese message."""
    token = _deadline.set(time.monotonic() + RENDER_SECONDS)
    parts: list[str] = []
    size = 0
    try:
        for part in _compile(source).generate(context):
            size += len(part)
            if size > MAX_OUTPUT:
                break
            _check_deadline()
            parts.append(part)
    except _OverBudget:
        raise MailTemplateError(f"{label}: 展開に時間がかかりすぎます({RENDER_SECONDS:g}秒まで)。") from None
    except (TemplateError, SecurityError) as exc:
        raise MailTemplateError(_japanese(exc, label)) from exc
    except Exception as exc:  # noqa: BLE001 - e.g. a filter on a wrong type: still the operator's template
        raise MailTemplateError(_japanese(exc, label)) from exc
    finally:
        _deadline.reset(token)
    if size > MAX_OUTPUT:
        raise MailTemplateError(f"{label}: 展開後の文字数が多すぎます({MAX_OUTPUT:,}文字まで)。")
    return "".join(parts)


def render_subject(source: str, context: dict[str, Any]) -> str:
    # A header cannot hold a line break: a subject spread over lines is joined.
    return " ".join(render(source, context, "件名").split())


def validate(subject: str, body: str, shop_name: str = "ecweb デモショップ") -> dict[str, str]:
    """Errors by field ("subject", "body") for empty or unrenderable templates; {} when both render."""
    errors: dict[str, str] = {}
    ctx = sample_context(shop_name)
    for field, label, source in (("subject", "件名", subject), ("body", "本文", body)):
        if not source.strip():
            errors[field] = f"{label}を入力してください。"
            continue
        try:
            render(source, ctx, label)
        except MailTemplateError as exc:
            errors[field] = str(exc)
    return errors
