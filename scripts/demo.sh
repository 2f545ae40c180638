#!/usr/bin/env bash
# The demo: installs what is missing, then runs the controller on examples/demo with demo backends.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node dist/demo/run.js "$@"
