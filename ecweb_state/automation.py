"""設定 > 自動化設定: the rule list (order, 有効/無効, 削除, drag and drop, 先頭 / 末尾), the form of
イベントの新規作成, and the 実行履歴 of every rule run."""

from __future__ import annotations

import reflex as rx

from ecweb_core.automation.catalog import ACTIONS, action_params, event_options
from ecweb_core.automation.history import RunRow, acknowledge_problems, count_runs, list_runs, open_problem_count
from ecweb_core.automation.rules import RuleRow, create_rule, delete_rule, list_rules, move_rule, set_enabled
from ecweb_core.db import get_engine
from ecweb_core.errors import FormError
from ecweb_state.auth import AuthState

RUNS_PAGE_SIZE = 50


class AutomationState(AuthState):
    rules: list[RuleRow] = []
    delete_id: int = 0  # the rule whose 削除 waits for the operator's confirmation
    delete_name: str = ""
    event_choices: list[list[str]] = []
    action_choices: list[list[str]] = [[k, v] for k, v in ACTIONS.items()]
    param_choices: list[list[str]] = []
    event: str = ""
    action: str = ""
    param: str = ""
    form_errors: list[str] = []
    notice: str = ""
    dragging: int = 0  # the rule whose 並び順 handle is held
    drop_target: int = 0
    tab: str = "rules"
    runs: list[RunRow] = []
    runs_total: int = 0
    runs_page: int = 1
    problems_only: bool = False
    problem_total: int = 0

    @rx.var
    def runs_page_count(self) -> int:
        return max(1, -(-self.runs_total // RUNS_PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        # The screen opens on its rule list, wherever the operator left it last time.
        self.notice, self.form_errors, self.tab = "", [], "rules"
        with get_engine().connect() as conn:
            self.event_choices = [list(c) for c in event_options(conn)]
        self._reload()

    def _reload(self) -> None:
        with get_engine().connect() as conn:
            self.rules = list_rules(conn)
            self.problem_total = open_problem_count(conn)
            self.runs_total = count_runs(conn, problems_only=self.problems_only)
            self.runs_page = max(1, min(self.runs_page, self.runs_page_count))
            self.runs = list_runs(conn, self.runs_page, RUNS_PAGE_SIZE, problems_only=self.problems_only)

    # ---- イベントの新規作成 -------------------------------------------------------------------

    @rx.event
    def set_event(self, value: str) -> None:
        self.event = value

    @rx.event
    def set_action(self, value: str) -> None:
        """③ パラメーター follows ② アクション."""
        self.action, self.param = value, ""
        with get_engine().connect() as conn:
            self.param_choices = [list(c) for c in action_params(conn, value)]

    @rx.event
    def set_param(self, value: str) -> None:
        self.param = value

    @rx.event
    def create(self) -> None:
        form = {"event": self.event, "action": self.action, "param": self.param}
        try:
            with get_engine().begin() as conn:
                create_rule(conn, form, self._operator_id)
        except FormError as err:
            self.form_errors, self.notice = list(err.errors.values()), ""
            return
        self.form_errors, self.notice = [], "イベントを登録しました。「有効化」をクリックすると適用されます。"
        self.event, self.action, self.param, self.param_choices = "", "", "", []
        self._reload()

    # ---- the list -------------------------------------------------------------------------------

    @rx.event
    def toggle(self, rule_id: int, enabled: bool) -> None:
        self._change(lambda conn: set_enabled(conn, rule_id, not enabled, operator_id=self._operator_id))

    @rx.event
    def ask_delete(self, rule_id: int, name: str) -> None:
        """削除 asks first, like the other settings screens (delete_confirm)."""
        self.delete_id, self.delete_name = int(rule_id), str(name)

    @rx.event
    def cancel_delete(self, is_open: bool = False) -> None:
        if not is_open:
            self.delete_id, self.delete_name = 0, ""

    @rx.event
    def confirm_delete(self) -> None:
        rule_id = self.delete_id
        self.delete_id, self.delete_name = 0, ""
        if rule_id:
            self._change(lambda conn: delete_rule(conn, rule_id, operator_id=self._operator_id))

    @rx.event
    def move(self, rule_id: int, where: str) -> None:
        self._change(lambda conn: move_rule(conn, rule_id, where, operator_id=self._operator_id))

    @rx.event
    def start_drag(self, rule_id: int) -> None:
        self.dragging, self.drop_target = rule_id, rule_id

    @rx.event
    def drag_over(self, rule_id: int) -> None:
        if self.dragging:
            self.drop_target = rule_id

    @rx.event
    def drop(self, rule_id: int) -> None:
        """Released over a row: the dragged rule takes that row's place."""
        dragged, self.dragging, self.drop_target = self.dragging, 0, 0
        if not dragged or dragged == rule_id:
            return
        index = next((i for i, r in enumerate(self.rules) if r.id == rule_id), None)
        if index is not None:
            self._change(lambda conn: move_rule(conn, dragged, index, operator_id=self._operator_id))

    @rx.event
    def end_drag(self) -> None:
        self.dragging, self.drop_target = 0, 0

    def _change(self, apply) -> None:  # type: ignore[no-untyped-def]
        try:
            with get_engine().begin() as conn:
                apply(conn)
        except FormError as err:
            self.notice = "; ".join(err.errors.values())
            return
        self.notice = ""
        self._reload()

    # ---- 実行履歴 -------------------------------------------------------------------------------

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab
        self._reload()

    @rx.event
    def show_problems(self) -> None:
        self.tab, self.problems_only, self.runs_page = "runs", True, 1
        self._reload()

    @rx.event
    def acknowledge(self) -> None:
        with get_engine().begin() as conn:
            n = acknowledge_problems(conn)
        self.notice = f"要確認の実行 {n} 件を確認済みにしました。" if n else ""
        self._reload()

    @rx.event
    def set_problems_only(self, value: bool) -> None:
        self.problems_only, self.runs_page = bool(value), 1
        self._reload()

    @rx.event
    def go_to_runs_page(self, page: int) -> None:
        self.runs_page = int(page)
        self._reload()
