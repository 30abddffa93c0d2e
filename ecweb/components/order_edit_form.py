"""受注の編集 on the detail page: one order's 対応状況, 決済状況, 配送伝票番号, dates, 要対応 and its
受注ラベル. The choices are 設定's lists as they are now (enabled statuses, reasons, labels)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.form_errors import form_errors
from ecweb_state.order_detail import OrderDetailState as D
from ecweb_state.order_edit import OrderEditState as S

ATTENTION = [["yes", "要対応にする"], ["no", "要対応を解除する"]]


def _select(name: str, label: str, choices: rx.Var | list[list[str]]) -> rx.Component:
    items = (
        [rx.select.item(c[1], value=c[0]) for c in choices]
        if isinstance(choices, list)
        else [rx.foreach(choices, lambda c: rx.select.item(c[1], value=c[0]))]
    )
    return rx.vstack(
        rx.text(label, size="1"),
        rx.select.root(
            rx.select.trigger(placeholder="変更しない", id=f"edit-{name}", width="12em"),
            rx.select.content(*items),
            name=name,
        ),
        spacing="1",
    )


def _input(name: str, label: str, placeholder: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1"),
        rx.input(name=name, id=f"edit-{name}", placeholder=placeholder, width="11em"),
        spacing="1",
    )


def order_edit_form() -> rx.Component:
    return rx.cond(S.can_edit_orders, _order_edit_card())


def _order_edit_card() -> rx.Component:
    return rx.card(
        rx.text("受注の編集", weight="bold", size="3", margin_bottom="0.5em"),
        rx.form(
            rx.hstack(
                _select("status_id", "対応状況", S.status_choices),
                _select("payment_status", "決済状況", S.payment_status_choices),
                _input("tracking_number", "配送伝票番号", ""),
                _input("shipped_at", "発送完了日", "2026-01-31"),
                _input("delivered_at", "配送完了日", "2026-01-31"),
                _select("needs_attention", "要対応受注", ATTENTION),
                _select("attention_reason", "要対応理由", S.attention_reason_choices),
                rx.button("更新する", type="submit", id="edit-submit"),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=S.save,
            reset_on_submit=False,
        ),
        form_errors(S.edit_errors, "edit-errors"),
        rx.cond(S.edit_notice != "", rx.text(S.edit_notice, size="2", color_scheme="green", id="edit-notice")),
        on_mount=S.load_choices,
        width="100%",
    )


def _label_box(choice: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.checkbox(
            checked=D.label_checked.contains(choice[0]),
            on_change=lambda checked: S.toggle_label(choice[0], checked),
            size="1",
            id="edit-label-" + choice[0].to(str),
        ),
        rx.badge(choice[1], color_scheme=choice[2], variant="soft", margin_left="4px"),
        style={"display": "inline-flex", "align-items": "center", "margin-right": "12px", "cursor": "pointer"},
    )


def order_labels_form() -> rx.Component:
    return rx.cond(S.can_edit_orders, _order_labels_card())


def _order_labels_card() -> rx.Component:
    return rx.card(
        rx.text("受注ラベル", weight="bold", size="3", margin_bottom="0.5em"),
        rx.hstack(
            rx.cond(
                D.label_choices.length() > 0,
                rx.flex(rx.foreach(D.label_choices, _label_box), wrap="wrap", gap="2"),
                rx.text("受注ラベルがありません(設定 > 受注ラベル管理)。", size="2", color_scheme="gray"),
            ),
            rx.spacer(),
            rx.button("ラベルを更新する", on_click=S.save_labels, size="2", variant="soft", id="labels-submit"),
            align="center",
            width="100%",
        ),
        form_errors(S.label_errors, "label-errors"),
        rx.cond(S.label_notice != "", rx.text(S.label_notice, size="2", color_scheme="green", id="label-notice")),
        width="100%",
    )
