# mpforge: `make run` sets up what is missing and serves the app; `make test` runs every test.
SHELL := /bin/bash
TOOLS_DIR ?= $(HOME)/.cache/mpforge-tools
export PATH := $(TOOLS_DIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CARGO_TERM_COLOR ?= never

.PHONY: setup build run test lint unit e2e checkers bench

setup:
	@bash .ci/setup

# --split: the editor's lazily loaded parts get wasm files of their own; --precompress: brotli
# and gzip copies beside every built file, served as they are.
build: setup
	cargo leptos build --release --split --precompress

run: build
	./target/release/mpforge

lint:
	cargo fmt --all --check
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

# With a throwaway PostgreSQL and an S3-protocol server on loopback (stopped at the end, whatever
# happens): the store contract and the multi-node test run against the real engines.
unit:
	bash .ci/with-services cargo test --workspace

# Playwright in Chromium, then the server's peak memory under hostile load against its bounds.
e2e: build
	cd end2end && npx playwright test
	cd end2end && MPFORGE_BIN=$(CURDIR)/target/release/mpforge node bench/memory.js --check

# Generated packages against Tencent's own offline checkers (wcc, wcsc, miniprogram-ci), then
# rendered and tapped through in miniprogram-simulate.
checkers: build
	cd end2end && MPFORGE_BIN=$(CURDIR)/target/release/mpforge npm run --silent checkers
	cd end2end && MPFORGE_BIN=$(CURDIR)/target/release/mpforge npm run --silent render

# Numbers, not tests: generator and preview speed (criterion); QR codes; the mini-program API's
# orders, bookings and availability under 64 clients (sled and PostgreSQL); the agency dashboard
# with 10,000 sites, a bulk regenerate of 1,000 and the scripting API's rate; draft save/load on sled and on
# PostgreSQL, and a signed-in page's requests per second on one and two nodes; what each screen downloads, the
# time to a usable editor on a throttled link and keystroke-to-preview latency on a 300-block
# page (Playwright in Chromium); the server's peak memory under hostile load.
bench: build
	cargo bench -p server --bench generate
	cargo bench -p server --bench qr
	cargo bench -p server --bench agency
	bash .ci/with-services cargo bench -p server --bench mp
	bash .ci/with-services cargo bench -p server --bench store
	cd end2end && node bench/editor.js
	cd end2end && node bench/memory.js

test: setup lint unit e2e checkers
	@echo "all tests passed"
