#!/usr/bin/env bash
# ./build.sh: builds src/plugin.js into the WASI component dist/plugin.wasm, against the WIT
# world `scheduler` in wit/. Installs the pinned toolchain (package-lock.json) on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command -v node >/dev/null || { echo "build: Node.js 20 or newer is needed (https://nodejs.org)" >&2; exit 1; }

# Install componentize-js when node_modules is missing or older than the lock file.
if [[ ! -d node_modules/@bytecodealliance/componentize-js || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --prefer-offline
fi

mkdir -p dist
# `-d fetch-event`: the plugin answers WIT calls, not HTTP requests, so the fetch-event
# machinery is left out. No `--aot`: it downloads a compiler; the gateway compiles anyway.
node node_modules/@bytecodealliance/componentize-js/src/cli.js src/plugin.js \
  -w wit -n scheduler -d fetch-event -o dist/plugin.wasm
echo "built dist/plugin.wasm ($(wc -c <dist/plugin.wasm) bytes)"
