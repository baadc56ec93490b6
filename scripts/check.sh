#!/usr/bin/env bash
# Installs whatever is missing (idempotently), then runs every check the project has:
# formatting, clippy with warnings denied (native and wasm32), the native tests, the browser
# tests in headless Chromium, a release build of the widget bundle, and the end-to-end tests.
# The database and shared-limit tests, and the end-to-end run of the proxy on PostgreSQL, use a
# throwaway PostgreSQL cluster and Redis server on 127.0.0.1 that scripts/test-services.sh
# starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/install-prereqs.sh"
export PATH="$PWD/tools/node_modules/.bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

# Every test run's output also goes to a log, so the total can be printed at the end.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tests() { "$@" 2>&1 | tee -a "$log"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native crates)"
cargo clippy --workspace --exclude support-widget --all-targets --locked -- -D warnings

step "clippy (widget, wasm32)"
cargo clippy -p support-widget --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "native tests (with a throwaway PostgreSQL and Redis on 127.0.0.1)"
tests ./scripts/test-services.sh cargo test --workspace --exclude support-widget --lib --bins --tests --locked

step "browser tests (headless Chromium)"
tests cargo test -p support-widget --target wasm32-unknown-unknown --tests --locked

step "release bundle"
trunk build --release --locked
wasm=$(ls dist/*.wasm)
printf 'bundle: %s bytes wasm (%s)\n' "$(stat -c %s "$wasm")" "$wasm"

step "end-to-end tests (headless Chromium, scripted server, the proxy on SQLite and PostgreSQL)"
cargo build --locked -p support-proxy
# The proxy's PostgreSQL run needs TEST_DATABASE_URL; here it must run, never skip.
tests env E2E_REQUIRE_POSTGRES=1 ./scripts/test-services.sh npm --prefix tests/e2e test

passed=$( { sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' "$log"; sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log"; } |
  awk '{ s += $1 } END { print s + 0 }')
printf '\nall checks passed\n%s passed, 0 failed\n' "$passed"
