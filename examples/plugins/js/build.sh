#!/usr/bin/env bash
# Builds the JS plugin into a WASI component: ./build.sh [OUT.wasm]
# (default: target/plugins/js/slotline_js.wasm at the top of the repository).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(realpath -m "${1:-$HERE/../../../target/plugins/js/slotline_js.wasm}")"
WIT="$(realpath "$HERE/../../../wit")"
cd "$HERE"

# Install the pinned toolchain when it is missing or older than the lock file.
if [[ ! -d node_modules/@bytecodealliance/componentize-js || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

mkdir -p "$(dirname "$OUT")"
# `-d fetch-event`: the plugin answers WIT calls, not HTTP requests, so the fetch-event
# machinery is left out. No `--aot`: it downloads a compiler; the gateway compiles anyway.
node node_modules/@bytecodealliance/componentize-js/src/cli.js src/plugin.js \
  -w "$WIT" -n scheduler -d fetch-event -o "$OUT"
echo "built $OUT ($(wc -c <"$OUT") bytes)"
