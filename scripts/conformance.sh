#!/usr/bin/env bash
# Kubernetes Ingress conformance suite (upstream feature files) against the controller.
# Local mode by default: starts an API test server and the controller on 127.0.1.1:80/443,
# which needs permission to bind ports below 1024 (root or CAP_NET_BIND_SERVICE); elsewhere pass
# --http-port/--https-port, which departs from the upstream contract. All flags: --help.
# With CI=true the waits are shortened; flags given here still win.
set -euo pipefail
cd "$(dirname "$0")/.."

runner=dist/test/conformance/run.js
# Builds only when a source changed (and installs HAProxy where it is missing).
bash scripts/ensure-deps.sh

ci_flags=()
if [ "${CI:-}" = "true" ]; then
  ci_flags=(--wait-time-for-ingress-status 8s --poll-interval 200ms --scale-settle 1s)
fi

exec node "$runner" "${ci_flags[@]}" "$@"
