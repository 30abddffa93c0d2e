#!/usr/bin/env bash
# `make run`: installs, migrates, seeds demo data when the database is empty, then starts
# a private redis-server (durable: an append-only file in var/redis), the mail capture server, the
# sandbox payment provider, the scheduler, one Dramatiq worker and the Reflex app. Every process but
# the app is supervised: started again when it dies (scripts/lib.sh). Ctrl-C stops them all.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh
source scripts/env.sh
source scripts/lib.sh

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  sleep 3
  for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

start_private_redis "$ROOT/var" durable && pids+=("${REDIS_PID:-}")
python -m ecweb_core.migrate
python -m ecweb_core.demo --if-empty --orders "${ECWEB_DEMO_ORDERS:-20000}"

# Mail (issue 6): without SMTP_URL, a local capture server keeps every mail for the 送信メール page.
if [ -z "${SMTP_URL:-}" ]; then
  SMTP_PORT="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  supervise mail-capture var/mail-capture.log python -m ecweb_core.mail.capture --port "$SMTP_PORT"
  pids+=("$SUPERVISED_PID")
  export SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
fi

# Payment (issue 15): without PAYMENT_PROVIDER_URL, the local sandbox provider (its own process and
# database, its 決済管理画面 at its URL) receives 売上処理 / 取消処理 / 再オーソリ処理.
if [ -z "${PAYMENT_PROVIDER_URL:-}" ]; then
  PAY_PORT="$(free_port)"
  supervise sandbox var/sandbox.log python -m ecweb_core.payments.sandbox --port "$PAY_PORT" --db var/sandbox.db
  pids+=("$SUPERVISED_PID")
  export PAYMENT_PROVIDER_URL="http://127.0.0.1:$PAY_PORT"
  python - "$PAYMENT_PROVIDER_URL" <<'PY'
import sys, time, httpx
for _ in range(100):
    try:
        httpx.get(sys.argv[1] + "/healthz", timeout=1).raise_for_status()
        break
    except httpx.HTTPError:
        time.sleep(0.1)
PY
  # The demo orders' authorizations and captures, made once at the provider (in the background).
  setsid python -m ecweb_core.payments.demo > var/payment-demo.log 2>&1 &
  pids+=($!)
fi

# The scheduler (one process): the 定期受注 engine's tick every 5 minutes (it runs each day once).
supervise scheduler var/scheduler.log periodiq workers
pids+=("$SUPERVISED_PID")

# The worker: its sweep re-sends the jobs a dead worker held (workers/sweep.py); supervise restarts it.
# One message in hand per thread: a busy worker leaves the next jobs (and a shared job's chunks) to free ones.
export dramatiq_queue_prefetch="${dramatiq_queue_prefetch:-${ECWEB_WORKER_THREADS:-4}}"
supervise worker var/worker.log dramatiq workers --processes 1 --threads "${ECWEB_WORKER_THREADS:-4}"
pids+=("$SUPERVISED_PID")

PORT="${ECWEB_PORT:-3000}"
export ECWEB_FRONTEND_PORT="$PORT" ECWEB_BACKEND_PORT="$PORT"
cat <<MSG

  ecweb is starting at http://localhost:$PORT/
  demo login: demo / demo1234
  (redis: $REDIS_URL, database: ${DATABASE_URL:-sqlite var/ecweb.db}, worker log: var/worker.log)
  (mail: $SMTP_URL — a local capture server unless SMTP_URL was set; see 送信メール)
  (payment provider: $PAYMENT_PROVIDER_URL — its 決済管理画面 is that URL)

MSG
# prod serves the built frontend and the backend on one port.
setsid reflex run --env prod --single-port --frontend-port "$PORT" --backend-port "$PORT" &
pids+=($!)
wait "${pids[-1]}"
