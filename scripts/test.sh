#!/usr/bin/env bash
# Every test: unit and integration tests (node:test, real HAProxy), then the Ingress conformance suite.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
export HAPROXY_REQUIRED=1
mapfile -t files < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
node --test --test-concurrency=2 "${files[@]}"
unit=$?
bash scripts/conformance.sh
conformance=$?
[ "$unit" = 0 ] && [ "$conformance" = 0 ]
