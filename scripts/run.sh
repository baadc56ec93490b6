#!/usr/bin/env bash
# Builds the widget in release mode and serves the demo store page on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/install-prereqs.sh"
export PATH="$PWD/tools/node_modules/.bin:$PATH"
exec trunk serve --release --locked "$@"
