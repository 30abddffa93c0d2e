# Helpers shared by run.sh and test.sh.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command in its own process group and starts it again whenever it exits, so a worker
# (or the provider, the scheduler …) that died does not leave jobs 登録済 (issue 19).
# Usage: supervise NAME LOGFILE CMD ARGS…; sets SUPERVISED_PID (the group to kill on exit).
supervise() {
  local name="$1" log="$2"
  shift 2
  setsid bash -c '
    name="$1"; shift
    while true; do
      "$@"
      rc=$?
      echo "$(date -Is) supervise: $name exited with status $rc, starting it again in 2 s" >&2
      sleep 2
    done' _ "$name" "$@" >>"$log" 2>&1 &
  SUPERVISED_PID=$!
}

# Starts a private redis-server unless REDIS_URL is already set; exports REDIS_URL.
# `durable` (make run): an append-only file in the folder, fsynced every second, and restarted if
# it dies — queued jobs and the open tabs' sessions survive a Redis restart. Tests use a throwaway one.
start_private_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  local port dir mode
  port="$(free_port)"
  dir="${1:-$ROOT/var}/redis"
  mode="${2:-throwaway}"
  mkdir -p "$dir"
  if [ "$mode" = durable ]; then
    supervise redis "$dir/supervise.log" redis-server --port "$port" --bind 127.0.0.1 --save "" \
      --appendonly yes --appendfsync everysec --dir "$dir" --logfile "$dir/redis.log" --daemonize no
    REDIS_PID=$SUPERVISED_PID
  else
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
      --logfile "$dir/redis.log" --daemonize no &
    REDIS_PID=$!
  fi
  export REDIS_URL="redis://127.0.0.1:$port/0"
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start on port $port" >&2
  return 1
}
