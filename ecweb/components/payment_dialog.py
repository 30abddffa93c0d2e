"""決済状況一括変更 dialog (seed: 売上処理 / 取消処理 / 再オーソリ処理 / 強制売上処理 / 強制取消処理, and
for 取消 the <定期受注の取消処理> options)."""

from __future__ import annotations

import reflex as rx

from ecweb.components.job_dialog import job_dialog
from ecweb.components.panel import panel
from ecweb_core.jobs.payment import SUB_ACTIONS
from ecweb_core.payments.processes import CANCELS, PROCESSES
from ecweb_state.job_forms import PaymentFormState as S

# The seed's notes under each process.
NOTES = {
    "capture": "実売上処理(決済状況: 売上完了)を行います。ショップの決済管理画面にも反映されます。"
    "後払いの場合は配送伝票番号(半角英数字)と発送完了日が登録されている必要があります。",
    "cancel": "取消(キャンセル)処理(決済状況: 取消完了)を行います。ショップの決済管理画面にも反映されます。"
    "付与されたポイントは取り消され、利用したポイントは顧客へ戻ります。",
    "reauthorize": "再オーソリ処理を行います。支払方法を変更した受注に行ってください。"
    "NP後払いは取消完了の受注のみ対象で、NP決済連携情報・配送伝票番号・発送完了日をクリアしてから取引登録を行います。",
    "force_capture": "ecweb上の決済状況のみ「売上完了」にします。ショップの決済管理画面には反映されません。",
    "force_cancel": "ecweb上の決済状況のみ「取消完了」にします。ショップの決済管理画面には反映されません。"
    "ポイントは取消処理と同じく戻します。",
}


def _process(value: str, label: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, id=f"payment-process-{value}", margin_top="3px"),
            rx.vstack(
                rx.text(label, size="2", weight="bold"),
                rx.text(NOTES[value], size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="start",
            spacing="2",
        ),
        cursor="pointer",
        width="100%",
    )


def _reasons(name: str, reasons: rx.Var, element_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="理由を選択(任意)", width="100%", id=element_id),
        rx.select.content(rx.foreach(reasons, lambda r: rx.select.item(r[1], value=r[0]))),
        name=name,
        size="1",
    )


def _check(name: str, element_id: str, label: str) -> rx.Component:
    return rx.el.label(rx.hstack(rx.checkbox(name=name, id=element_id), rx.text(label, size="2")), cursor="pointer")


def _subscription_options() -> rx.Component:
    return panel(
        rx.vstack(
            rx.text("定期受注の取消処理(定期受注の受注のみ)", size="2", weight="bold"),
            rx.radio_group.root(
                rx.vstack(
                    *[
                        rx.el.label(
                            rx.hstack(rx.radio_group.item(value=v, id=f"payment-sub-{v}"), rx.text(label, size="2")),
                            cursor="pointer",
                        )
                        for v, label in SUB_ACTIONS.items()
                    ],
                    spacing="1",
                ),
                value=S.sub_action,
                on_change=S.set_sub_action,
            ),
            rx.cond(S.sub_action == "paused", _reasons("sub_reason", S.stop_reasons, "payment-stop-reason")),
            rx.cond(S.sub_action == "cancelled", _reasons("sub_reason", S.cancel_reasons, "payment-cancel-reason")),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(name="count_down", id="payment-count-down"),
                    rx.text("定期受注の定期回数を-1する", size="2"),
                ),
                cursor="pointer",
            ),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(name="recalculate", id="payment-recalculate"), rx.text("定期受注を再計算する", size="2")
                ),
                cursor="pointer",
            ),
            rx.text(
                "定期回数が変更されることにより、商品価格や同梱品などに変更がある場合は再計算を実施ください。",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
    )


def payment_dialog() -> rx.Component:
    fields = rx.vstack(
        rx.text("処理", size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(*[_process(v, label) for v, label in PROCESSES.items()], spacing="3", width="100%"),
            value=S.process,
            on_change=S.set_process,
            width="100%",
        ),
        rx.cond((S.process == CANCELS[0]) | (S.process == CANCELS[1]), _subscription_options()),
        spacing="3",
        width="100%",
    )
    return job_dialog(
        "payment",
        "選択した受注の決済状況を一括で変更します。処理の結果はジョブ管理画面の結果CSVで確認できます。",
        fields,
        "この内容で実行する",
        max_width="640px",
        on_submit=S.submit_payment,
    )
