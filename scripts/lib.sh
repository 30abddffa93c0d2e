# Helpers shared by run.sh and test.sh.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts a private redis-server unless REDIS_URL is already set; exports REDIS_URL.
start_private_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  local port dir
  port="$(free_port)"
  dir="${1:-$ROOT/var}/redis"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    --logfile "$dir/redis.log" --daemonize no &
  REDIS_PID=$!
  export REDIS_URL="redis://127.0.0.1:$port/0"
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start on port $port" >&2
  return 1
}
