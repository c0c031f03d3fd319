#!/usr/bin/env bash
# Prints the path of a stock `wasmtime` CLI of the version the host embeds. Used by
# `make plugin-test` and by the check of the projects `slotline plugin new` writes
# (tests/plugin-new/run.sh).
#
# The CLI is wasmtime-cli's own code built inside this workspace (tests/tools/wasmtime-cli, a
# default member), so it links the wasmtime and Cranelift that `make test` has compiled
# already, with only what running a plugin needs: `run` with wasi-http, wasi-keyvalue and
# wasi-config. When it is missing, this builds the workspace's default members with the
# features `make test` uses, which reuses everything that build compiled.
#
# Environment:
#   WASMTIME  a wasmtime binary to use instead; it must be 48.0.8
#   CARGO     cargo (default `cargo`)
set -euo pipefail

readonly VERSION=48.0.8

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
built=$root_dir/target/release/wasmtime

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
    exit 0
fi
if ! wanted "$built"; then
    echo "wasmtime.sh: building wasmtime $VERSION into target/release" >&2
    (cd "$root_dir" && "${CARGO:-cargo}" build --locked --release --quiet --features slotline/failpoints) >&2
    wanted "$built" || {
        echo "wasmtime.sh: $built does not report version $VERSION" >&2
        exit 1
    }
fi
echo "$built"
