#!/usr/bin/env bash
# ./test.sh: runs dist/plugin.wasm with the stock `wasmtime` CLI against the Cal.com simulator
# that `slotline simulator` serves, and checks every tool's answer and what lands in the
# calendar. No gateway is involved: what passes here runs unchanged in Slotline.
#
# The calendar (test/calendar.json) is frozen at Wednesday 25 November 2026, 10:00 in Berlin:
# weekdays 09:00-18:00, Thursday 26th at 15:00 taken. Edit it and the checks below together.
#
# Environment:
#   WASMTIME  the wasmtime binary (default: `wasmtime` on PATH; 48.0.8 or newer, with its
#             default features: -S http, keyvalue and config)
#   SLOTLINE  the slotline binary, for `slotline simulator` (default: `slotline` on PATH)
#   PLUGIN    the component to test (default: dist/plugin.wasm; ./build.sh makes it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly WASMTIME=${WASMTIME:-wasmtime}
readonly SLOTLINE=${SLOTLINE:-slotline}
readonly PLUGIN=${PLUGIN:-dist/plugin.wasm}
readonly API_KEY=cal_test_plugin
readonly CALLER=+4915112345678
readonly NOW=2026-11-25T10:00:00+01:00

note() { echo "test: $*" >&2; }
fail() {
    echo "test: FAIL: $*" >&2
    exit 1
}

command -v "$WASMTIME" >/dev/null ||
    fail "no wasmtime: install it (cargo install --locked wasmtime-cli, or https://wasmtime.dev) or set WASMTIME"
command -v "$SLOTLINE" >/dev/null || fail "no slotline binary: put it on PATH or set SLOTLINE"
command -v curl >/dev/null || fail "curl is needed to look into the simulator's calendar"
[[ -f $PLUGIN ]] || fail "$PLUGIN is missing: run ./build.sh first"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/plugin-test.XXXXXX")
SIM_PID=
cleanup() {
    if [[ -n $SIM_PID ]]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# The simulator prints its address once it listens, on a port the kernel picked. The file
# exists before the simulator starts, so the first look into it cannot fail.
: >"$TMP/sim.out"
"$SLOTLINE" simulator --listen 127.0.0.1:0 --seed test/calendar.json >"$TMP/sim.out" 2>"$TMP/sim.log" &
SIM_PID=$!
SIM_URL=
deadline=$((SECONDS + 30))
while [[ -z $SIM_URL ]]; do
    ((SECONDS < deadline)) || fail "the simulator did not start within 30 s: $(cat "$TMP/sim.log")"
    kill -0 "$SIM_PID" 2>/dev/null || fail "the simulator exited: $(cat "$TMP/sim.log" "$TMP/sim.out")"
    SIM_URL=$(sed -n 's|^calsim serving Cal.com v2 at \(http://[^ ]*\)/v2$|\1|p' "$TMP/sim.out")
    [[ -n $SIM_URL ]] || sleep 0.05
done
note "simulator at $SIM_URL"

# Every function takes the call's context, written in WAVE (wasmtime's value syntax).
readonly CTX="{tenant: \"acme\", call-id: \"plugin-test\", caller-number: some(\"$CALLER\"), dialled-number: none, now: \"$NOW\", timezone: \"Europe/Berlin\", locale: \"de\"}"

# invoke 'function(args...)': one call in a fresh wasmtime process; prints the result in WAVE.
# Settings reach the plugin as wasi:config values; wasmtime splits -S options at commas, so
# `services` is written in its comma-free form.
invoke() {
    local output
    output=$("$WASMTIME" run -S http -S keyvalue -S config \
        -S "config-var=calcom_base_url=$SIM_URL/v2" \
        -S "config-var=calcom_api_key=$API_KEY" \
        -S "config-var=services=Beratung:1001:30;Behandlung:1002:60" \
        --invoke "$1" "$PLUGIN" 2>"$TMP/wasmtime.err") ||
        fail "wasmtime run --invoke '$1' failed: $(cat "$TMP/wasmtime.err")"
    printf '%s\n' "$output"
}

# expect WHAT OUTPUT TEXT...: every TEXT occurs in OUTPUT.
expect() {
    local what=$1 output=$2 text
    shift 2
    for text in "$@"; do
        [[ $output == *"$text"* ]] || fail "$what: expected $text in
$output"
    done
    note "ok: $what"
}

out=$(invoke "list-services($CTX)")
expect "list-services" "$out" '{name: "Beratung", duration-minutes: 30}' '{name: "Behandlung", duration-minutes: 60}'

out=$(invoke "parse-date($CTX, {text: \"morgen um 15 Uhr\"})")
expect "parse-date: morgen um 15 Uhr" "$out" 'date: "2026-11-26"' 'time: some("15:00")' \
    'start: some("2026-11-26T15:00:00+01:00")' 'weekday: "thursday"'
out=$(invoke "parse-date($CTX, {text: \"2026-11-27 um 10:30\"})")
expect "parse-date: 2026-11-27 um 10:30" "$out" 'date: "2026-11-27"' 'time: some("10:30")' 'weekday: "friday"'
out=$(invoke "parse-date($CTX, {text: \"irgendwann\"})")
expect "parse-date: no date in the words asks again" "$out" 'err({code: invalid-input' 'speech: some("'

out=$(invoke "check-availability($CTX, {date: \"2026-11-26\", time: some(\"15:00\")})")
expect "check-availability: a taken slot" "$out" 'available: false' \
    'requested: some("2026-11-26T15:00:00+01:00")' '"2026-11-26T14:30:00+01:00"' 'kind: same-day'
out=$(invoke "check-availability($CTX, {date: \"2026-11-27\", time: some(\"10:30\")})")
expect "check-availability: a free slot" "$out" 'available: true' '"2026-11-27T10:30:00+01:00"'

out=$(invoke "find-alternatives($CTX, {date: \"2026-11-26\", time: \"15:00\", service: none, max: some(2)})")
expect "find-alternatives" "$out" '"2026-11-26T14:30:00+01:00"' '"2026-11-26T15:30:00+01:00"'

out=$(invoke "create-booking($CTX, {date: some(\"2026-11-27\"), time: some(\"10:30\"), name: \"Anna Müller\"})")
expect "create-booking" "$out" 'start: "2026-11-27T10:30:00+01:00"' 'status: "accepted"'
uid=$(sed -n 's/.*booking-id: "\([^"]*\)".*/\1/p' <<<"$out")
[[ -n $uid ]] || fail "create-booking: no booking-id in $out"
calendar=$(curl -sf "$SIM_URL/_sim/bookings") || fail "cannot read the simulator's calendar"
expect "the booking is in the calendar" "$calendar" "\"uid\":\"$uid\"" '"name":"Anna Müller"' \
    "\"phoneNumber\":\"$CALLER\"" '"start":"2026-11-27T09:30:00.000Z"'

out=$(invoke "list-bookings($CTX)")
expect "list-bookings: the caller's booking" "$out" "booking-id: \"$uid\"" 'start: "2026-11-27T10:30:00+01:00"'

out=$(invoke "reschedule-booking($CTX, {booking-id: some(\"$uid\"), date: none, new-date: \"2026-11-27\", new-time: \"11:30\", reason: none})")
expect "reschedule-booking" "$out" 'start: "2026-11-27T11:30:00+01:00"'
moved=$(sed -n 's/.*booking-id: "\([^"]*\)".*/\1/p' <<<"$out")
[[ -n $moved ]] || fail "reschedule-booking: no booking-id in $out"

out=$(invoke "cancel-booking($CTX, {booking-id: some(\"$moved\"), date: none, reason: some(\"verhindert\")})")
expect "cancel-booking" "$out" 'status: "cancelled"'
calendar=$(curl -sf "$SIM_URL/_sim/bookings") || fail "cannot read the simulator's calendar"
# Each booking's `status` follows its `uid` in Cal.com's JSON: the first one after it is its own.
rest=${calendar#*"\"uid\":\"$moved\""}
[[ $rest != "$calendar" ]] || fail "the rescheduled booking $moved is not in the calendar: $calendar"
status=$(grep -o '"status":"[a-z_]*"' <<<"$rest" | head -n 1)
[[ $status == '"status":"cancelled"' ]] || fail "the calendar shows $moved as $status, not cancelled"
note "ok: the calendar shows the booking cancelled"

out=$(invoke "prepare-call($CTX)")
[[ $out == ok ]] || fail "prepare-call: expected ok, got $out"
note "ok: prepare-call"

note "passed: $PLUGIN answers every tool"
