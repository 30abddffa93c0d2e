from __future__ import annotations

import reflex as rx

from ecweb_core import reference
from ecweb_core.db import session_scope
from ecweb_core.order_detail import load_order_detail
from ecweb_state.auth import AuthState


class OrderDetailState(AuthState):
    found: bool = False
    number: str = ""
    fields: list[list[str]] = []
    customer: list[list[str]] = []
    items: list[list[str]] = []
    totals: list[list[str]] = []
    labels: list[list[str]] = []  # [name, colour]
    label_ids: list[str] = []
    # The label editor: enabled labels and the disabled ones the order carries ([id, name, colour]).
    label_choices: list[list[str]] = []
    label_checked: list[str] = []
    memos: list[list[str]] = []
    events: list[list[str]] = []
    dunning: list[list[str]] = []
    survey: list[list[str]] = []
    documents: list[list[str]] = []
    subscription: list[list[str]] = []
    payments: list[list[str]] = []
    provider_url: str = ""
    # Not order_id / customer_id / subscription_id: the dynamic routes own those names on State.
    order_pk: int = 0
    customer_pk: int = 0
    subscription_pk: int = 0
    tab: str = "basic"  # 基本設定 / 受注商品管理 / メモ管理 / 決済 / 履歴

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab

    @rx.event
    def on_load(self):  # type: ignore[no-untyped-def]
        raw = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        detail = None
        if raw.isdigit():
            with session_scope() as s:
                detail = load_order_detail(s, int(raw))
        self.found = detail is not None
        if detail is None:
            return None
        self.number, self.order_pk = detail.number, detail.id
        for name in (
            "fields",
            "customer",
            "items",
            "totals",
            "labels",
            "memos",
            "events",
            "dunning",
            "survey",
            "documents",
            "subscription",
            "payments",
            "provider_url",
            "label_ids",
        ):
            setattr(self, name, getattr(detail, name))
        self.customer_pk, self.subscription_pk = detail.customer_id, detail.subscription_id
        with session_scope() as s:
            enabled = reference.labels(s, assignable=True)
            every = reference.labels(s)
            colors = dict(reference.label_colors(s))
        shown = {i for i, _ in enabled}
        extra = [(i, n) for i, n in every if i in self.label_ids and i not in shown]
        self.label_choices = [[i, n, colors.get(i, "gray")] for i, n in [*enabled, *extra]]
        self.label_checked = list(self.label_ids)
        return None
