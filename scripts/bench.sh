#!/usr/bin/env bash
# Benchmarks: convergence, churn, reloads, data plane, instructions per request, scale. Each prints a Markdown table (recorded in docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# wrk drives the load; valgrind counts instructions (instructions benchmark).
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
which="${1:-all}"
if [ "$which" = all ] || [ "$which" = convergence ]; then echo "## convergence"; node dist/bench/convergence.js; fi
if [ "$which" = all ] || [ "$which" = churn ]; then echo "## churn"; node dist/bench/churn.js; fi
if [ "$which" = all ] || [ "$which" = reloads ]; then echo "## reloads"; node dist/bench/reloads.js; node dist/bench/reloads.js --https; fi
if [ "$which" = all ] || [ "$which" = dataplane ]; then echo "## data plane"; node dist/bench/dataplane.js; fi
if [ "$which" = all ] || [ "$which" = instructions ]; then echo "## instructions per request"; node dist/bench/instructions.js; fi
if [ "$which" = all ] || [ "$which" = scale ]; then echo "## scale"; node dist/bench/scale.js; fi
