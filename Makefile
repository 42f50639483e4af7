# Samtale: `make run` sets up and starts the app; `make test` sets up and runs every check.
# Each target installs what is missing first, so both work on a fresh Debian/Ubuntu clone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

# A clean clone builds once: incremental caches only cost disk there.
ifdef CI
export CARGO_INCREMENTAL := 0
endif

APP := target/release/samtale-app
CARGO_APP := cargo build --release --locked -p samtale-app --features custom-protocol
UI_STAMP := ui/node_modules/.samtale-installed

.PHONY: run test deps deps-test ui-deps ui app fmt-check clippy advisories test-core test-ui \
        bindings bindings-check e2e bench fuzz perf screenshot gallery clean

run: deps ui-deps app
	$(APP)

test: deps-test ui-deps fmt-check clippy advisories test-core test-ui app bindings-check e2e
	@echo "make test: every check passed"

deps:
	scripts/deps.sh

deps-test:
	scripts/deps.sh --test

ui-deps: $(UI_STAMP)

# `npm install`, not `npm ci`: it keeps the lock file but tolerates the other platforms'
# optional packages that the registry here does not carry.
$(UI_STAMP): ui/package.json ui/package-lock.json
	cd ui && npm install --no-audit --no-fund
	touch $@

ui: ui-deps
	cd ui && npm run build

app: ui
	$(CARGO_APP)

fmt-check:
	cargo fmt --all -- --check

clippy: ui
	cargo clippy --locked --workspace --all-targets -- -D warnings

# Cargo.lock against the RustSec advisory database, offline, from the snapshot in shared/
# beside the repository; accepted advisories, each with its reason, in deny.toml.
advisories: deps-test
	scripts/advisories.sh

test-core:
	cargo test --locked -p samtale

test-ui: ui-deps
	cd ui && npm run check && npm run lint && npm run test

# The UI's bindings are generated from the Rust commands and committed; regenerating them
# must not change a byte.
bindings: app
	$(APP) --export-bindings ui/src/lib/bindings.ts

bindings-check: app
	tmp=$$(mktemp --suffix .ts) && $(APP) --export-bindings $$tmp && \
	  if ! cmp -s $$tmp ui/src/lib/bindings.ts; then \
	    diff -u ui/src/lib/bindings.ts $$tmp | head -40; rm -f $$tmp; \
	    echo "ui/src/lib/bindings.ts is stale: run 'make bindings' and commit it"; exit 1; \
	  fi; rm -f $$tmp

# The real release app under Xvfb through tauri-driver and WebKitWebDriver.
e2e: app
	xvfb-run -a -s "-screen 0 1280x900x24" cargo test --locked -p samtale-e2e -- --test-threads=1

# The benchmarks only: the import's fuzz run (a bench target too) takes 20 minutes and more.
bench:
	cargo bench -p samtale --bench store --bench import --bench export

# A million generated CSV and XLSX files through the import (docs/SECURITY.md); the dev profile
# keeps overflow checks on, so an arithmetic slip is found rather than wrapped.
fuzz:
	nice -n 19 cargo bench --locked -p samtale --bench fuzz_import --profile dev

perf: app
	scripts/measure-app.sh

screenshot: app
	scripts/screenshot.sh docs/screenshot.png

# docs/screens/: every screen at 1280x800 and 1024x700, made by the tour (needs imagemagick).
gallery: app
	scripts/gallery.sh

clean:
	cargo clean
	rm -rf ui/build ui/.svelte-kit ui/node_modules
