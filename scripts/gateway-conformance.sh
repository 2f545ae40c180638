#!/usr/bin/env bash
# Gateway API conformance runner (test/gateway-conformance/README.md): the project's scenarios, or
# the upstream v1.6.1 manifests when ../shared/conformance/gateway is present. The controller's
# Gateways get addresses 127.0.2.1-16 (ports 80, 443, 8080, 8090), apart from the Ingress suite's
# 127.0.1.1. Prints PASS/FAIL/SKIP per test and last "N passed, N failed"; any failure exits 1.
# Flags: --help.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node dist/test/gateway-conformance/run.js "$@"
