"""The sandbox provider's HTTP API and its 決済管理画面.

Mutating calls (POST) need an Idempotency-Key header. The first answer to a key is stored with a
hash of the request: the same key again replays that answer (status and body); the same key with
other parameters is refused with 409. GET /v1/idempotency/{key} tells what became of a call — what
a client asks instead of calling again when it does not know whether its call arrived.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ecweb_core.payments.sandbox.page import render_page
from ecweb_core.payments.sandbox.store import Store, Transaction

METHODS = ("card", "np", "np_wiz", "amazon_pay")
NP_METHODS = ("np", "np_wiz")
TRACKING = re.compile(r"^[0-9A-Za-z]{1,32}$")  # 出荷報告: a half-width alphanumeric 配送伝票番号


@dataclass
class Faults:
    """Failure injection, set at start (CLI) or at run time (POST /_sandbox/config)."""

    latency_ms: int = 0  # every call takes this long before it is handled
    decline_amount_at_least: int | None = None  # authorizations of this amount or more are declined
    decline_customers: list[str] = field(default_factory=list)  # … and those of these customers
    fail_5xx_orders: list[str] = field(default_factory=list)  # 503 before doing anything
    # The call is done and committed, then the answer waits this long (a client times out first).
    hang_after_success_orders: list[str] = field(default_factory=list)
    hang_seconds: float = 30.0

    def update(self, values: dict[str, Any]) -> None:
        names = {f.name for f in fields(self)}
        for k, v in values.items():
            if k not in names:
                raise ValueError(f"unknown fault {k!r}")
            setattr(self, k, v)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


REUSED = ApiError(409, "idempotency_key_reused", "このIdempotency-Keyは別の内容の要求に使われています。")
NO_KEY = ApiError(400, "idempotency_key_missing", "Idempotency-Key is required")
UNAVAILABLE = ApiError(503, "unavailable", "一時的に利用できません")
CREDIT_REJECTED = "与信審査の結果、ご利用いただけません。"
CARD_DECLINED = "カードが承認されませんでした。"
REGISTRATION_FAILED = "取引登録失敗: この受注番号の取引がキャンセル以外の状態で存在します。"
Handler = Callable[[sqlite3.Connection, dict[str, Any], str], dict[str, Any]]
Endpoint = Callable[[Request, dict[str, Any]], Response]


def create_app(store: Store, faults: Faults | None = None) -> Starlette:
    faults = faults or Faults()
    in_flight = threading.Semaphore(256)

    def mutating(handler: Handler, order_of: Callable[[sqlite3.Connection, dict[str, Any]], str]) -> Endpoint:
        def endpoint(request: Request, payload: dict[str, Any]) -> Response:
            key = request.headers.get("idempotency-key", "")
            if not key:
                return JSONResponse(NO_KEY.body(), 400)
            with in_flight:
                if faults.latency_ms:
                    time.sleep(faults.latency_ms / 1000)
                request_hash = hashlib.sha256(
                    (request.url.path + json.dumps(payload, sort_keys=True)).encode()
                ).hexdigest()
                with store.write() as db:
                    found = store.replay(db, key)
                    if found is not None:
                        if found[0] != request_hash:
                            return JSONResponse(REUSED.body(), 409)
                        return JSONResponse(found[2], found[1], headers={"Idempotent-Replayed": "true"})
                    order_number = order_of(db, payload)
                    if order_number in faults.fail_5xx_orders:
                        return JSONResponse(
                            {"error": {"code": "unavailable", "message": "一時的に利用できません"}}, 503
                        )
                    try:
                        body, status = handler(db, payload, key), 200
                    except ApiError as err:
                        body, status = err.body(), err.status
                    store.remember(db, key, request_hash, status, body)
                if status == 200 and order_number in faults.hang_after_success_orders:
                    # Held back until the time is up or the fault is lifted (a test's teardown).
                    until = time.monotonic() + faults.hang_seconds
                    while time.monotonic() < until and order_number in faults.hang_after_success_orders:
                        time.sleep(0.05)
                return JSONResponse(body, status)

        return endpoint

    def _tx(db: sqlite3.Connection, tx_id: str) -> Transaction:
        tx = store.get(db, tx_id)
        if tx is None:
            raise ApiError(404, "not_found", "取引が見つかりません。")
        return tx

    def authorize(db: sqlite3.Connection, p: dict[str, Any], key: str) -> dict[str, Any]:
        method, number = str(p.get("method")), str(p.get("order_number") or "")
        amount, customer = int(p.get("amount") or 0), str(p.get("customer_ref") or "")
        if method not in METHODS or not number or amount <= 0:
            raise ApiError(422, "invalid_request", "決済方法・受注番号・金額を指定してください。")
        if method in NP_METHODS and store.open_for_order(db, NP_METHODS, number) is not None:
            store.log(db, None, number, "authorize", "registration_failed", key)
            raise ApiError(409, "registration_failed", REGISTRATION_FAILED)
        limit = faults.decline_amount_at_least
        if (limit is not None and amount >= limit) or customer in faults.decline_customers:
            store.log(db, None, number, "authorize", "declined", key)
            code = "credit_rejected" if method in NP_METHODS else "declined"
            message = (
                "与信審査の結果、ご利用いただけません。" if method in NP_METHODS else "カードが承認されませんでした。"
            )
            raise ApiError(402, code, message)
        tx = store.create(db, method, number, customer, amount)
        store.log(db, tx.id, number, "authorize", "ok", key)
        return {"transaction": tx.as_dict()}

    def capture(db: sqlite3.Connection, p: dict[str, Any], key: str) -> dict[str, Any]:
        tx = _tx(db, str(p["id"]))
        if tx.status != "authorized":
            store.log(db, tx.id, tx.order_number, "capture", "invalid", key)
            raise ApiError(409, "invalid_state", f"この取引は売上できません(状態: {tx.status})。")
        extra: dict[str, Any] = {}
        if tx.method in NP_METHODS:  # 出荷報告
            tracking, shipped = str(p.get("tracking_number") or ""), str(p.get("shipped_on") or "")
            if not TRACKING.match(tracking) or not shipped:
                store.log(db, tx.id, tx.order_number, "capture", "invalid", key)
                raise ApiError(422, "shipment_required", "出荷報告には半角英数字の配送伝票番号と発送日が必要です。")
            extra = {"tracking_number": tracking, "shipped_on": shipped}
        tx = store.set_status(db, tx, "captured", **extra)
        store.log(db, tx.id, tx.order_number, "capture", "ok", key)
        return {"transaction": tx.as_dict()}

    def cancel(db: sqlite3.Connection, p: dict[str, Any], key: str) -> dict[str, Any]:
        tx = _tx(db, str(p["id"]))
        if tx.status == "cancelled":
            store.log(db, tx.id, tx.order_number, "cancel", "invalid", key)
            raise ApiError(409, "invalid_state", "この取引は既に取消済みです。")
        tx = store.set_status(db, tx, "cancelled")
        store.log(db, tx.id, tx.order_number, "cancel", "ok", key)
        return {"transaction": tx.as_dict()}

    def order_of_payload(db: sqlite3.Connection, p: dict[str, Any]) -> str:
        return str(p.get("order_number") or "")

    def order_of_tx(db: sqlite3.Connection, p: dict[str, Any]) -> str:
        tx = store.get(db, str(p.get("id")))
        return tx.order_number if tx else ""

    authorize_ep, capture_ep, cancel_ep = (
        mutating(authorize, order_of_payload),
        mutating(capture, order_of_tx),
        mutating(cancel, order_of_tx),
    )

    async def body_of(request: Request) -> dict[str, Any]:
        try:
            data = await request.json()
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    async def post_authorization(request: Request) -> Response:
        return await _threaded(authorize_ep, request, await body_of(request))

    async def post_capture(request: Request) -> Response:
        return await _threaded(capture_ep, request, {**await body_of(request), "id": request.path_params["tx_id"]})

    async def post_cancel(request: Request) -> Response:
        return await _threaded(cancel_ep, request, {**await body_of(request), "id": request.path_params["tx_id"]})

    async def get_transaction(request: Request) -> Response:
        with store.connect() as db:
            tx = store.get(db, request.path_params["tx_id"])
        if tx is None:
            return JSONResponse(ApiError(404, "not_found", "取引が見つかりません。").body(), 404)
        return JSONResponse({"transaction": tx.as_dict()})

    async def list_transactions(request: Request) -> Response:
        return JSONResponse({"transactions": store.transactions(request.query_params.get("order_number", ""))})

    async def get_idempotency(request: Request) -> Response:
        found = store.answer_for(request.path_params["key"])
        if found is None:
            return JSONResponse({"error": {"code": "not_found", "message": "この要求は受け付けていません。"}}, 404)
        return JSONResponse({"status_code": found[0], "response": found[1]})

    async def operations(request: Request) -> Response:
        q = request.query_params
        return JSONResponse({"operations": store.operation_counts(q.get("order_number", ""), q.get("outcome", "ok"))})

    async def config(request: Request) -> Response:
        if request.method == "POST":
            try:
                faults.update(await body_of(request))
            except ValueError as err:
                return JSONResponse({"error": {"code": "invalid_config", "message": str(err)}}, 422)
        return JSONResponse(asdict(faults))

    async def page(request: Request) -> Response:
        number = request.query_params.get("order_number", "").strip()
        return HTMLResponse(render_page(store.transactions(number, limit=500), number))

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/healthz", health),
            Route("/v1/authorizations", post_authorization, methods=["POST"]),
            Route("/v1/transactions", list_transactions),
            Route("/v1/transactions/{tx_id}", get_transaction),
            Route("/v1/transactions/{tx_id}/capture", post_capture, methods=["POST"]),
            Route("/v1/transactions/{tx_id}/cancel", post_cancel, methods=["POST"]),
            Route("/v1/idempotency/{key:path}", get_idempotency),
            Route("/_sandbox/operations", operations),
            Route("/_sandbox/config", config, methods=["GET", "POST"]),
        ]
    )


_limiter: anyio.CapacityLimiter | None = None


async def _threaded(
    endpoint: Callable[[Request, dict[str, Any]], Response], request: Request, payload: dict[str, Any]
) -> Response:
    """The blocking part (latency, the database) on a worker thread, so calls overlap as they do at
    a real provider (up to 200 at once, beyond anyio's default of 40 threads)."""
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(200)
    return await anyio.to_thread.run_sync(endpoint, request, payload, limiter=_limiter)
