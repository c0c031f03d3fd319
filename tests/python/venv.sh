#!/usr/bin/env bash
# The Python environment of the SDK tests: the platforms' own SDKs (Retell, Vapi) and the
# official MCP client, at the versions pinned in requirements.txt, installed from PyPI into
# target/python once (again when requirements.txt changes). Prints the interpreter's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/python"
requirements="$root/tests/python/requirements.txt"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
    python3 -m venv --clear "$venv" >&2 || {
        # Debian's python3 lacks venv until python3-venv is installed.
        apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2 && python3 -m venv --clear "$venv" >&2
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
    cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
