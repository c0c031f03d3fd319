#!/usr/bin/env bash
# Runs the same conversation against the embedded Rust plugin and this Python port, each on a
# fresh Cal.com simulator, and diffs the `data` part of every reply. The spoken `message` is
# printed side by side but not diffed: the `data` is what an agent acts on.
#
#   ./compare.sh [PLUGIN.wasm]     (default: ../../../target/plugins/python/slotline_python.wasm)
#
# SLOTLINE and CALSIM name the binaries (default: the release builds of this tree).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
wasm="$(realpath "${1:-$repo/target/plugins/python/slotline_python.wasm}")"
slotline="${SLOTLINE:-$repo/target/release/slotline}"
calsim="${CALSIM:-$repo/target/release/calsim}"
now="2026-11-25T10:00:00+01:00"
caller="+4915112345678"
work="$(mktemp -d)"
sim_pid=""
# KEEP=1 keeps the replies (in $work) for a look.
cleanup() { [ -s "$work/sim.pid" ] && kill "$(cat "$work/sim.pid")" 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "replies in $work" || rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One tenant `t` on the simulator at $1; with $2 (a .wasm) it runs that plugin, else the
# embedded Rust one. $3 is the locale.
config() {
    local port=$1 plugin=$2 locale=$3
    cat <<T
[tenants.t]
timezone = "Europe/Berlin"
locale = "$locale"
allowed_outbound = ["http://127.0.0.1:$port"]
fixed_now = "$now"
# Off for both: the Python port does not hold slots yet, and a hold the Rust tenant takes
# after a check would change the calendar the next steps read.
hold_slots = false
T
    if [ -n "$plugin" ]; then
        printf 'plugin = "%s"\n[tenants.t.plugin_limits]\ncore_instances = 16\n' "$plugin"
    fi
    cat <<T
[tenants.t.settings]
calcom_base_url = "http://127.0.0.1:$port/v2"
calcom_api_key = "cal_test_demo"
services = '[{"name": "Beratung", "event_type_id": 1001, "duration": 30, "synonyms": ["beratungstermin", "consultation", "termin"]}, {"name": "Behandlung", "event_type_id": 1002, "duration": 60, "synonyms": ["treatment"]}]'
workdays = "mon,tue,wed,thu,fri"
open = "09:00"
close = "18:00"
T
}

start_sim() {
    local port
    port="$(free_port)"
    "$calsim" --listen "127.0.0.1:$port" --now "$now" >"$work/calsim.log" 2>&1 &
    sim_pid=$!
    echo "$sim_pid" >"$work/sim.pid"
    for _ in $(seq 50); do
        (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
        sleep 0.1
    done
    echo "$port"
}

stop_sim() {
    sim_pid="$(cat "$work/sim.pid")"
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    : >"$work/sim.pid"
}

field() { python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(eval("d"+sys.argv[1]))' "$1" 2>/dev/null || echo none; }

# The conversation; every reply goes to $out/NN-step.json.
conversation() {
    local cfg=$1 out=$2 locale=$3 n=0
    mkdir -p "$out"
    ask() {
        local step=$1 tool=$2 args=$3
        n=$((n + 1))
        "$slotline" plugin invoke -c "$cfg" --tenant t "$tool" "$args" \
            --call-id "call-$locale" --from "$caller" >"$out/$(printf %02d $n)-$step.json" 2>>"$work/invoke.log" || true
        cat "$out/$(printf %02d $n)-$step.json"
    }
    ask check check_availability '{"date":"2026-11-26","time":"15:00"}' >/dev/null
    ask alternatives find_alternatives '{"date":"2026-11-26","time":"15:00"}' >/dev/null
    local first
    first="$(field '["alternatives"][0]["start"]' <"$out/02-alternatives.json")"
    ask book create_booking "{\"start\":\"$first\",\"name\":\"Max Mustermann\"}" >/dev/null
    ask book-again create_booking "{\"start\":\"$first\",\"name\":\"Max Mustermann\"}" >/dev/null
    ask list list_bookings '{}' >/dev/null
    local id
    id="$(field '.get("booking", d)["booking_id"]' <"$out/03-book.json")"
    ask reschedule reschedule_booking "{\"booking_id\":\"$id\",\"new_date\":\"2026-11-27\",\"new_time\":\"09:00\"}" >/dev/null
    ask cancel cancel_booking '{"date":"2026-11-27"}' >/dev/null
    ask list-after list_bookings '{}' >/dev/null
    ask services list_services '{}' >/dev/null
}

status=0
for locale in de en; do
    for kind in rust py; do
        port="$(start_sim)"  # a subshell: the simulator's pid is kept in $work/sim.pid
        plugin=""
        [ "$kind" = py ] && plugin="$wasm"
        config "$port" "$plugin" "$locale" >"$work/$kind.toml"
        conversation "$work/$kind.toml" "$work/$kind-$locale" "$locale"
        stop_sim
    done
    python3 - "$locale" "$work/rust-$locale" "$work/py-$locale" <<'PY' || status=1
import json, os, sys

# The simulator gives bookings random uids, so each run's uids are renamed `booking-1`,
# `booking-2`, ... in order of appearance: equal data then also means the same booking came
# back to the retry and was moved and cancelled.
def replies(folder):
    names, out = {}, {}
    def rename(value):
        if isinstance(value, dict):
            return {k: (names.setdefault(v, f"booking-{len(names) + 1}") if k == "booking_id" else rename(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return value
    for name in sorted(os.listdir(folder)):
        try:
            with open(os.path.join(folder, name)) as f:
                reply = json.load(f)
        except Exception as err:
            reply = {"data": f"<no reply: {err}>"}
        out[name[:-5]] = (rename(reply.get("data", reply.get("error"))), reply.get("message"))
    return out

locale, rust, py = sys.argv[1], replies(sys.argv[2]), replies(sys.argv[3])
different = False
for step, (data, message) in rust.items():
    other, other_message = py.get(step, ("<missing>", None))
    verdict = "equal" if data == other else "DIFFERENT"
    different |= data != other
    print(f"{locale:<3} {step:<16} {verdict}")
    print(f"      rust: {message}\n      py:   {other_message}")
    if data != other:
        print(f"      rust data: {json.dumps(data, ensure_ascii=False)}")
        print(f"      py data:   {json.dumps(other, ensure_ascii=False)}")
sys.exit(1 if different else 0)
PY
done
[ -s "$work/invoke.log" ] && grep -i 'error' "$work/invoke.log" | head -20 || true
exit $status
