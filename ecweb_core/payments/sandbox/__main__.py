"""python -m ecweb_core.payments.sandbox --port 8765 --db var/sandbox.db [--latency-ms 50]"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn

from ecweb_core.payments.sandbox.app import Faults, create_app
from ecweb_core.payments.sandbox.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description="sandbox payment provider")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", type=Path, default=Path("var/sandbox.db"))
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    app = create_app(Store(args.db), Faults(latency_ms=args.latency_ms))

    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
