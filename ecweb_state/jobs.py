"""ジョブ管理 screen: a filtered page of jobs, refreshed live when a note about a job arrives; a job's
failed / skipped / 未処理 orders with their reasons; 中止 and 失敗分を再実行 (ecweb_core.jobs.control)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ecweb_core.db import get_engine, session_scope
from ecweb_core.errors import FormError
from ecweb_core.jobs.catalog import cancelled_message, registered_message
from ecweb_core.jobs.control import request_stop, rerun_failed
from ecweb_core.jobs.listing import (
    JobQuery,
    JobRow,
    TargetRow,
    count_jobs,
    kind_options,
    list_jobs,
    operator_options,
    page_of,
    parse_job_query,
    problem_targets,
)
from ecweb_core.jobs.runner import mark_failed
from ecweb_core.models import Job
from ecweb_core.notes import job_note, push_note
from ecweb_core.settings import load_settings
from ecweb_state.auth import AuthState
from ecweb_state.dispatch import send_job
from ecweb_state.listeners import listens_to_notes

PAGE_SIZE = 20
ANY = "all"  # a Radix select item cannot be empty: 「すべて」
NOT_STARTED = "ジョブを開始できませんでした。時間をおいて再度お試しください。"


@listens_to_notes
class JobsState(AuthState):
    jobs: list[JobRow] = []
    total: int = 0
    page: int = 1
    f_kind: str = ANY
    f_status: str = ANY
    f_operator: str = ANY
    f_from: str = ""
    f_to: str = ""
    errors: list[str] = []
    notice: str = ""
    kinds: list[list[str]] = []
    operators: list[list[str]] = []
    linked: int = 0  # the job a note linked to (?job=<id>): its row is marked
    open_job: int = 0  # the job whose failed / skipped / 未処理 orders are shown
    targets: list[TargetRow] = []
    targets_total: int = 0
    _query: JobQuery = JobQuery()
    _visible: bool = False  # only a tab that opened ジョブ管理 reloads on notes

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    def on_load(self) -> None:
        self._visible = True
        self.kinds = kind_options()
        with session_scope() as s:
            self.operators = operator_options(s)
        raw = str(self.router.url.query_parameters.get("job", "") or "")
        self.linked = int(raw) if raw.isdigit() else 0
        if self.linked:
            # The note's link: every filter off, the page that shows the job, its orders opened.
            self.f_kind = self.f_status = self.f_operator = ANY
            self.f_from = self.f_to = ""
            self._query = JobQuery()
            with session_scope() as s:
                self.page = page_of(s, self._query, self.linked, PAGE_SIZE)
            self.open_job = self.linked
        self._reload()

    @rx.event
    def set_filter(self, name: str, value: str) -> None:
        if name in ("f_kind", "f_status", "f_operator", "f_from", "f_to"):
            setattr(self, name, str(value))

    @rx.event
    def search(self) -> None:
        form = {
            "kind": "" if self.f_kind == ANY else self.f_kind,
            "status": "" if self.f_status == ANY else self.f_status,
            "operator_id": "" if self.f_operator == ANY else self.f_operator,
            "created_from": self.f_from,
            "created_to": self.f_to,
        }
        try:
            self._query = parse_job_query(form)
        except FormError as e:
            self.errors = list(e.errors.values())
            return
        self.errors, self.page, self.linked = [], 1, 0
        self._reload()

    @rx.event
    def clear(self) -> None:
        self.f_kind = self.f_status = self.f_operator = ANY
        self.f_from = self.f_to = ""
        self._query, self.errors, self.page, self.linked = JobQuery(), [], 1, 0
        self._reload()

    @rx.event
    def go_to_page(self, page: int) -> None:
        self.page = max(1, min(int(page), self.page_count))
        self._reload()

    @rx.event
    def toggle(self, job_id: int) -> None:
        self.open_job = 0 if self.open_job == int(job_id) else int(job_id)
        self._load_targets()

    @rx.event
    def stop(self, job_id: int) -> None:
        operator_id = self._operator_id
        if operator_id is None:
            return
        try:
            with get_engine().begin() as conn:
                status = request_stop(conn, int(job_id), operator_id)
        except FormError as e:
            self.errors, self.notice = list(e.errors.values()), ""
            return
        self.errors = []
        if status == "cancelled":  # it had not started: no worker will say so
            row = next((j for j in self.jobs if j.id == int(job_id)), None)
            kind = self._kind_key(int(job_id))
            self._push(job_note("cancelled", int(job_id), operator_id, kind, cancelled_message(kind),
                                total=row.total if row else None))  # fmt: skip
            self.notice = f"ジョブ #{job_id} を中止しました。"
        else:
            self.notice = f"ジョブ #{job_id} に中止を依頼しました。処理中の単位が終わりしだい中止します。"
        self._reload()

    @rx.event
    def rerun(self, job_id: int, with_unprocessed: bool) -> None:
        operator_id = self._operator_id
        if operator_id is None:
            return
        try:
            with get_engine().begin() as conn:
                new_id, kind = rerun_failed(conn, int(job_id), operator_id, bool(with_unprocessed))
        except FormError as e:
            self.errors, self.notice = list(e.errors.values()), ""
            return
        try:
            self._push(job_note("registered", new_id, operator_id, kind, registered_message(kind)))
            send_job(kind, new_id)
        except Exception as exc:  # noqa: BLE001 - Redis down: say so, and do not leave it 登録済 forever
            mark_failed(get_engine(), new_id, f"ジョブを開始できませんでした: {exc}")
            self.errors, self.notice = [NOT_STARTED], ""
            self._reload()
            return
        self.errors, self.notice = [], f"ジョブ #{job_id} の再実行をジョブ #{new_id} として登録しました。"
        self.page, self.linked = 1, new_id
        self._reload()

    def _push(self, note: dict[str, Any]) -> None:
        push_note(load_settings().redis_url, note)

    def _kind_key(self, job_id: int) -> str:
        with session_scope() as s:
            job = s.get(Job, job_id)
            return job.kind if job else ""

    def _on_note(self, note: dict[str, Any]) -> None:
        if self._visible:
            self._reload()

    def _reload(self) -> None:
        with session_scope() as s:
            self.total = count_jobs(s, self._query)
            self.jobs = list_jobs(s, self.page, PAGE_SIZE, self._query, self._operator_id or 0)
        self._load_targets()

    def _load_targets(self) -> None:
        if not self.open_job:
            self.targets, self.targets_total = [], 0
            return
        with session_scope() as s:
            self.targets, self.targets_total = problem_targets(s, self.open_job)
