#!/usr/bin/env bash
# Builds the plugin into a WASI component: ./build.sh -> dist/plugin.wasm (about 18 MB).
# The first run creates .venv/ here with the pinned componentize-py (requirements.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if [[ ! -x .venv/bin/componentize-py ]]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --require-hashes -r requirements.txt
fi
mkdir -p dist
# Reads the WIT in wit/, imports app.py (and what it imports) and snapshots it.
.venv/bin/componentize-py -d wit -w scheduler componentize app -o dist/plugin.wasm
# componentize-py imports the modules to snapshot them and leaves their bytecode behind.
rm -rf __pycache__
echo "built dist/plugin.wasm ($(wc -c <dist/plugin.wasm) bytes)"
