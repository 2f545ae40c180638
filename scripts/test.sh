#!/usr/bin/env bash
# Every test: the linter (folder boundaries), unit and integration tests (node:test, real HAProxy),
# the Gateway API conformance runner, then the Ingress conformance suite (its combined line is last).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
echo "lint: eslint (boundaries each src/*/README.md states)"
node node_modules/eslint/bin/eslint.js --max-warnings=0 .
lint=$?
export HAPROXY_REQUIRED=1
mapfile -t files < <(find dist -name '*.test.js' -not -path '*/node_modules/*' | sort)
node --test --test-concurrency=2 "${files[@]}"
unit=$?
echo "gateway conformance: Gateway API Core tests (test/gateway-conformance)"
bash scripts/gateway-conformance.sh --unwritten skip
gateway=$?
bash scripts/conformance.sh
conformance=$?
[ "$lint" = 0 ] && [ "$unit" = 0 ] && [ "$gateway" = 0 ] && [ "$conformance" = 0 ]
