#!/usr/bin/env bash
# Runs the whole product: builds the widget in release mode and starts the support proxy, which
# serves the demo store page and forwards the chat with the server-side key.
#   OXLO_API_KEY=... ./scripts/run.sh                       # against Oxlo
#   UPSTREAM_BASE_URL=http://localhost:11434/v1 ALLOWED_MODELS=llama3.2 ./scripts/run.sh
# Then open http://127.0.0.1:8080 (BIND changes the address). Every variable: README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-prereqs.sh
export PATH="$PWD/tools/node_modules/.bin:$PATH"
trunk build --release --locked
cargo build --release --locked -p support-proxy
export STATIC_DIR="${STATIC_DIR:-$PWD/dist}"
exec target/release/support-proxy "$@"
