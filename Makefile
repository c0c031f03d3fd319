# Slotline: `make run` starts the demo, `make test` runs every test.
# Everything builds in release mode into one target directory, so wasmtime is compiled once
# and shared by `run`, `test` and `bench`.

CARGO      ?= cargo
GUEST_WASM := target/wasm32-wasip2/guest/slotline_guest.wasm

.PHONY: all build run test guest toolchain lint fmt clean bench fuzz plugin-test plugins-polyglot plugin-new-check

all: build

# The guest is a wasm32-wasip2 component; install the target when it is missing.
toolchain:
	@rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

# The default plugin, the test plugin the end-to-end tests use, and the example plugins.
guest: toolchain
	$(CARGO) build --locked -p slotline-guest -p slotline-test-plugin -p slotline-replay-candidate -p slotline-example-salon -p slotline-example-opening-hours --target wasm32-wasip2 --profile guest

# The JavaScript (componentize-js) and Python (componentize-py) example plugins, from the npm
# and PyPI versions their lock files pin; node/npm and python3-venv from Debian when missing.
# Rebuilt only when their sources change.
plugins-polyglot:
	./examples/plugins/build-polyglot.sh

build: guest
	$(CARGO) build --locked --release

run: build
	./target/release/slotline demo

# Tests run beside a throwaway PostgreSQL and with redis-server available (installed from Debian
# when missing; see tests/services/with-services.sh): the scale-out tests need both.
# `failpoints` lets the crash test stop the gateway between two steps; builds for users lack it.
# The SDK tests run the platforms' own Python SDKs and the official MCP client, installed at
# pinned versions from PyPI into target/python (tests/python/venv.sh).
test: guest plugins-polyglot
	python=$$(./tests/python/venv.sh) && SLOTLINE_TEST_PYTHON="$$python" \
		./tests/services/with-services.sh $(CARGO) test --locked --release --features slotline/failpoints
	$(CARGO) test --locked --release -p slotline-guest --lib
	CARGO="$(CARGO)" ./tests/plugin-new/run.sh
	CARGO="$(CARGO)" ./tests/plugin-test/run.sh
	node examples/plugins/js/test/parseDate.mjs
	node examples/plugins/js/test/tz.mjs
	python3 examples/plugins/python/test/parse_date.py

# `slotline plugin new` for Rust, JavaScript and Python: each project built, checked by the
# gateway and passing its own test.sh (the stock wasmtime CLI, built in this workspace as
# target/release/wasmtime, against `slotline simulator`). Part of `make test`.
plugin-new-check: guest plugins-polyglot
	CARGO="$(CARGO)" ./tests/plugin-new/run.sh

# Performance report (not part of `make test`): release builds, the simulator and the gateway
# as separate processes, a table on stdout and bench/results.json. The hello component is the
# reference served by stock `wasmtime serve` when installed into target/tools (bench/README.md).
bench: build
	$(CARGO) build --locked -p slotline-bench-hello --target wasm32-wasip2 --profile guest
	$(CARGO) build --locked --release -p slotline-bench -p slotline-native
	./tests/services/with-services.sh ./target/release/slotline-bench

# The default plugin run by the stock `wasmtime` CLI (the version the host embeds, built from
# wasmtime-cli's own crate inside this workspace: tests/tools/wasmtime-cli) against the Cal.com
# simulator.
plugin-test: guest
	CARGO="$(CARGO)" ./tests/plugin-test/run.sh

# Fuzz the webhook parsers and parse-date for FUZZ_SECONDS each (nightly; not part of `make test`).
fuzz:
	./fuzz/run.sh

lint: guest
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --release --all-targets --features slotline/failpoints -- -D warnings
	$(CARGO) clippy --locked -p slotline-guest --target wasm32-wasip2 --profile guest -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
