"""Notes for the app: job registered / progress / finished, queued on a Redis list.

A list, not pub/sub: each app backend process BLPOPs, so a note is delivered exactly once
however many backend workers run (NOTES.md)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import redis

NOTES_QUEUE = "ecweb:notes"


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def push_note(redis_url: str, note: dict[str, Any]) -> None:
    _client(redis_url).rpush(NOTES_QUEUE, json.dumps(note, ensure_ascii=False))


def job_note(event: str, job_id: int, operator_id: int, kind: str, message: str = "", **extra: Any) -> dict[str, Any]:
    return {"event": event, "job_id": job_id, "operator_id": operator_id, "kind": kind, "message": message, **extra}


CLIENTS_TTL_S = 24 * 3600


def clients_key(operator_id: int) -> str:
    return f"ecweb:clients:{operator_id}"


def register_client(redis_url: str, operator_id: int, client_token: str, now: float) -> None:
    """Remembers a browser tab of the operator, so notes reach every open tab, also after a
    websocket reconnect minted a new token (the tab registers again on its next event)."""
    client = _client(redis_url)
    key = clients_key(operator_id)
    pipe = client.pipeline()
    pipe.zadd(key, {client_token: now})
    pipe.zremrangebyscore(key, 0, now - CLIENTS_TTL_S)
    pipe.expire(key, CLIENTS_TTL_S)
    pipe.execute()


def job_caption(kind_label: str, job_id: int, total: int | None) -> str:
    """What tells two notes of the same 処理 apart: 「一括更新 #7 · 1,202件」."""
    count = f" · {total:,}件" if total is not None else ""
    return f"{kind_label} #{job_id}{count}"


def job_anchor(job_id: int) -> str:
    """The link to a job's row in ジョブ管理."""
    return f"/jobs?job={job_id}"
