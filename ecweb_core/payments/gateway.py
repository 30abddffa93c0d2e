"""The payment gateway: the one interface ecweb_core talks to a payment provider through, and its
client for the local sandbox provider (a real provider would be another implementation).

Every mutating call carries an idempotency key; the provider replays the first answer to a key. A
result says, in the external-effect ledger's terms, what the call did: succeeded, declined (a
definite no, nothing happened), failed (nothing happened: may be tried again) or unknown (the call
may have happened: a timeout after sending). `lookup` asks the provider what became of a key, which
is what the ledger does instead of calling again when it does not know.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ecweb_core import ledger


@dataclass(frozen=True)
class AuthorizeRequest:
    method: str  # the provider's method: card | np | np_wiz | amazon_pay
    order_number: str
    amount: int
    customer_ref: str


@dataclass(frozen=True)
class GatewayResult:
    state: str  # a ledger state: succeeded | declined | failed | unknown
    ref: str | None = None  # the provider's transaction id
    status: str | None = None  # the transaction's status after the call: authorized | captured | cancelled
    message: str = ""  # Japanese, for the result CSV

    def as_ledger(self) -> ledger.Result:
        return ledger.Result(self.state, self.message, self.ref)


class PaymentGateway(Protocol):
    def authorize(self, request: AuthorizeRequest, key: str) -> GatewayResult: ...

    def capture(self, ref: str, key: str, *, tracking_number: str = "", shipped_on: str = "") -> GatewayResult: ...

    def cancel(self, ref: str, key: str) -> GatewayResult: ...

    def reauthorize(self, old_ref: str | None, request: AuthorizeRequest, key: str) -> GatewayResult:
        """A new authorization, the previous one (if any) released first."""
        ...

    def lookup(self, key: str) -> GatewayResult | None:
        """What became of the call made with `key`: its result, FAILED if the provider never got it,
        None if the provider cannot be asked right now."""
        ...


UNREACHABLE = "決済サービスに接続できません"
NO_ANSWER = "決済サービスの応答がありません(結果不明)"


class SandboxGateway:
    """The HTTP client of the sandbox provider (ecweb_core/payments/sandbox). Thread-safe: a job's
    calls run concurrently on one connection pool."""

    def __init__(self, base_url: str, timeout_s: float = 10.0, max_connections: int = 64) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    def authorize(self, request: AuthorizeRequest, key: str) -> GatewayResult:
        body = {"method": request.method, "order_number": request.order_number, "amount": request.amount,
                "customer_ref": request.customer_ref}  # fmt: skip
        return self._post("/v1/authorizations", body, key)

    def capture(self, ref: str, key: str, *, tracking_number: str = "", shipped_on: str = "") -> GatewayResult:
        body = {"tracking_number": tracking_number, "shipped_on": shipped_on} if tracking_number else {}
        return self._post(f"/v1/transactions/{ref}/capture", body, key)

    def cancel(self, ref: str, key: str) -> GatewayResult:
        return self._post(f"/v1/transactions/{ref}/cancel", {}, key)

    def reauthorize(self, old_ref: str | None, request: AuthorizeRequest, key: str) -> GatewayResult:
        if old_ref:
            released = self._post(f"/v1/transactions/{old_ref}/cancel", {}, f"{key}:release")
            # Already released (or never at this provider) is fine; anything unknown is not.
            if released.state in (ledger.FAILED, ledger.UNKNOWN):
                return GatewayResult(released.state, message=f"前の与信を取り消せませんでした: {released.message}")
        return self.authorize(request, key)

    def lookup(self, key: str) -> GatewayResult | None:
        try:
            response = self.client.get(f"/v1/idempotency/{key}")
        except httpx.HTTPError:
            return None
        if response.status_code == 404:
            return GatewayResult(ledger.FAILED, message="決済サービスに届いていませんでした")
        if response.status_code != 200:
            return None
        stored = response.json()
        return _interpret(int(stored["status_code"]), stored["response"])

    def _post(self, path: str, body: dict[str, Any], key: str) -> GatewayResult:
        try:
            response = self.client.post(path, json=body, headers={"Idempotency-Key": key})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            return GatewayResult(ledger.FAILED, message=f"{UNREACHABLE}({type(exc).__name__})")
        except httpx.HTTPError as exc:  # sent, then no answer: it may have been done
            return GatewayResult(ledger.UNKNOWN, message=f"{NO_ANSWER}({type(exc).__name__})")
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        return _interpret(response.status_code, payload)


def _interpret(status_code: int, payload: dict[str, Any]) -> GatewayResult:
    if status_code == 200:
        tx = payload.get("transaction") or {}
        return GatewayResult(ledger.SUCCEEDED, ref=tx.get("id"), status=tx.get("status"))
    error = payload.get("error") or {}
    message = str(error.get("message") or f"HTTP {status_code}")
    if status_code == 503:  # refused before doing anything: may be tried again
        return GatewayResult(ledger.FAILED, message=f"決済サービスが一時的に利用できません: {message}")
    if status_code >= 500:
        return GatewayResult(ledger.UNKNOWN, message=f"決済サービスのエラー(結果不明): {message}")
    return GatewayResult(ledger.DECLINED, message=message)


_gateways: dict[tuple[int, str, float], SandboxGateway] = {}
_lock = threading.Lock()


def get_gateway(base_url: str, timeout_s: float) -> PaymentGateway:
    """One client per provider URL and process (its connection pool is shared by the job's threads)."""
    with _lock:
        key = (os.getpid(), base_url, timeout_s)  # a forked worker opens its own connections
        if key not in _gateways:
            _gateways[key] = SandboxGateway(base_url, timeout_s)
        return _gateways[key]
