#!/usr/bin/env bash
# Runs the same phone conversation against the default Rust plugin and against this JS plugin,
# each on a FRESH Cal.com simulator (so both see the same demo calendar), and diffs what the
# agent gets back (`data`) and what the caller hears (`message`), step by step.
#
#   ./compare.sh [WASM]          WASM defaults to what ./build.sh builds
#
# Environment:
#   SLOTLINE   the gateway binary   (default: this tree's target/release/slotline, else PATH)
#   CALSIM     the simulator binary (default: this tree's target/release/calsim, else PATH)
#   MODE       `serve` (default): one gateway per run, tool calls as signed Retell webhooks
#              (fast: the component is compiled once, and the cache lives through the call);
#              `invoke`: one `slotline plugin invoke` per tool call (~7 s each, no cache
#              between calls, so a repeated booking is found at the calendar, not in the cache)
#   STEPS      `conversation`: only the ten steps of the call (create twice, move, cancel...);
#              default: those and the extra checks after them
#   KEEP       set to keep the work directory with every reply
#
# Needs: bash, curl, jq. Exit status 0 when every step is equal.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WASM="$(realpath -m "${1:-$HERE/../../../target/plugins/js/slotline_js.wasm}")"
pick() { if [[ -x "$1" ]]; then echo "$1"; else command -v "$2"; fi; }
SLOTLINE="${SLOTLINE:-$(pick "$HERE/../../../target/release/slotline" slotline)}"
CALSIM="${CALSIM:-$(pick "$HERE/../../../target/release/calsim" calsim)}"
MODE="${MODE:-serve}"
NOW="2026-11-25T10:00:00+01:00"
CALLER="+4915112345678"
KEY="compare-retell-key"

[[ -f "$WASM" ]] || { echo "no component at $WASM: run ./build.sh first" >&2; exit 2; }
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ -n "${KEEP:-}" ]]; then echo "replies kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
  # Binding port 0 lets the kernel choose a free loopback port.
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_for() { # PORT [SECONDS]: until something listens there (default at most 10 s)
  for _ in $(seq $((${2:-10} * 10))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2; return 1
}

# The simulator's demo calendar as of NOW (calsim's own demo follows the real date): the e2e
# tests' `Seed::demo(2026-11-25)`. Thursday 26th: 10:00 Anna, 15:00 Jonas (12:00 cancelled);
# Friday 27th: 11:00 Anna ("Behandlung"); Monday 30th: 9:00 Lea.
seed() {
  local anna='{"name": "Anna Schmidt", "phoneNumber": "+491701234567", "timeZone": "Europe/Berlin", "language": "de"}'
  local jonas='{"name": "Jonas Weber", "phoneNumber": "+491709876543", "timeZone": "Europe/Berlin", "language": "de"}'
  local lea='{"name": "Lea Fischer", "email": "lea@example.com", "timeZone": "Europe/Berlin", "language": "de"}'
  cat <<EOF
{
  "eventTypes": [
    {"id": 1001, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30},
    {"id": 1002, "slug": "behandlung", "title": "Behandlung", "lengthInMinutes": 60}
  ],
  "schedule": {"id": 1, "timeZone": "Europe/Berlin", "availability": [
    {"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], "startTime": "09:00", "endTime": "18:00"}]},
  "bookings": [
    {"uid": "demo202611261000", "eventTypeId": 1001, "start": "2026-11-26T09:00:00.000Z", "attendee": $anna},
    {"uid": "demo202611261200", "eventTypeId": 1001, "start": "2026-11-26T11:00:00.000Z", "attendee": $jonas, "status": "cancelled"},
    {"uid": "demo202611261500", "eventTypeId": 1001, "start": "2026-11-26T14:00:00.000Z", "attendee": $jonas},
    {"uid": "demo202611271100", "eventTypeId": 1002, "start": "2026-11-27T10:00:00.000Z", "attendee": $anna},
    {"uid": "demo202611300900", "eventTypeId": 1001, "start": "2026-11-30T08:00:00.000Z", "attendee": $lea}
  ]
}
EOF
}

# One tenant block: id, locale, plugin (empty: the embedded Rust default).
tenant() {
  local id="$1" locale="$2" plugin="$3"
  cat <<EOF
[tenants.$id]
timezone = "Europe/Berlin"
locale = "$locale"
fixed_now = "$NOW"
retell_api_key = "$KEY"
allowed_outbound = ["http://127.0.0.1:$SIM_PORT"]
${plugin:+plugin = \"$plugin\"}

[tenants.$id.calls]   # one conversation makes more tool calls than a real one would
max_tool_calls = 1000
per_minute = 1000

[tenants.$id.settings]
calcom_base_url = "http://127.0.0.1:$SIM_PORT/v2"
calcom_api_key = "cal_test_demo"
services = '[{"name": "Beratung", "event_type_id": 1001, "duration": 30, "synonyms": ["beratungstermin", "consultation", "termin"]}, {"name": "Behandlung", "event_type_id": 1002, "duration": 60, "synonyms": ["treatment"]}]'
workdays = "mon,tue,wed,thu,fri"
open = "09:00"
close = "18:00"

EOF
}

# Starts a fresh simulator (and, in serve mode, a gateway) for one plugin: `rust` or `js`.
start() {
  local which="$1" plugin=""
  [[ "$which" == js ]] && plugin="$WASM"
  SIM_PORT="$(free_port)"
  seed >"$WORK/seed.json"
  "$CALSIM" --listen "127.0.0.1:$SIM_PORT" --now "$NOW" --seed "$WORK/seed.json" >"$WORK/$which.calsim.log" 2>&1 &
  PIDS+=($!)
  wait_for "$SIM_PORT"
  GW_PORT="$(free_port)"
  CONFIG="$WORK/$which.toml"
  {
    printf '[server]\nlisten = "127.0.0.1:%s"\n\n' "$GW_PORT"
    tenant "$which" de "$plugin"
    tenant "$which-en" en "$plugin"
  } >"$CONFIG"
  if [[ "$MODE" == serve ]]; then
    "$SLOTLINE" -c "$CONFIG" serve >"$WORK/$which.gateway.log" 2>&1 &
    PIDS+=($!)
    wait_for "$GW_PORT" 120 # the gateway compiles the component for each tenant first
  fi
}

stop() { # the simulator and gateway of the last `start`
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}

# One tool call as the tenant $1 in call $2: prints the reply JSON.
tool() {
  local tenant="$1" call_id="$2" name="$3" args="$4"
  if [[ "$MODE" == serve ]]; then
    local body
    body="$(jq -cn --arg name "$name" --argjson args "$args" --arg call "$call_id" --arg from "$CALLER" \
      '{name: $name, args: $args, call: {call_id: $call, from_number: $from, to_number: "+4930123456"}}')"
    curl -s "http://127.0.0.1:$GW_PORT/v1/retell/$tenant" -H 'content-type: application/json' \
      -H "X-Retell-Signature: $("$SLOTLINE" sign --key "$KEY" "$body")" -d "$body"
  else
    "$SLOTLINE" plugin invoke -c "$CONFIG" --tenant "$tenant" "$name" "$args" \
      --call-id "$call_id" --from "$CALLER" 2>/dev/null
  fi
}

# The conversation, for the tenant $1 in language $2; replies go to $WORK/<tenant>/<n>-<step>.json.
converse() {
  local tenant="$1" lang="$2" dir="$WORK/$1" n=0 reply
  mkdir -p "$dir"
  step() { # STEP-NAME TOOL ARGS
    n=$((n + 1))
    reply="$(tool "$tenant" "call-$lang" "$2" "$3")"
    printf '%s\n' "$reply" >"$dir/$(printf %02d $n)-$1.json"
  }
  local said="morgen um 15 Uhr"
  [[ "$lang" == en ]] && said="tomorrow at 3pm"
  step parse_date parse_date "$(jq -cn --arg t "$said" '{text: $t}')"
  step check_availability check_availability '{"date": "2026-11-26", "time": "15:00"}'
  step find_alternatives find_alternatives '{"date": "2026-11-26", "time": "15:00"}'
  local first date time
  first="$(jq -r '.data.alternatives[0].start // empty' <<<"$reply")"
  date="${first:0:10}" time="${first:11:5}"
  step create_booking create_booking "$(jq -cn --arg d "$date" --arg t "$time" '{date: $d, time: $t, name: "Max Mustermann"}')"
  step create_booking_again create_booking "$(jq -cn --arg d "$date" --arg t "$time" '{date: $d, time: $t, name: "Max Mustermann"}')"
  local id
  id="$(jq -r '.data.booking_id // empty' <<<"$reply")"
  step list_bookings list_bookings '{}'
  step reschedule_booking reschedule_booking "$(jq -cn --arg id "$id" '{booking_id: $id, new_date: "2026-11-27", new_time: "09:00"}')"
  step cancel_booking cancel_booking '{"date": "2026-11-27"}'
  step list_bookings_after list_bookings '{}'
  step list_services list_services '{}'
  [[ "${STEPS:-}" == conversation ]] && return
  # Beyond the conversation: other words, other days, and refusals.
  for text in "heute" "übermorgen" "nächsten Dienstag um halb drei" "am 3. Dezember" "December 3rd at 10am" \
    "next tuesday" "Freitag um 10" "15:30" "halb drei" "blabla"; do
    step "parse_date_$(tr -c 'a-zA-Z0-9' _ <<<"$text")" parse_date "$(jq -cn --arg t "$text" '{text: $t}')"
  done
  step check_day check_availability '{"date": "2026-11-27"}'
  step check_free check_availability '{"date": "2026-11-27", "time": "09:00"}'
  step check_saturday check_availability '{"date": "2026-11-28", "time": "10:00"}'
  step check_evening check_availability '{"date": "2026-11-26", "time": "19:00"}'
  step check_late check_availability '{"date": "2026-11-26", "time": "17:45", "service": "Behandlung"}'
  step check_off_grid check_availability '{"date": "2026-11-26", "time": "10:10"}'
  step check_past check_availability '{"date": "2026-11-20", "time": "10:00"}'
  step check_words check_availability '{"date": "morgen", "time": "halb drei"}'
  step check_unknown_service check_availability '{"date": "2026-11-26", "service": "Maniküre"}'
  step cancel_unknown cancel_booking '{"booking_id": "no-such-booking"}'
  step cancel_nothing cancel_booking '{"date": "2026-12-01"}'
  step book_taken create_booking '{"date": "2026-11-26", "time": "15:00", "name": "Max Mustermann"}'
  step book_no_name create_booking '{"date": "2026-11-30", "time": "11:00", "name": "???"}'
}

normalize() { # DIR: each reply, keys sorted, into DIR.norm/; booking ids the simulator made up
  # become BOOKING-1, BOOKING-2... in order of appearance over the whole conversation, so a
  # second booking where the first should have been returned shows up as a difference.
  node -e '
    const fs = require("fs"), [dir] = process.argv.slice(1), seen = new Map();
    const sorted = (v) => Array.isArray(v) ? v.map(sorted) : v && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
    fs.mkdirSync(dir + ".norm", { recursive: true });
    for (const file of fs.readdirSync(dir).sort()) {
      let text = fs.readFileSync(`${dir}/${file}`, "utf8");
      try { text = JSON.stringify(sorted(JSON.parse(text)), null, 2); } catch {}
      text = text.replace(/"booking_id": "([^"]+)"/g, (all, id) => {
        if (id.startsWith("demo")) return all;
        if (!seen.has(id)) seen.set(id, `BOOKING-${seen.size + 1}`);
        return `"booking_id": "${seen.get(id)}"`;
      });
      fs.writeFileSync(`${dir}.norm/${file}`, text + "\n");
    }' "$1"
}

for which in rust js; do
  start "$which"
  converse "$which" de
  converse "$which-en" en
  # What the plugin sent Cal.com, in order: method, path, query, API version, body, answer.
  curl -s "http://127.0.0.1:$SIM_PORT/_sim/requests" |
    jq '[.requests[] | del(.at, .seq)
         | .path |= gsub("/(?<k>bookings|reservations)/(?!demo)[A-Za-z0-9_-]{10,}"; "/\(.k)/UID")
         | .body |= (if . == null then . else gsub("\"(?<k>reservedSlotUid|uid)\":\"[^\"]*\""; "\"\(.k)\":\"UID\"") end)]' \
      >"$WORK/$which.upstream.json"
  stop
done

for dir in rust rust-en js js-en; do normalize "$WORK/$dir"; done
status=0
for lang in "" "-en"; do
  if [[ -z "$lang" ]]; then echo "== German (de) =="; else echo "== English (en) =="; fi
  for file in "$WORK/rust$lang.norm"/*.json; do
    step="$(basename "$file" .json)"
    if diff "$file" "$WORK/js$lang.norm/$step.json" >"$WORK/diff" 2>&1; then
      printf '  %-44s equal\n' "$step"
    else
      printf '  %-44s DIFFERENT\n' "$step"; sed 's/^/      /' "$WORK/diff"; status=1
    fi
  done
done
echo "== Requests to Cal.com (both languages, in order) =="
if diff "$WORK/rust.upstream.json" "$WORK/js.upstream.json" >"$WORK/diff"; then
  printf '  %-44s equal\n' "$(jq length "$WORK/rust.upstream.json") requests"
else
  printf '  %-44s DIFFERENT\n' "requests"; sed 's/^/      /' "$WORK/diff"; status=1
fi
exit $status
