"""System Notification (SPEC J2): the notes of the operator's jobs, pushed live into every open tab."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import reflex as rx

from ecweb_core.models.common import JST
from ecweb_state.auth import AuthState
from ecweb_state.listeners import listens_to_notes

SHOWN_EVENTS = {"registered": "info", "done": "success", "failed": "error"}
KEEP = 30


@dataclasses.dataclass
class Notice:
    key: str
    message: str
    level: str  # info | success | error
    at: str
    job_id: int


@listens_to_notes
class NotificationState(AuthState):
    notices: list[Notice] = []  # newest first
    unread: int = 0
    popup: list[Notice] = []  # the ones shown at the top right until closed

    def _on_note(self, note: dict[str, Any]) -> None:
        level = SHOWN_EVENTS.get(note.get("event", ""))
        if level is None:
            return
        key = f"{note['job_id']}-{note['event']}"
        if any(n.key == key for n in self.notices):
            return  # the same note delivered twice shows once
        notice = Notice(key, note["message"], level, datetime.now(JST).strftime("%H:%M:%S"), int(note["job_id"]))
        self.notices = [notice, *self.notices][:KEEP]
        self.popup = [notice, *self.popup][:3]
        self.unread += 1

    @rx.event
    def dismiss(self, key: str) -> None:
        self.popup = [n for n in self.popup if n.key != key]

    @rx.event
    def mark_read(self) -> None:
        self.unread = 0
