from __future__ import annotations

import reflex as rx

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
    labels: list[str] = []
    memos: list[list[str]] = []
    events: list[list[str]] = []
    dunning: list[list[str]] = []
    survey: list[list[str]] = []
    documents: list[list[str]] = []
    subscription: list[list[str]] = []
    payments: list[list[str]] = []
    provider_url: str = ""

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
        self.number = detail.number
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
        ):
            setattr(self, name, getattr(detail, name))
        return None
