"""Demo data at the sandbox provider: the demo orders' 決済状況 say an authorization (仮売上完了,
与信審査中 …) or a capture (売上完了) exists; this makes those transactions at the provider, through
the ledger, so 売上処理 and 取消処理 of demo orders reach it like real ones.

    python -m ecweb_core.payments.demo      (make run does this in the background, once)

Idempotent: only orders without a provider transaction are taken, and the ledger's dedupe key
"demo" keeps a second run from calling the provider again for any of them."""

from __future__ import annotations

import argparse
import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from ecweb_core import ledger
from ecweb_core.db import get_engine
from ecweb_core.models import Order, PaymentMethod
from ecweb_core.models.common import JST
from ecweb_core.payments.gateway import AuthorizeRequest, GatewayResult, get_gateway
from ecweb_core.payments.processes import NP_CODES, PROVIDER_METHODS, TRACKING
from ecweb_core.settings import load_settings

log = logging.getLogger(__name__)
KIND, KEY = "payment.demo", "demo"
WITH_TRANSACTION = ("authorized", "auth_requested", "credit_review", "captured")
CHUNK = 500


def _pending(engine: Engine, after: int) -> list[tuple[int, str, int, int, str, str, str | None, object]]:
    o, pm = Order.__table__.c, PaymentMethod.__table__.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(o.id, o.number, o.customer_id, o.total, pm.code, o.payment_status, o.tracking_number, o.shipped_at)
            .join_from(Order.__table__, PaymentMethod.__table__, pm.id == o.payment_method_id)
            .where(
                o.id > after,
                o.payment_ref.is_(None),
                pm.code.in_(list(PROVIDER_METHODS)),
                o.payment_status.in_(WITH_TRANSACTION),
            )  # fmt: skip
            .order_by(o.id)
            .limit(CHUNK)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def seed(engine: Engine) -> int:
    """Returns how many orders got their transaction."""
    settings = load_settings()
    gateway = get_gateway(settings.payment_provider_url, settings.payment_timeout_s)
    done, after = 0, 0
    while rows := _pending(engine, after):
        after = rows[-1][0]
        claim = ledger.claim(engine, KIND, KEY, [ledger.Intent(r[0], target=r[4]) for r in rows])
        mine = [r for r in rows if r[0] in set(claim.mine)]

        def make(r: tuple[int, str, int, int, str, str, str | None, object]) -> tuple[int, str, GatewayResult]:
            oid, number, customer, total, method, status, tracking, shipped = r
            key = f"{KIND}:{KEY}:{oid}"
            request = AuthorizeRequest(PROVIDER_METHODS[method], number, max(1, total), f"customer-{customer}")
            result = gateway.authorize(request, key)
            if result.state == ledger.SUCCEEDED and status == "captured" and result.ref:
                np_ok = method not in NP_CODES or (tracking and TRACKING.match(tracking) and shipped)
                if np_ok:
                    shipped_on = shipped.astimezone(JST).date().isoformat() if shipped else ""  # type: ignore[attr-defined]
                    captured = gateway.capture(result.ref, f"{key}:capture", tracking_number=tracking or "",
                                               shipped_on=shipped_on)  # fmt: skip
                    if captured.state != ledger.SUCCEEDED:
                        log.warning("demo capture of %s: %s", number, captured.message)
            return oid, method, result

        with ThreadPoolExecutor(max_workers=max(1, settings.payment_in_flight)) as pool:
            results = list(pool.map(make, mine))
        ledger.record(engine, claim, {oid: r.as_ledger() for oid, _, r in results})
        refs = [{"b_id": oid, "b_ref": r.ref, "b_method": m} for oid, m, r in results if r.ref]
        if refs:
            np_refs = [x for x in refs if x["b_method"] in NP_CODES]
            with engine.begin() as conn:
                o = Order.__table__
                conn.execute(
                    update(o)
                    .where(o.c.id == bindparam("b_id"))
                    .values(payment_ref=bindparam("b_ref"), payment_ref_method=bindparam("b_method")),
                    refs,
                )
                if np_refs:
                    np_ref = update(o).where(o.c.id == bindparam("b_id")).values(np_transaction_id=bindparam("b_ref"))
                    conn.execute(np_ref, np_refs)
        done += len(refs)
    return done


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    argparse.ArgumentParser(description=__doc__).parse_args()
    n = seed(get_engine())
    log.info("sandbox provider: %d demo orders got their transaction", n)


if __name__ == "__main__":
    main()
