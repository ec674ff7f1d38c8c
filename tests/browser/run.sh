#!/usr/bin/env bash
# Runs the browser/Node tests with node's test runner (TAP output) and fails when the
# runner found no tests: a green run must have executed at least one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
node --test --test-reporter=tap "$here"/*.test.mjs | tee "$log"
tests="$(awk '/^# tests / { print $3 }' "$log" | tail -1)"
if [[ -z "$tests" || "$tests" -eq 0 ]]; then
  echo "node --test ran no tests" >&2
  exit 1
fi
