#!/usr/bin/env bash
# `make fuzz`: runs every fuzz target for a bounded time with nightly and cargo-fuzz.
#
#   FUZZ_SECONDS=60   time per target (libFuzzer's -max_total_time)
#   FUZZ_TARGETS="retell vapi calcom parse_date"   which targets, in order
#
# Each target starts from the committed seeds in fuzz/corpus/<target>/ and keeps what it learns
# in fuzz/target/corpus/<target>/ (not committed). A crash stops the run with a non-zero exit
# and leaves its input in fuzz/artifacts/<target>/; the replay tests (`make test`) pick it up
# from there, and copying it into fuzz/corpus/<target>/ as `crash-<what>` keeps it for good.
set -euo pipefail

cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-retell vapi calcom parse_date}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: needs a nightly toolchain: rustup toolchain install nightly" >&2
    exit 1
fi

for target in $targets; do
    mkdir -p "target/corpus/$target"
    echo "fuzz: $target for ${seconds}s" >&2
    cargo +nightly fuzz run "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1
done
