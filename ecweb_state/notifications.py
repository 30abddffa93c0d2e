"""System Notification (SPEC J2): the notes of the operator's jobs, pushed live into every open tab.

A note shows briefly at the bottom right (it never takes a click meant for the page) and stays in the
bell's history; a failure stays shown until it is read (the bell opened or the note closed)."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from typing import Any

import reflex as rx
from sqlalchemy import select

from ecweb_core.db import session_scope
from ecweb_core.jobs.catalog import kind_label
from ecweb_core.models import Job
from ecweb_core.models.common import JST
from ecweb_core.notes import job_anchor, job_caption
from ecweb_core.settings import load_settings
from ecweb_state.auth import AuthState
from ecweb_state.listeners import listens_to_notes

SHOWN_EVENTS = {"registered": "info", "done": "success", "failed": "error", "cancelled": "info"}
KEEP = 30
SHOWN = 3  # toasts at once


@dataclasses.dataclass
class Notice:
    key: str
    message: str  # the seed's sentence, exactly
    level: str  # info | success | error
    at: str
    job_id: int
    caption: str = ""  # 処理名 #id · N件
    href: str = ""  # the job's row in ジョブ管理
    sticky: bool = False  # a failure: shown until read
    shown: float = 0.0  # epoch seconds it arrived
    fade: str = ""  # the toast's CSS animation-duration: its time on screen


def note_key(note: dict[str, Any]) -> str | None:
    """The toast a note shows, or None for a note that shows none (progress)."""
    return f"{note['job_id']}-{note['event']}" if note.get("event") in SHOWN_EVENTS else None


def _total(note: dict[str, Any]) -> int | None:
    if note.get("total") is not None:
        return int(note["total"])
    with session_scope() as s:
        return s.execute(select(Job.total).where(Job.id == int(note["job_id"]))).scalar_one_or_none()


@listens_to_notes
class NotificationState(AuthState):
    notices: list[Notice] = []  # newest first
    unread: int = 0
    popup: list[Notice] = []  # the toasts: faded ones leave on their own, failures when read

    def _on_note(self, note: dict[str, Any]) -> None:
        level = SHOWN_EVENTS.get(note.get("event", ""))
        if level is None:
            return
        key = f"{note['job_id']}-{note['event']}"
        if any(n.key == key for n in self.notices):
            return  # the same note delivered twice shows once
        job_id = int(note["job_id"])
        now, seconds = time.time(), load_settings().note_seconds
        notice = Notice(
            key=key,
            message=note["message"],
            level=level,
            at=datetime.now(JST).strftime("%H:%M:%S"),
            job_id=job_id,
            caption=job_caption(kind_label(note.get("kind", "")), job_id, _total(note)),
            href=job_anchor(job_id),
            sticky=level == "error",
            shown=now,
            fade=f"{seconds}s",
        )
        self.notices = [notice, *self.notices][:KEEP]
        live = [n for n in self.popup if n.sticky or now - n.shown < seconds]
        self.popup = [notice, *live][:SHOWN]
        self.unread += 1

    def _expire(self, key: str) -> None:
        """The toast's time is up (delivery.py calls this): it leaves, unless it is a failure."""
        self.popup = [n for n in self.popup if n.key != key or n.sticky]

    @rx.event
    def dismiss(self, key: str) -> None:
        self.popup = [n for n in self.popup if n.key != key]

    @rx.event
    def mark_read(self) -> None:
        """Opening the bell reads every note: the failures shown until now go too."""
        self.unread = 0
        self.popup = []
