"""Delivers the workers' notes into the browsers (NOTES.md: a Redis list + app.modify_state).

Runs as a lifespan task in every backend process; BLPOP hands each note to exactly one of them,
and the Redis state manager lets that process modify any tab's state."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import redis.asyncio as aioredis
import reflex as rx

from ecweb_core.notes import CLIENTS_TTL_S, NOTES_QUEUE, clients_key
from ecweb_core.settings import load_settings
from ecweb_state.auth import AuthState
from ecweb_state.listeners import NOTE_LISTENERS
from ecweb_state.notifications import NotificationState, note_key

log = logging.getLogger(__name__)


async def _push(app: rx.App, token: str, note: dict[str, Any]) -> None:
    """Into every state that listens to notes (listeners.py), in one modification of the tab's state."""
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=AuthState)) as root:
        for listener in NOTE_LISTENERS:
            (await root.get_state(listener))._on_note(note)


async def _expire_later(app: rx.App, token: str, key: str, seconds: float) -> None:
    """A toast fades on its own: its time up, it leaves the tab's state (a failure stays until read)."""
    await asyncio.sleep(seconds)
    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=AuthState)) as root:
            (await root.get_state(NotificationState))._expire(key)
    except Exception:  # noqa: BLE001 - a tab gone meanwhile
        log.debug("could not expire a note in %s", token, exc_info=True)


async def deliver_notes(app: rx.App) -> None:
    client = aioredis.from_url(load_settings().redis_url)
    pending: set[asyncio.Task[None]] = set()  # the expiries (a reference keeps a task from being collected)
    while True:
        try:
            item = await client.blpop([NOTES_QUEUE], timeout=5)
            if item is None:
                continue
            note = json.loads(item[1])
            key = clients_key(int(note["operator_id"]))
            tokens = await client.zrangebyscore(key, time.time() - CLIENTS_TTL_S, "+inf")
            key, seconds = note_key(note), load_settings().note_seconds
            for token in tokens:
                try:
                    await _push(app, token.decode(), note)
                    if key is not None:
                        pending.add(task := asyncio.create_task(_expire_later(app, token.decode(), key, seconds)))
                        task.add_done_callback(pending.discard)
                except Exception:  # noqa: BLE001 - one stale tab must not stop the others
                    log.warning("could not deliver a note to %s", token, exc_info=True)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - Redis restarting: keep trying
            log.warning("note delivery failed; retrying", exc_info=True)
            await asyncio.sleep(1)
