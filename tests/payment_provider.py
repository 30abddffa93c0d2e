"""The real sandbox payment provider (its own process and database) on a free port, for tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ecweb_core.settings import PROJECT_ROOT
from tests.redis_server import free_port

DEFAULT_FAULTS: dict[str, Any] = {
    "latency_ms": 0,
    "decline_amount_at_least": None,
    "decline_customers": [],
    "fail_5xx_orders": [],
    "hang_after_success_orders": [],
    "hang_seconds": 30.0,
}


@dataclass
class Provider:
    url: str

    def faults(self, **values: Any) -> None:
        """Sets failure injection (every value not given back to its default)."""
        httpx.post(f"{self.url}/_sandbox/config", json={**DEFAULT_FAULTS, **values}, timeout=5).raise_for_status()

    def operations(self, order_number: str = "", outcome: str = "ok") -> dict[tuple[str, str], int]:
        """(order number, kind) → how many operations with `outcome` the provider recorded (ok, or
        invalid: a capture / cancel of a transaction already captured / cancelled — a call made twice)."""
        params = {"order_number": order_number, "outcome": outcome}
        rows = httpx.get(f"{self.url}/_sandbox/operations", params=params, timeout=5).json()
        return {(r["order_number"], r["kind"]): r["n"] for r in rows["operations"]}

    def transactions(self, order_number: str) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/v1/transactions", params={"order_number": order_number}, timeout=5).json()[
            "transactions"
        ]


@contextmanager
def sandbox_provider(folder: Path, latency_ms: int = 0) -> Iterator[Provider]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecweb_core.payments.sandbox", "--port", str(port), "--db", str(folder / "sandbox.db"),
         "--latency-ms", str(latency_ms)],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the sandbox payment provider did not start")
        yield Provider(url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a request still held back by a fault
            proc.kill()
            proc.wait(timeout=10)
