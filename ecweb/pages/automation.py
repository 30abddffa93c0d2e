"""設定 > 自動化設定 (SPEC A1–A5): イベント一覧, イベントの新規作成 and 実行履歴."""

from __future__ import annotations

import reflex as rx

from ecweb.components.delete_confirm import delete_confirm
from ecweb.components.form_errors import form_errors
from ecweb.components.layout import page_frame
from ecweb_core.automation.history import RunRow
from ecweb_core.automation.rules import RuleRow
from ecweb_state.automation import AutomationState as S

RULE_HEADERS = ["並び順", "ID", "イベント", "アクション", "パラメーター", "ステータス", "有効化日時", ""]
RUN_HEADERS = ["日時", "ルール", "受注番号", "結果", "試行", "メッセージ"]


def _select(element_id: str, placeholder: str, choices: rx.Var, value: rx.Var, on_change, width: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.select.root(
        # min_width, not width: a long choice widens the select instead of being cut off.
        rx.select.trigger(placeholder=placeholder, id=element_id, min_width=width, max_width="100%"),
        rx.select.content(rx.foreach(choices, lambda c: rx.select.item(c[1], value=c[0])), position="popper"),
        value=value,
        on_change=on_change,
    )


def _create_form() -> rx.Component:
    return rx.card(
        rx.text("イベントの新規作成", weight="bold", size="3"),
        rx.text(
            "①イベント、②アクション、③パラメーターを選択し「この内容で登録する」をクリックします。"
            "同じイベントとアクションの組み合わせは複数登録できません。",
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.vstack(
                rx.text("① イベント", size="1"),
                _select("rule-event", "イベントを選択", S.event_choices, S.event, S.set_event, "30em"),
            ),
            rx.vstack(
                rx.text("② アクション", size="1"),
                _select("rule-action", "アクションを選択", S.action_choices, S.action, S.set_action, "16em"),
            ),
            rx.vstack(
                rx.text("③ パラメーター", size="1"),
                _select("rule-param", "パラメーターを選択", S.param_choices, S.param, S.set_param, "18em"),
            ),
            rx.button("この内容で登録する", on_click=S.create, id="rule-create"),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        form_errors(S.form_errors, "rule-errors"),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", size="1", id="rule-notice")),
        width="100%",
        margin_bottom="1em",
    )


def _rule_row(rule: RuleRow, index: int) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.icon(
                    "grip_vertical",
                    size=18,
                    cursor="grab",
                    on_mouse_down=S.start_drag(rule.id),
                    custom_attrs={"data-testid": "rule-handle"},
                ),
                rx.icon_button(
                    rx.icon("arrow_up", size=14),
                    size="1",
                    variant="ghost",
                    on_click=S.move(rule.id, "up"),
                    disabled=index == 0,
                    aria_label="上へ",
                ),
                rx.icon_button(
                    rx.icon("arrow_down", size=14),
                    size="1",
                    variant="ghost",
                    on_click=S.move(rule.id, "down"),
                    disabled=index == S.rules.length() - 1,
                    aria_label="下へ",
                ),
                rx.button(
                    "先頭",
                    size="1",
                    variant="soft",
                    on_click=S.move(rule.id, "top"),
                    custom_attrs={"data-testid": "rule-top"},
                ),
                rx.button(
                    "末尾",
                    size="1",
                    variant="soft",
                    on_click=S.move(rule.id, "bottom"),
                    custom_attrs={"data-testid": "rule-bottom"},
                ),
                spacing="2",
                align="center",
            )
        ),
        rx.table.cell(rule.id),
        rx.table.cell(rule.event, custom_attrs={"data-testid": "rule-event"}),
        rx.table.cell(rule.action),
        rx.table.cell(rule.param, custom_attrs={"data-testid": "rule-param"}),
        rx.table.cell(
            rx.badge(rx.cond(rule.enabled, "有効", "無効"), color_scheme=rx.cond(rule.enabled, "green", "gray")),
            custom_attrs={"data-testid": "rule-status"},
        ),
        rx.table.cell(rule.enabled_at, size="1"),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    rx.cond(rule.enabled, "無効化", "有効化"),
                    size="1",
                    variant="outline",
                    on_click=S.toggle(rule.id, rule.enabled),
                    custom_attrs={"data-testid": "rule-toggle"},
                ),
                rx.button(
                    "削除",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.ask_delete(rule.id, rule.event + " → " + rule.action),
                    custom_attrs={"data-testid": "rule-delete"},
                ),
                spacing="2",
            )
        ),
        on_mouse_enter=S.drag_over(rule.id),
        on_mouse_up=S.drop(rule.id),
        background=rx.cond((S.dragging != 0) & (S.drop_target == rule.id), "var(--accent-3)", "transparent"),
        custom_attrs={"data-testid": "rule-row"},
    )


def _rules_tab() -> rx.Component:
    return rx.box(
        rx.cond(
            S.problem_total > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle_alert")),
                rx.hstack(
                    rx.text(
                        "要確認の実行が ", S.problem_total, " 件あります(ルールの循環の検出、送信失敗など)。", size="2"
                    ),
                    rx.button("実行履歴で確認", size="1", variant="soft", on_click=S.show_problems, id="show-problems"),
                    rx.button(
                        "確認済みにする", size="1", variant="outline", on_click=S.acknowledge, id="acknowledge-problems"
                    ),
                    align="center",
                ),
                color_scheme="orange",
                size="1",
                margin_bottom="1em",
                id="automation-problems",
            ),
        ),
        _create_form(),
        rx.text(
            "ステータス「有効」のイベントが適用中です。自動化処理は並び順の最上部から順に実行されます。"
            "並び順は ⋮⋮ をドラッグ&ドロップ、または「先頭」「末尾」で変更できます。",
            size="1",
            color_scheme="gray",
            margin_bottom="0.5em",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in RULE_HEADERS])),
            rx.table.body(rx.foreach(S.rules, _rule_row)),
            size="1",
            variant="surface",
            width="100%",
            user_select="none",
            on_mouse_leave=S.end_drag,
            id="rule-table",
        ),
        rx.cond(
            S.rules.length() == 0,
            rx.center(rx.text("登録されたイベントはありません。", color_scheme="gray"), padding="2em"),
        ),
    )


def _run_row(run: RunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(run.time, white_space="nowrap"),
        rx.table.cell(rx.text("#", run.rule_id, " ", run.rule, size="1")),
        rx.table.cell(rx.link(run.order_number, white_space="nowrap", href="/orders/" + run.order_id.to_string())),
        rx.table.cell(
            rx.hstack(
                rx.badge(run.outcome, color_scheme=rx.cond(run.problem, "red", "gray")),
                rx.cond(run.acknowledged, rx.badge("確認済", color_scheme="gray", variant="outline")),
                spacing="1",
            ),
            custom_attrs={"data-testid": "run-outcome"},
        ),
        rx.table.cell(rx.cond(run.attempts > 0, run.attempts.to_string(), "—")),
        rx.table.cell(rx.text(run.message, size="1"), custom_attrs={"data-testid": "run-message"}),
        custom_attrs={"data-testid": "run-row"},
    )


def _runs_tab() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.checkbox(
                "要確認(循環・失敗・連鎖上限)のみ",
                checked=S.problems_only,
                on_change=S.set_problems_only,
                id="problems-only",
            ),
            rx.spacer(),
            rx.text(S.runs_total, " 件", size="2"),
            margin_bottom="0.5em",
            align="center",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, white_space="nowrap") for h in RUN_HEADERS])),
            rx.table.body(rx.foreach(S.runs, _run_row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        rx.cond(S.runs_total == 0, rx.center(rx.text("実行履歴はありません。", color_scheme="gray"), padding="2em")),
        rx.hstack(
            rx.button(
                "前へ", size="1", variant="soft", disabled=S.runs_page <= 1, on_click=S.go_to_runs_page(S.runs_page - 1)
            ),
            rx.text(S.runs_page, " / ", S.runs_page_count, " ページ", size="2"),
            rx.button(
                "次へ",
                size="1",
                variant="soft",
                disabled=S.runs_page >= S.runs_page_count,
                on_click=S.go_to_runs_page(S.runs_page + 1),
            ),
            justify="end",
            align="center",
            margin_top="0.75em",
        ),
    )


def automation_page() -> rx.Component:
    return page_frame(
        "自動化設定",
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger("イベント一覧", value="rules", id="tab-rules"),
                rx.tabs.trigger("実行履歴", value="runs", id="tab-runs"),
                margin_bottom="1em",
            ),
            rx.tabs.content(_rules_tab(), value="rules"),
            rx.tabs.content(_runs_tab(), value="runs"),
            value=S.tab,
            on_change=S.set_tab,
        ),
        delete_confirm("自動化ルールの削除", S),
    )
