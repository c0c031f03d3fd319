#!/usr/bin/env bash
# Builds the JavaScript and Python example plugins (`make plugins-polyglot`) from the npm and
# PyPI packages their lock files pin, into target/plugins/{js,python}/. Installs node/npm and
# Python's venv from Debian when missing. A plugin whose sources are older than its component
# is not rebuilt, so `make test` pays for each once.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "build-polyglot: $* missing and not root: install it" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv

# Whether `out` is missing or older than any file of the plugin's sources.
stale() {
    local out="$1" dir="$2"
    [ ! -f "$out" ] && return 0
    [ -n "$(find "$dir" \( -name node_modules -o -name .venv -o -name __pycache__ \) -prune \
        -o -type f -newer "$out" -print -quit)" ]
}

build() {
    local lang="$1" out="$2"
    if stale "$out" "$here/$lang"; then
        echo "build-polyglot: building the $lang plugin"
        "$here/$lang/build.sh" "$out"
    else
        echo "build-polyglot: the $lang plugin is up to date"
    fi
}

build js "$repo/target/plugins/js/slotline_js.wasm"
build python "$repo/target/plugins/python/slotline_python.wasm"

# The sandbox tests' misbehaving plugins, with the toolchains the examples just installed.
hostile="$repo/tests/plugins"
out="$repo/target/plugins/hostile_js.wasm"
if stale "$out" "$hostile/hostile-js"; then
    echo "build-polyglot: building the hostile JS test plugin"
    node "$here/js/node_modules/@bytecodealliance/componentize-js/src/cli.js" \
        "$hostile/hostile-js/plugin.js" -w "$repo/wit" -n scheduler -d fetch-event -o "$out"
fi
out="$repo/target/plugins/hostile_python.wasm"
if stale "$out" "$hostile/hostile-python"; then
    echo "build-polyglot: building the hostile Python test plugin"
    (cd "$hostile/hostile-python" &&
        "$here/python/.venv/bin/componentize-py" -d "$repo/wit" -w scheduler componentize app -o "$out")
fi
