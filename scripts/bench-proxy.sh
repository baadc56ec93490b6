#!/usr/bin/env bash
# Measures what the support proxy adds: throughput and latency with wrk, time to first byte
# with curl, and 200 concurrent streamed replies (p50/p99 added latency), each straight to a
# local scripted upstream and through the proxy; then whether 200 slow clients (sending their
# headers a byte a second) delay a normal request. Every run is bounded in count and time.
# Everything listens on 127.0.0.1 and is stopped at the end. Prints Markdown tables.
#   scripts/bench-proxy.sh [SECONDS]   (default 10 per wrk run)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null; }
cargo build -q --release --locked -p support-proxy --bin support-proxy --example bench_upstream --example bench_client
bin=${CARGO_TARGET_DIR:-target}/release

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Two upstreams: one that pauses 20 ms after its first piece (time to first byte is then
# clearly not the whole reply), one that answers at once (for throughput); a proxy before each.
start_pair() { # upstream-port proxy-port gap-ms
  PORT=$1 GAP_MS=$3 "$bin/examples/bench_upstream" >/dev/null & pids+=($!)
  BIND=127.0.0.1:$2 UPSTREAM_BASE_URL=http://127.0.0.1:$1/v1 UPSTREAM_API_KEY=bench-key \
    RATE_LIMIT_PER_MINUTE=100000 RATE_LIMIT_BURST=100000 DATABASE_URL="sqlite://$work/orders-$2.db" \
    STATIC_DIR="$work" LOG=error "$bin/support-proxy" >/dev/null & pids+=($!)
}
start_pair 9911 9912 20
start_pair 9913 9914 0
for port in 9911 9912 9913 9914; do
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

body='{"model":"llama-3.3-70b","stream":true,"max_tokens":512,"messages":[{"role":"user","content":"How long will the refund take?"}]}'
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA

# Median time to first byte over 200 sequential requests, in milliseconds.
ttfb() {
  for _ in $(seq 200); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' -H 'Content-Type: application/json' -d "$body" "$1"
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int(NR / 2) + 1] * 1000 }'
}

# wrk: requests per second, p50 and p99 latency.
load() {
  wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/post.lua" "$1" |
    awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { printf "%s|%s|%s", rps, p50, p99 }'
}

direct_ttfb=$(ttfb http://127.0.0.1:9911/v1/chat/completions)
proxy_ttfb=$(ttfb http://127.0.0.1:9912/v1/chat/completions)
IFS='|' read -r direct_rps direct_p50 direct_p99 <<<"$(load http://127.0.0.1:9913/v1/chat/completions)"
IFS='|' read -r proxy_rps proxy_p50 proxy_p99 <<<"$(load http://127.0.0.1:9914/v1/chat/completions)"
orders_rps=$(wrk -t2 -c32 -d"${seconds}s" http://127.0.0.1:9912/v1/orders/ORD-1002 | awk '/Requests\/sec/ { print $2 }')

echo "| path | time to first byte (median of 200; reply takes 20 ms) | requests/s (wrk, 32 connections, instant reply) | p50 | p99 |"
echo "|---|---|---|---|---|"
echo "| straight to the upstream | ${direct_ttfb} ms | ${direct_rps} | ${direct_p50} | ${direct_p99} |"
echo "| through support-proxy | ${proxy_ttfb} ms | ${proxy_rps} | ${proxy_p50} | ${proxy_p99} |"
awk -v a="$direct_ttfb" -v b="$proxy_ttfb" 'BEGIN { printf "\nadded time to first byte: %.2f ms\n", b - a }'
echo "order lookups through the proxy (SQLite): ${orders_rps} requests/s"

# 200 streamed replies at once (5 rounds after a warm-up round), each taking 20 ms upstream.
read -r c_direct_p50 c_direct_p99 c_direct_failed <<<"$("$bin/examples/bench_client" concurrent http://127.0.0.1:9911/v1/chat/completions 200 5)"
read -r c_proxy_p50 c_proxy_p99 c_proxy_failed <<<"$("$bin/examples/bench_client" concurrent http://127.0.0.1:9912/v1/chat/completions 200 5)"
echo
echo "| 200 concurrent streamed replies (5 rounds; the reply takes 20 ms) | p50 | p99 | failed |"
echo "|---|---|---|---|"
echo "| straight to the upstream | ${c_direct_p50} ms | ${c_direct_p99} ms | ${c_direct_failed} |"
echo "| through support-proxy | ${c_proxy_p50} ms | ${c_proxy_p99} ms | ${c_proxy_failed} |"
awk -v a="$c_direct_p50" -v b="$c_proxy_p50" -v c="$c_direct_p99" -v d="$c_proxy_p99" \
  'BEGIN { printf "| added by the proxy | %.2f ms | %.2f ms | |\n", b - a, d - c }'

# 200 connections sending their headers a byte a second for 12 s, beside 100 normal requests.
read -r alone_p50 alone_max beside_p50 beside_max closed <<<"$("$bin/examples/bench_client" slow 127.0.0.1:9912 http://127.0.0.1:9912/v1/chat/completions 200 12)"
echo
echo "| a normal streamed request through the proxy (100 in a row) | p50 | max |"
echo "|---|---|---|"
echo "| alone | ${alone_p50} ms | ${alone_max} ms |"
echo "| beside 200 slow clients (headers a byte a second) | ${beside_p50} ms | ${beside_max} ms |"
echo
echo "slow clients disconnected by the proxy's 10 s header time limit within 12 s: ${closed} of 200"
