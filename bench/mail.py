"""メール一括通知 throughput: N mails to a local aiosmtpd server started by the bench (in its own
process, counting and discarding), sent by our service (load + render + claim in the external-effect
ledger + send + record, 1,000 orders per call like a job chunk), next to raw smtplib sending the same prepared
messages over one connection. Prints mails/s and the ratio.

    python bench/mail.py --mails 10000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import smtplib
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecweb_core.demo import generate  # noqa: E402
from ecweb_core.mail.context import load_order_mails  # noqa: E402
from ecweb_core.mail.render import render, render_subject  # noqa: E402
from ecweb_core.mail.service import content_from_template, send_order_mails, system_template_id  # noqa: E402
from ecweb_core.mail.smtp import build_message, wire_bytes  # noqa: E402
from ecweb_core.models import Customer, Order  # noqa: E402
from tests.dbs import fresh_database  # noqa: E402
from tests.mail_server import free_port  # noqa: E402

CHUNK = 1000
SENDER = "noreply@ecweb.example"


def _serve(port: int, ready: mp.Event, stop: mp.Event, count: mp.Value) -> None:  # type: ignore[valid-type]
    from ecweb_core.mail.capture import start

    def store(_mail: object) -> None:
        with count.get_lock():  # type: ignore[attr-defined]
            count.value += 1  # type: ignore[attr-defined]

    controller = start(store, port)
    ready.set()  # type: ignore[attr-defined]
    stop.wait()  # type: ignore[attr-defined]
    controller.stop()


def prepare(engine: Engine, mails: int) -> list[int]:
    generate(engine, mails, seed=21)
    with engine.begin() as conn:
        conn.execute(
            update(Customer).values(mail_opt_in=True, email=literal("c") + cast(Customer.id, String) + "@example.jp")
        )
        return list(conn.execute(select(Order.id).order_by(Order.id)).scalars())


def ours(engine: Engine, ids: list[int], url: str) -> float:
    with engine.connect() as conn:
        content = content_from_template(conn, system_template_id(conn, "商品発送完了メール") or 0)
    started = time.perf_counter()
    for n in range(0, len(ids), CHUNK):
        out = send_order_mails(engine, ids[n : n + CHUNK], content, "bench", smtp_url=url)
        bad = {k: v for k, v in out.items() if v[0] != "ok"}
        assert not bad, list(bad.items())[:3]
    return time.perf_counter() - started


def prepared_messages(engine: Engine, ids: list[int]) -> list[tuple[str, bytes]]:
    with engine.connect() as conn:
        content = content_from_template(conn, system_template_id(conn, "商品発送完了メール") or 0)
        out: list[tuple[str, bytes]] = []
        for n in range(0, len(ids), CHUNK):
            for m in load_order_mails(conn, ids[n : n + CHUNK]).values():
                msg = build_message(
                    sender=SENDER, sender_name=m.context["shop"].name, to=m.email or "", to_name=m.name, cc=[],
                    subject=render_subject(content.subject, m.context), body=render(content.body, m.context),
                )  # fmt: skip
                out.append((m.email or "", wire_bytes(msg)))
    return out


def raw(messages: list[tuple[str, bytes]], port: int) -> float:
    started = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port)
    for to, data in messages:
        client.sendmail(SENDER, [to], data)
    client.quit()
    return time.perf_counter() - started


def run(backend: str, mails: int) -> None:
    port = free_port()
    ready, stop, count = mp.Event(), mp.Event(), mp.Value("i", 0)
    server = mp.Process(target=_serve, args=(port, ready, stop, count), daemon=True)
    server.start()
    ready.wait(30)
    try:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(backend, Path(tmp)) as engine:
            ids = prepare(engine, mails)
            t_ours = ours(engine, ids, f"smtp://127.0.0.1:{port}")
            received_ours = count.value
            messages = prepared_messages(engine, ids)
            t_raw = raw(messages, port)
            received_raw = count.value - received_ours
    finally:
        stop.set()
        server.join(10)
    assert received_ours == received_raw == mails, (received_ours, received_raw)
    print(f"{backend}: {mails:,} mails to a local aiosmtpd server (商品発送完了メール, one connection per {CHUNK:,})")
    print(f"  ours (load + render + claim + send + log): {t_ours:7.2f} s  {mails / t_ours:8,.0f} mails/s")
    print(f"  raw smtplib, prepared messages, 1 conn:    {t_raw:7.2f} s  {mails / t_raw:8,.0f} mails/s")
    print(f"  ratio ours / raw: {t_ours / t_raw:.2f}× the time ({t_raw / t_ours:.0%} of raw throughput)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--postgres", help="also run on this PostgreSQL server (a fresh database is created)")
    args = parser.parse_args()
    run("sqlite", args.mails)
    if args.postgres:
        import os

        os.environ["TEST_DATABASE_URL"] = args.postgres
        run("postgres", args.mails)


if __name__ == "__main__":
    main()
