#!/usr/bin/env bash
# Kept for existing callers: scripts/test-services.sh now starts every service the tests use
# (PostgreSQL and Redis). Usage: scripts/test-postgres.sh COMMAND [ARGS...]
exec "$(dirname "$0")/test-services.sh" "$@"
