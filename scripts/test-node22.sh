#!/usr/bin/env bash
# The same tests on Node.js 22, the other supported major version, when the machine's Node.js is
# another one. Node.js 22 comes from the npm registry (package node-linux-<arch>, the official
# binary) into .cache/, once.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(node -p 'process.versions.node.split(".")[0]')" = 22 ]; then
  echo "Node.js is already 22: npm test covers it"; exit 0
fi
arch="$(node -p process.arch)"
dir=".cache/node22-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  tgz="$(cd "$dir" && npm pack --silent "node-linux-$arch@22")"
  tar -xzf "$dir/$tgz" -C "$dir" --strip-components=1
  rm -f "$dir/$tgz"
fi
export PATH="$PWD/$dir/bin:$PATH"
echo "Running the tests on Node.js $(node --version)"
bash scripts/test.sh
