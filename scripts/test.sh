#!/usr/bin/env bash
# Every test: the linter (folder boundaries), unit and integration tests (node:test, real HAProxy),
# then the Ingress conformance suite.
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
bash scripts/conformance.sh
conformance=$?
[ "$lint" = 0 ] && [ "$unit" = 0 ] && [ "$conformance" = 0 ]
