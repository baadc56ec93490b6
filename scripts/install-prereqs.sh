#!/usr/bin/env bash
# Installs every prerequisite the build and the checks need, skipping what is already present
# at the right version. Safe to run any number of times on a fresh machine.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" \
  | sed -n 's/^version = "\(.*\)"$/\1/p')
TRUNK_VERSION_REQ='^0.21'

log() { printf '==> %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    log "adding rustup component $component"
    rustup component add "$component"
  fi
done

missing_debs=()
command -v chromium >/dev/null 2>&1 || missing_debs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing_debs+=(chromium-driver)
command -v npm >/dev/null 2>&1 || missing_debs+=(nodejs npm)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing_debs+=(postgresql)
# The end-to-end tests read the proxy's feedback table with the databases' own clients.
command -v psql >/dev/null 2>&1 || missing_debs+=(postgresql-client)
command -v sqlite3 >/dev/null 2>&1 || missing_debs+=(sqlite3)
command -v redis-server >/dev/null 2>&1 || missing_debs+=(redis-server)
if [ ${#missing_debs[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing_debs[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing_debs[@]}" >/dev/null
fi

# npm packages: binaryen's wasm-opt for release builds, playwright-core for the end-to-end
# tests (it drives Debian's Chromium; it never downloads a browser).
for dir in tools tests/e2e; do
  if [ ! -d "$ROOT/$dir/node_modules" ] || [ "$ROOT/$dir/package-lock.json" -nt "$ROOT/$dir/node_modules/.package-lock.json" ]; then
    log "installing npm packages in $dir"
    (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # No --locked: the CLI's own lock file names a crate version the registry lacks.
  cargo install -q --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  log "installing trunk $TRUNK_VERSION_REQ"
  cargo install -q --locked --force trunk --version "$TRUNK_VERSION_REQ"
fi
