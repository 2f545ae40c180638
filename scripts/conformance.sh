#!/usr/bin/env bash
# Kubernetes Ingress conformance suite against the controller: the project's own scenarios
# (test/conformance/scenarios), then the upstream feature files when they are present
# (../shared/conformance/ingress/features, or CONFORMANCE_FEATURES=DIR); without them that part
# is reported as skipped. The last line is the combined "N passed, N failed"; any failure exits 1.
# Short waits by default; CONFORMANCE_TIMINGS=upstream (or --upstream-timings) for the upstream ones.
# Local mode by default: starts an API test server and the controller on 127.0.1.1:80/443,
# which needs permission to bind ports below 1024 (root or CAP_NET_BIND_SERVICE); elsewhere pass
# --http-port/--https-port, which departs from the upstream contract. All flags: --help
# (test/conformance/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

runner=dist/test/conformance/run.js
# Builds only when a source changed (and installs HAProxy where it is missing).
bash scripts/ensure-deps.sh

exec node "$runner" "$@"
