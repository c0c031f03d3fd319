#!/usr/bin/env bash
# ./build.sh: builds the plugin into dist/plugin.wasm, a WASI component for Slotline.
# Needs Rust with the wasm32-wasip2 target (installed here when rustup is available).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-wasip2; then
    rustup target add wasm32-wasip2
fi
cargo build --locked --release --target wasm32-wasip2
mkdir -p dist
# The crate's name with `_` for `-`, in Cargo's target directory (CARGO_TARGET_DIR when set).
crate=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | head -n 1 | tr - _)
cp "${CARGO_TARGET_DIR:-target}/wasm32-wasip2/release/$crate.wasm" dist/plugin.wasm
echo "built dist/plugin.wasm ($(wc -c <dist/plugin.wasm) bytes)"
