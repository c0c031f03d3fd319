#!/usr/bin/env bash
# Prints the path of a stock `wasmtime` CLI of the version the host embeds, installing it
# from crates.io on first use. Used by `make plugin-test` and by the check of the projects
# `slotline plugin new` writes (tests/plugin-new/run.sh).
#
# The install builds wasmtime-cli with only what running a plugin needs (`run` with wasi-http,
# wasi-keyvalue and wasi-config, Cranelift, the component model and the compilation cache):
# about 5 minutes on two cores instead of 10 for every default feature. It is the same crate
# and source as a full install; `--locked` builds the dependency versions that release shipped.
#
# Environment:
#   WASMTIME       a wasmtime binary to use; it must be 48.0.8
#   WASMTIME_ROOT  where to install it (default target/tools/wasmtime-48.0.8; `make clean`
#                  removes it)
#   CARGO          cargo (default `cargo`)
set -euo pipefail

readonly VERSION=48.0.8
readonly FEATURES=run,wasi-http,wasi-keyvalue,wasi-config,cranelift,component-model,parallel-compilation,cache

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
root=${WASMTIME_ROOT:-$root_dir/target/tools/wasmtime-$VERSION}

wanted() {
    local version
    version=$("$1" --version 2>/dev/null) || return 1
    [[ $version == "wasmtime $VERSION" || $version == "wasmtime $VERSION "* ]]
}

if [[ -n ${WASMTIME:-} ]]; then
    wanted "$WASMTIME" || {
        echo "wasmtime.sh: WASMTIME=$WASMTIME is not wasmtime $VERSION" >&2
        exit 1
    }
    echo "$WASMTIME"
elif command -v wasmtime >/dev/null && wanted wasmtime; then
    command -v wasmtime
elif wanted "$root/bin/wasmtime"; then
    echo "$root/bin/wasmtime"
else
    echo "wasmtime.sh: installing wasmtime-cli $VERSION into $root (once; a few minutes)" >&2
    "${CARGO:-cargo}" install --quiet --locked wasmtime-cli --version "$VERSION" \
        --no-default-features --features "$FEATURES" --root "$root" >&2
    wanted "$root/bin/wasmtime" || {
        echo "wasmtime.sh: $root/bin/wasmtime does not report version $VERSION" >&2
        exit 1
    }
    echo "$root/bin/wasmtime"
fi
