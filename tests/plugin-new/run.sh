#!/usr/bin/env bash
# Part of `make test`: what a plugin author gets from `slotline plugin new`, for every
# language, is built with the project's own build.sh, accepted by the gateway
# (`slotline plugin check`), and passes the project's own test.sh: the stock `wasmtime` CLI
# (tests/tools/wasmtime.sh) against `slotline simulator`. Exactly the commands the author
# guide (docs/plugins.md) and the project's README give.
#
# Environment: CARGO (default `cargo`), LANGS (default "rust js python").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly ROOT=$PWD
export CARGO=${CARGO:-cargo}
note() { echo "plugin-new: $*" >&2; }
fail() {
    echo "plugin-new: FAIL: $*" >&2
    exit 1
}

# The packages and features of the test build (the gateway and the stock wasmtime CLI), so
# that this compiles nothing `cargo test` compiled already.
"$CARGO" build --locked --release --quiet --features slotline/failpoints ||
    fail "cannot build slotline"
slotline=$ROOT/target/release/slotline
WASMTIME=$("$ROOT/tests/tools/wasmtime.sh") || fail "no wasmtime CLI"

note "using $("$WASMTIME" --version)"

work=$ROOT/target/plugin-new
rm -rf "$work/projects"
mkdir -p "$work/projects"
# Rust projects share one Cargo target directory across runs: the second run builds in seconds.
export CARGO_TARGET_DIR=$work/cargo-target

for lang in ${LANGS:-rust js python}; do
    dir=$work/projects/$lang
    started=$SECONDS
    "$slotline" plugin new "check-$lang" --lang "$lang" --dir "$dir" >/dev/null ||
        fail "slotline plugin new --lang $lang"
    (cd "$dir" && ./build.sh >"$work/$lang-build.log" 2>&1) ||
        fail "$lang: ./build.sh failed: $(tail -n 30 "$work/$lang-build.log")"
    "$slotline" plugin check "$dir/dist/plugin.wasm" >"$work/$lang-check.log" 2>&1 ||
        fail "$lang: slotline plugin check refused it: $(cat "$work/$lang-check.log")"
    (cd "$dir" && SLOTLINE="$slotline" WASMTIME="$WASMTIME" ./test.sh >"$work/$lang-test.log" 2>&1) ||
        fail "$lang: ./test.sh failed: $(tail -n 30 "$work/$lang-test.log")"
    note "$lang: built ($(wc -c <"$dir/dist/plugin.wasm") bytes), checked and tested in $((SECONDS - started)) s"
done
