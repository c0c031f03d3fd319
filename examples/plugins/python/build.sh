#!/usr/bin/env bash
# Builds the Python plugin into a WASI component: ./build.sh [OUT.wasm]
# (default: <repo>/target/plugins/python/slotline_python.wasm). About 6 s.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="${1:-$repo/target/plugins/python/slotline_python.wasm}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
if [ ! -x "$here/.venv/bin/componentize-py" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet --require-hashes -r "$here/requirements.txt"
fi
cd "$here/src"
"$here/.venv/bin/componentize-py" -d "$repo/wit" -w scheduler componentize app -o "$out"
# componentize-py imports the modules to snapshot them and leaves their bytecode behind.
rm -rf "$here/src/__pycache__"
echo "built $out ($(wc -c <"$out") bytes)"
