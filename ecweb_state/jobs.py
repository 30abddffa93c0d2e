"""ジョブ管理 screen: a page of jobs, refreshed live when a note about a job arrives."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.db import session_scope
from ecweb_core.jobs.listing import JobRow, count_jobs, list_jobs
from ecweb_state.auth import AuthState
from ecweb_state.listeners import listens_to_notes

PAGE_SIZE = 20


@listens_to_notes
class JobsState(AuthState):
    jobs: list[JobRow] = []
    total: int = 0
    page: int = 1
    _visible: bool = False  # only a tab that opened ジョブ管理 reloads on notes

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        self._visible = True
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    def _on_note(self, note: dict[str, Any]) -> None:
        if self._visible:
            self._reload()

    def _reload(self) -> None:
        with session_scope() as s:
            self.total = count_jobs(s)
            self.jobs = list_jobs(s, self.page, PAGE_SIZE)
