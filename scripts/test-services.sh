#!/usr/bin/env bash
# Starts the services the tests use, each a throwaway instance on 127.0.0.1 and a random port:
# a PostgreSQL cluster (TEST_DATABASE_URL) and a Redis server (TEST_REDIS_URL). Runs the given
# command with both variables set (and REQUIRE_SERVICES=1, so that the tests needing them fail
# rather than skip without them), then stops both by PID and removes their files.
# Usage: scripts/test-services.sh COMMAND [ARGS...]
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "test-services: PostgreSQL is not installed (scripts/install-prereqs.sh installs it)" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test-services: redis-server is not installed (scripts/install-prereqs.sh installs it)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/support-services.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=$(free_port)
redis_port=$(free_port)
redis_pid=""
as_postgres=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as_postgres=(runuser -u postgres --)
fi

cleanup() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir -c fsync=off" start >/dev/null
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"

# No persistence, no protected-mode surprises: a scratch server for this run only.
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --dir "$dir" --logfile "$dir/redis.log" --daemonize no &
redis_pid=$!
for _ in $(seq 100); do
  if python3 -c 'import socket, sys; s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1); s.sendall(b"PING\r\n"); sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)' "$redis_port" 2>/dev/null; then
    break
  fi
  kill -0 "$redis_pid" 2>/dev/null || { echo "test-services: redis-server did not start" >&2; cat "$dir/redis.log" >&2; exit 1; }
  sleep 0.1
done
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
# Tests that need these services fail, rather than pass unrun, when they are missing.
export REQUIRE_SERVICES=1

"$@"
