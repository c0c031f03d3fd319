#!/usr/bin/env bash
# `make plugin-test`: the default plugin run by the stock `wasmtime` CLI, without the gateway.
#
# DESIGN.md §3 promises that a plugin imports only standard WASI interfaces, so that
# `wasmtime run -S http -S keyvalue -S config --invoke '...'` runs it. This script keeps that
# promise honest: it calls the default plugin's functions with the same wasmtime version the
# host embeds, against the Cal.com simulator, and checks what they answer and what lands in the
# calendar. The last step of `make test`; the CLI is built inside the workspace
# (tests/tools/wasmtime.sh).
#
# Needs bash, curl and a Rust toolchain. `make plugin-test` builds the plugin first (`make guest`).
#
# Environment:
#   WASMTIME       a wasmtime binary to use; it must be 48.0.8
#   CARGO          cargo (default `cargo`)
set -euo pipefail

readonly WASMTIME_VERSION=48.0.8

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
readonly ROOT=$PWD
export CARGO=${CARGO:-cargo}
readonly GUEST=$ROOT/target/wasm32-wasip2/guest/slotline_guest.wasm
# `slotline simulator`: the same simulator as the calsim binary, in the binary `make test` built.
readonly SLOTLINE=$ROOT/target/release/slotline
readonly API_KEY=cal_test_plugin
readonly CALLER=+4915112345678
# The frozen "now" of the calendar and of every call: Wednesday 25 November 2026, 10:00 in Berlin.
readonly NOW=2026-11-25T10:00:00+01:00

millis() { echo $(($(date +%s%N) / 1000000)); }
started=$(millis)
note() { echo "plugin-test: $*" >&2; }
fail() {
    echo "plugin-test: FAIL: $*" >&2
    exit 1
}

# --- wasmtime 48.0.8: an explicit one, or the workspace's own build of the stock CLI.

find_wasmtime() {
    WASMTIME_BIN=$("$ROOT/tests/tools/wasmtime.sh") || fail "no wasmtime $WASMTIME_VERSION"
    note "using $("$WASMTIME_BIN" --version) at $WASMTIME_BIN"
}

# --- The Cal.com simulator, on a port the kernel picks, with a calendar made for these checks.

TMP=$(mktemp -d "${TMPDIR:-/tmp}/slotline-plugin-test.XXXXXX")
CALSIM_PID=
cleanup() {
    if [[ -n $CALSIM_PID ]]; then
        kill "$CALSIM_PID" 2>/dev/null || true
        wait "$CALSIM_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

start_calsim() {
    # The packages and features of the test build, so that nothing is compiled a second time.
    "$CARGO" build --locked --release --features slotline/failpoints --quiet ||
        fail "cannot build slotline"
    # Monday to Friday 09:00-18:00; Thursday the 26th is taken at 15:00.
    cat >"$TMP/seed.json" <<EOF
{
  "now": "$NOW",
  "apiKeys": ["$API_KEY"],
  "eventTypes": [
    {"id": 1001, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30},
    {"id": 1002, "slug": "behandlung", "title": "Behandlung", "lengthInMinutes": 60}
  ],
  "schedule": {
    "timeZone": "Europe/Berlin",
    "availability": [{"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
                      "startTime": "09:00", "endTime": "18:00"}]
  },
  "bookings": [
    {"uid": "taken-thursday-1500", "eventTypeId": 1001, "start": "2026-11-26T14:00:00Z",
     "attendee": {"name": "Jonas Weber", "phoneNumber": "+491709876543", "timeZone": "Europe/Berlin"}}
  ]
}
EOF
    : >"$TMP/calsim.out"
    "$SLOTLINE" simulator --listen 127.0.0.1:0 --seed "$TMP/seed.json" >"$TMP/calsim.out" 2>"$TMP/calsim.log" &
    CALSIM_PID=$!
    # calsim prints its address once it listens; then wait until it answers HTTP.
    local deadline=$((SECONDS + 30))
    CALSIM_URL=
    while ((SECONDS < deadline)); do
        kill -0 "$CALSIM_PID" 2>/dev/null || fail "calsim exited: $(cat "$TMP/calsim.log" "$TMP/calsim.out")"
        if [[ -z $CALSIM_URL ]]; then
            CALSIM_URL=$(sed -n 's|^calsim serving Cal.com v2 at \(http://[^ ]*\)/v2$|\1|p' "$TMP/calsim.out")
        fi
        if [[ -n $CALSIM_URL ]] && curl -sf -o /dev/null "$CALSIM_URL/_sim/bookings"; then
            note "calsim ready at $CALSIM_URL"
            return
        fi
        sleep 0.05
    done
    fail "calsim did not answer within 30 s: $(cat "$TMP/calsim.log")"
}

# --- Calling the plugin.

# The call-context every function takes, as WAVE (https://github.com/bytecodealliance/wasm-tools/tree/main/crates/wasm-wave).
readonly CTX="{tenant: \"acme\", call-id: \"plugin-test\", caller-number: some(\"$CALLER\"), dialled-number: none, now: \"$NOW\", timezone: \"Europe/Berlin\", locale: \"de\"}"

# invoke 'function(args...)': runs one call in a fresh wasmtime process and prints the result in
# WAVE. `-S config-var` values cannot contain commas (wasmtime splits -S options at commas), so
# `services` uses the plugin's comma-free form.
invoke() {
    local call=$1 output begin
    begin=$(millis)
    if ! output=$("$WASMTIME_BIN" run -S http -S keyvalue -S config \
        -S "config-var=calcom_base_url=$CALSIM_URL/v2" \
        -S "config-var=calcom_api_key=$API_KEY" \
        -S "config-var=services=Beratung:1001:30;Behandlung:1002:60" \
        --invoke "$call" "$GUEST" 2>"$TMP/wasmtime.err"); then
        fail "wasmtime run --invoke '$call' failed: $(cat "$TMP/wasmtime.err")"
    fi
    note "  $(($(millis) - begin)) ms: ${call%%(*}"
    printf '%s\n' "$output"
}

# expect WHAT OUTPUT TEXT...: every TEXT occurs in OUTPUT.
expect() {
    local what=$1 output=$2
    shift 2
    local text
    for text in "$@"; do
        [[ $output == *"$text"* ]] || fail "$what: expected $text in
$output"
    done
    note "ok: $what"
}

# refute WHAT OUTPUT TEXT: TEXT does not occur in OUTPUT.
refute() {
    [[ $2 != *"$3"* ]] || fail "$1: did not expect $3 in
$2"
    note "ok: $1"
}

[[ -f $GUEST ]] || fail "$GUEST is missing: run \`make guest\` (or \`make plugin-test\`)"
command -v curl >/dev/null || fail "curl is needed to talk to the simulator"
find_wasmtime
start_calsim

# parse-date needs no calendar: German words, relative to the call's `now`. The plugin exports
# two interfaces (`booking`, the tools, and `calls`, the phone call around them) whose function
# names differ, so a plain name finds its one function; the qualified name names the interface.
out=$(invoke "parse-date($CTX, {text: \"nächsten Dienstag um halb drei\"})")
expect "parse-date: nächsten Dienstag um halb drei" "$out" \
    'ok({date: "2026-12-01", time: some("14:30"), start: some("2026-12-01T14:30:00+01:00"), weekday: "tuesday"'
out=$(invoke "slotline:plugin/booking.parse-date@0.2.0($CTX, {text: \"morgen um 15 Uhr\"})")
expect "parse-date (qualified name): morgen um 15 Uhr" "$out" 'date: "2026-11-26"' 'time: some("15:00")' \
    'speech: "Das wäre morgen um 15 Uhr."'
out=$(invoke "parse-date($CTX, {text: \"irgendwann vielleicht\"})")
expect "parse-date: words without a date are a plugin error" "$out" 'err({code: invalid-input'

out=$(invoke "list-services($CTX)")
expect "list-services" "$out" '{name: "Beratung", duration-minutes: 30}' '{name: "Behandlung", duration-minutes: 60}'

# check-availability asks the simulator (wasi:http) and caches in the in-memory wasi:keyvalue.
out=$(invoke "check-availability($CTX, {date: \"2026-11-26\", time: some(\"15:00\")})")
expect "check-availability: a taken slot" "$out" 'available: false' 'requested: some("2026-11-26T15:00:00+01:00")' \
    '"2026-11-26T14:30:00+01:00"' 'kind: same-day'
slots=${out#*slots: [}
refute "check-availability: the taken slot is not among the day's slots" "${slots%%]*}" '"2026-11-26T15:00:00+01:00"'
out=$(invoke "check-availability($CTX, {date: \"2026-11-27\", time: some(\"10:30\")})")
expect "check-availability: a free slot" "$out" 'available: true' '"2026-11-27T10:30:00+01:00"'

# create-booking lands in the simulator; a second check sees the slot taken.
out=$(invoke "create-booking($CTX, {date: some(\"2026-11-27\"), time: some(\"10:30\"), name: \"Anna Müller\"})")
expect "create-booking" "$out" 'start: "2026-11-27T10:30:00+01:00"' 'status: "accepted"' 'service: some("Beratung")'
uid=$(sed -n 's/.*booking-id: "\([^"]*\)".*/\1/p' <<<"$out")
[[ -n $uid ]] || fail "create-booking: no booking-id in $out"
calendar=$(curl -sf "$CALSIM_URL/_sim/bookings") || fail "cannot list the simulator's bookings"
expect "the booking is in the calendar" "$calendar" "\"uid\":\"$uid\"" '"name":"Anna Müller"' \
    "\"phoneNumber\":\"$CALLER\"" '"start":"2026-11-27T09:30:00.000Z"'
out=$(invoke "check-availability($CTX, {date: \"2026-11-27\", time: some(\"10:30\")})")
expect "check-availability after the booking" "$out" 'available: false'

# The calls interface. prepare-call fetches the slot window into the cache (here the CLI's
# in-memory keyvalue, gone when the process ends): all that shows is that it succeeds.
out=$(invoke "prepare-call($CTX)")
[[ $out == ok ]] || fail "prepare-call: expected ok, got $out"
note "ok: prepare-call"

# hold-slot reserves a free start at the calendar; nobody else can hold it meanwhile.
out=$(invoke "hold-slot($CTX, {start: \"2026-11-27T11:00:00+01:00\", service: some(\"Beratung\")})")
expect "hold-slot: a free start" "$out" 'ok({uid: "' 'start: "2026-11-27T11:00:00+01:00"' \
    'end: "2026-11-27T11:30:00+01:00"' 'until: "'
hold=${out#ok(}
hold=${hold%)}
out=$(invoke "hold-slot($CTX, {start: \"2026-11-27T11:00:00+01:00\"})")
expect "hold-slot: a start held already" "$out" 'err({code: conflict'

# create-booking books the held start with the hold, and the calendar takes it.
out=$(invoke "create-booking($CTX, {start: some(\"2026-11-27T11:00:00+01:00\"), name: \"Jonas Weber\", hold: some($hold)})")
expect "create-booking with the hold" "$out" 'start: "2026-11-27T11:00:00+01:00"' 'status: "accepted"'
calendar=$(curl -sf "$CALSIM_URL/_sim/bookings") || fail "cannot list the simulator's bookings"
expect "the held slot is booked" "$calendar" '"start":"2026-11-27T10:00:00.000Z"'

# release-slot of a hold the booking used up: gone already is what was wanted.
out=$(invoke "release-slot($CTX, $hold)")
[[ $out == ok ]] || fail "release-slot: expected ok, got $out"
note "ok: release-slot of a used hold"

note "passed in $(($(millis) - started)) ms"
