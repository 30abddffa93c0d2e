"""PDF一括出力 throughput and memory: N orders' 請求書 through the whole job, next to xhtml2pdf rendering
the same HTML pages directly (the physical limit of the chosen renderer), measured in one run:

- job     registration (snapshot), the runner's chunks (50 orders: load, HTML, xhtml2pdf, outline
          read-back, part file, job_export_pages, document_issues, outcomes), the result CSV and the
          streaming merge of the parts into one PDF in the grid's order;
- direct  the same orders' HTML built beforehand (not timed), then only xhtml2pdf (pisa.CreatePDF) on
          the same 50-order batches, each PDF written to a file.

Each runs in a fresh child process that reports its time, its peak memory growth (VmHWM at the end
minus VmRSS after warming up) and its RSS sampled every 0.25 s (flat or growing?). The two alternate
for --rounds rounds (the machine is shared: the best round of each is compared, every round printed).

    python bench/pdf_export.py --orders 2000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 50


def _mem(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.samples.append(_mem("VmRSS"))


def _spec(engine):  # type: ignore[no-untyped-def]
    from sqlalchemy import select
    from sqlmodel import Session

    from ecweb_core.documents.spec import DocSpec
    from ecweb_core.models import DocumentTemplate

    with Session(engine) as s:
        t = s.execute(select(DocumentTemplate).where(DocumentTemplate.name == "請求書")).scalar_one()
        return int(t.id or 0), DocSpec.of(t)


def _warm(engine, spec) -> None:  # type: ignore[no-untyped-def]
    """Font, layout and one render: both methods start warm (the job's worker process is long-lived)."""
    from datetime import date

    from ecweb_core.documents.data import load_docs
    from ecweb_core.documents.render import render_documents

    with engine.connect() as conn:
        render_documents(list(load_docs(conn, [1, 2], spec.kind).values()), spec, date(2026, 11, 5), None, "")


def child_job(db: str, jobs_dir: str) -> dict[str, object]:
    os.environ["ECWEB_JOB_FILES_DIR"] = jobs_dir
    from pypdf import PdfReader
    from sqlalchemy import select
    from sqlmodel import Session

    from ecweb_core.db import make_engine
    from ecweb_core.jobs.register import register_job
    from ecweb_core.jobs.runner import run_job
    from ecweb_core.models import Job, Operator
    from ecweb_core.selection import Selection

    engine = make_engine(db)
    template_id, spec = _spec(engine)
    _warm(engine, spec)
    base = _mem("VmRSS")
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    with Session(engine) as s:
        op = s.execute(select(Operator.id)).scalars().first()
        job = register_job(s, "pdf_export", int(op or 0), Selection(all_results=True),
                           {"template_id": str(template_id), "issue_date": "2026-11-05"})  # fmt: skip
    summary = run_job(engine, int(job.id or 0), chunk_size=5000)
    seconds = time.perf_counter() - started
    sampler.stop.set()
    with Session(engine) as s:
        path = s.get(Job, job.id).export_path  # type: ignore[union-attr]
    pages = len(PdfReader(path).pages)
    return {"seconds": seconds, "pages": pages, "ok": summary.succeeded, "base_mb": base,
            "peak_mb": _mem("VmHWM") - base, "rss": sampler.samples, "bytes": Path(path).stat().st_size}  # fmt: skip


def child_direct(db: str, out_dir: str) -> dict[str, object]:
    from datetime import date

    from sqlalchemy import select

    from ecweb_core.db import make_engine
    from ecweb_core.documents.data import load_docs
    from ecweb_core.documents.render import _pdf, document_html
    from ecweb_core.models import Order

    engine = make_engine(db)
    _, spec = _spec(engine)
    _warm(engine, spec)
    with engine.connect() as conn:
        ids = list(conn.execute(select(Order.id).order_by(Order.id)).scalars())
        bodies = []
        for k in range(0, len(ids), BATCH):
            docs = load_docs(conn, ids[k : k + BATCH], spec.kind)
            bodies.append([document_html(docs[i], spec, date(2026, 11, 5), None, "") for i in ids[k : k + BATCH]])
    base = _mem("VmRSS")
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    pages = 0
    for n, batch in enumerate(bodies):
        data = _pdf(batch)
        Path(out_dir, f"direct-{n:05d}.pdf").write_bytes(data)
        pages += len(batch)
    seconds = time.perf_counter() - started
    sampler.stop.set()
    return {"seconds": seconds, "pages": pages, "base_mb": base, "peak_mb": _mem("VmHWM") - base,
            "rss": sampler.samples}  # fmt: skip


def _child(method: str, *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", method, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss(samples: list[int]) -> str:
    if not samples:
        return "-"
    picks = [samples[int(f * (len(samples) - 1))] for f in (0, 0.25, 0.5, 0.75, 1)]
    return " → ".join(f"{v}" for v in picks) + " MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        method, *rest = args.child
        print(json.dumps({"job": child_job, "direct": child_direct}[method](*rest)))
        return
    from ecweb_core.db import make_engine
    from ecweb_core.demo import generate
    from ecweb_core.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(db)
        upgrade(engine)
        t = time.perf_counter()
        generate(engine, args.orders, seed=17)
        engine.dispose()
        print(f"{args.orders:,} orders generated in {time.perf_counter() - t:.1f} s (SQLite)")
        runs: dict[str, list[dict[str, object]]] = {"direct": [], "job": []}
        for n in range(args.rounds):
            runs["direct"].append(_child("direct", db, tmp))
            runs["job"].append(_child("job", db, f"{tmp}/jobs{n}"))
    rate = {m: [r["pages"] / r["seconds"] for r in rs] for m, rs in runs.items()}  # type: ignore[operator]
    for n in range(args.rounds):
        d, j = runs["direct"][n], runs["job"][n]
        print(f"round {n + 1}:")
        print(f"  direct xhtml2pdf ({BATCH}-order documents)  {d['seconds']:7.1f} s  {rate['direct'][n]:6.1f} pages/s  "
              f"peak +{d['peak_mb']} MB  RSS {_rss(d['rss'])}")  # type: ignore[arg-type]  # fmt: skip
        print(f"  PDF一括出力 job (incl. merge)       {j['seconds']:7.1f} s  {rate['job'][n]:6.1f} pages/s  "
              f"peak +{j['peak_mb']} MB  RSS {_rss(j['rss'])}  ({j['pages']} pages, "
              f"{int(j['bytes']) / 1e6:.1f} MB PDF)")  # type: ignore[arg-type]  # fmt: skip
    best_d, best_j = max(rate["direct"]), max(rate["job"])
    print(f"best: direct {best_d:.1f} pages/s, job {best_j:.1f} pages/s — job / direct: {best_j / best_d:.2f}×")


if __name__ == "__main__":
    main()
