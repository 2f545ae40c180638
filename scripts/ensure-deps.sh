#!/usr/bin/env bash
# Installs what this checkout needs and does not have yet: npm packages; the Debian packages
# haproxy (tests and demo run it) and unzip (scripts/tools.sh unpacks the project's kubectl and
# helm with it); and a build of the TypeScript when a source changed since the last one.
# With nothing to do it returns in well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm packages: npm ci when node_modules does not hold what package-lock.json names. Compared by
# content (name and version of every package, optional ones may be absent), once per change of
# the lock: a checkout makes package-lock.json newer than a node_modules that still matches it.
lock_matches() {
  node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    const wrong = Object.entries(want).filter(([path, p]) => path !== "" && !p.optional && have[path]?.version !== p.version);
    process.exit(wrong.length || Object.keys(have).some((path) => !(path in want)) ? 1 : 0);
  ' 2>/dev/null
}
npm_stamp=.cache/npm.stamp
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || { [ package-lock.json -nt "$npm_stamp" ] && ! lock_matches; }; then
  if [ -L node_modules ]; then
    # npm ci would empty the linked folder, which other checkouts may be using.
    echo "node_modules links to $(readlink node_modules) and does not match package-lock.json: run npm ci there" >&2
    exit 1
  fi
  echo "installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ package-lock.json -nt "$npm_stamp" ]; then mkdir -p .cache && touch "$npm_stamp"; fi

# Runs apt-get, waiting up to 10 minutes for the locks another apt process (often automatic
# updates on a fresh machine) holds. DPkg::Lock::Timeout makes apt wait for the dpkg lock itself,
# but apt 2.6 (Debian 12) still fails at once on the lists and archives locks, hence the retries.
apt_get() {
  local sudo="" deadline=$((SECONDS + 600)) said="" out
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  while :; do
    if out="$(DEBIAN_FRONTEND=noninteractive $sudo apt-get -qq -o DPkg::Lock::Timeout=600 "$@" 2>&1)"; then return 0; fi
    if [[ "$out" != *"Could not get lock"* ]] || [ "$SECONDS" -ge "$deadline" ]; then
      printf '%s\n' "$out" >&2
      return 1
    fi
    if [ -z "$said" ]; then echo "waiting for another apt process to release its lock" >&2; said=1; fi
    sleep 3
  done
}

debs=()
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then debs+=(haproxy); fi
if ! command -v unzip >/dev/null 2>&1; then debs+=(unzip); fi
if [ "${#debs[@]}" -gt 0 ]; then
  echo "installing ${debs[*]} (Debian packages)" >&2
  # One update for all of them: a fresh machine may have no package lists at all.
  apt_get update
  apt_get install -y "${debs[@]}" >/dev/null
fi

# The build: tsc -p . into dist/, only when something it reads is newer than the last build's
# stamp. Directories count too, so deleting or renaming a source also rebuilds.
stamp=.cache/build.stamp
inputs=(src test bench demo tools tsconfig.json package-lock.json node_modules/.package-lock.json)
stale() {
  [ ! -f "$stamp" ] || [ ! -d dist ] || [ -n "$(find "${inputs[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]
}
if stale; then
  mkdir -p .cache
  # One build at a time; a second caller waits and then finds it up to date.
  exec 9>.cache/build.lock
  flock 9
  if stale; then
    echo "building" >&2
    # Taken before compiling, so a source edited during the build is newer than the stamp.
    touch "$stamp.next"
    emitted=.cache/build.emitted
    if ! node node_modules/typescript/bin/tsc -p . --listEmittedFiles >"$emitted"; then
      grep -v '^TSFILE: ' "$emitted" >&2 || true
      exit 1
    fi
    # What tsc did not emit is left from sources that are gone (a deleted test would still run).
    comm -23 <(find dist -type f | sort) <(awk -v p="TSFILE: $PWD/" 'index($0, p) == 1 { print substr($0, length(p) + 1) }' "$emitted" | sort) | while IFS= read -r old; do
      echo "removing stale $old" >&2
      rm -f -- "$old"
    done
    find dist -mindepth 1 -type d -empty -delete
    mv -f "$stamp.next" "$stamp"
  fi
  exec 9>&-
fi
