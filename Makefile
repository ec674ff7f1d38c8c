# cem — build, test and demo entry points. README contract: `make demo`, `make test`.
# Everything installs itself (see DEVELOPERS.md); stamp files keep a second run fast.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:

ROOT      := $(CURDIR)
CARGO     ?= cargo
CARGO_HOME ?= $(HOME)/.cargo
export PATH := $(CARGO_HOME)/bin:$(PATH)

PYTHON    ?= python3
VENV      := $(ROOT)/.venv
VPY       := $(VENV)/bin/python
BROWSER   := $(ROOT)/tests/browser
NODE_BIN  := $(BROWSER)/node_modules/.bin
PKG       := $(ROOT)/cem-wasm/pkg
CHROMIUM  := /usr/bin/chromium
LOGS      := $(ROOT)/target/logs
# Lint level for clippy (override e.g. CLIPPY_FLAGS='-D warnings -A dead_code' while core has dead code).
CLIPPY_FLAGS ?= -D warnings

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly: read the version from Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
# Features rustc enables by default on wasm32-unknown-unknown; wasm-opt must accept them.
WASM_OPT_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
                     --enable-mutable-globals --enable-reference-types --enable-multivalue

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-rust setup-wasm-bindgen setup-chromium setup-node setup-python \
        test test-rust lint test-py py-lint py wasm test-browser test-fuzz fuzz www demo clean-stamps

## ---------------------------------------------------------------- setup
setup: setup-rust setup-wasm-bindgen setup-chromium setup-node setup-python

setup-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

setup-wasm-bindgen:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "wasm-bindgen-cli $(WASM_BINDGEN_VERSION) already installed"; \
	else \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (matches Cargo.lock)"; \
	  $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

setup-chromium:
	@if [ -x $(CHROMIUM) ]; then echo "chromium present"; else \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; fi

setup-node: $(BROWSER)/node_modules/.stamp
$(BROWSER)/node_modules/.stamp: $(BROWSER)/package.json $(BROWSER)/package-lock.json
	cd $(BROWSER) && npm ci --no-audit --no-fund
	@touch $@

setup-python: $(VENV)/.stamp
$(VENV)/.stamp: tests/python/requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r tests/python/requirements.txt
	@touch $@

## ---------------------------------------------------------------- builds
# Build the extension as a release wheel and install it into .venv (not editable: the tests
# run against the built package, and no .so lands in the source tree).
py: setup-python
	rm -rf target/wheels
	$(VENV)/bin/maturin build --release --quiet -i $(VPY) -m cem-py/Cargo.toml -o target/wheels
	$(VPY) -m pip install --quiet --force-reinstall --no-deps target/wheels/cem-*.whl

# The core package (survey scorer, cem-wasm/pkg, module cem_wasm) and one package per opt-in
# cargo feature (cem-wasm/pkg-<feature>, module cem_<feature>; see DEVELOPERS.md).
WASM_FEATURES := journey sentiment orchestrate alerts clv
# Opt-in packages built for speed rather than size (opt-level 3, wasm-opt -O3): scoring text is
# ~3.5x faster so for ~37 KB gzipped more on a package the lexicon makes large anyway.
WASM_SPEED := sentiment

wasm: setup-rust setup-wasm-bindgen setup-node
	$(call wasm_package,,$(PKG),cem_wasm,cem-wasm)
	$(foreach f,$(WASM_FEATURES),$(call wasm_package,--features $(f) $(if $(filter $(f),$(WASM_SPEED)),--config profile.wasm.opt-level=3),$(PKG)-$(f),cem_$(f),cem-$(f),$(if $(filter $(f),$(WASM_SPEED)),-O3)))

# $(call wasm_package,cargo flags,out dir,module name,npm name[,wasm-opt level]): build, bind,
# shrink (-Oz unless given), print sizes.
define wasm_package
	$(CARGO) build -p cem-wasm --target wasm32-unknown-unknown --profile wasm $(1)
	rm -rf $(2) && mkdir -p $(2)
	wasm-bindgen --target web --out-dir $(2) --out-name $(3) target/wasm32-unknown-unknown/wasm/cem_wasm.wasm
	$(NODE_BIN)/wasm-opt $(or $(5),-Oz) $(WASM_OPT_FEATURES) -o $(2)/$(3)_bg.wasm $(2)/$(3)_bg.wasm
	sed -e "s/@VERSION@/$$($(CARGO) pkgid -p cem-wasm | sed 's/.*[#@]//')/" -e "s/@MODULE@/$(3)/g" -e "s/@NAME@/$(4)/" cem-wasm/package.json.in > $(2)/package.json
	@echo "$(3)_bg.wasm: $$(wc -c < $(2)/$(3)_bg.wasm) bytes, $$(gzip -9 -c $(2)/$(3)_bg.wasm | wc -c) bytes gzipped"

endef

# The demos (survey widget, journey dashboard): builds the packages and serves cem-wasm/www on 127.0.0.1.
www: wasm
	@echo "demo widget: http://127.0.0.1:8080/www/, journey dashboard: http://127.0.0.1:8080/www/journey.html, CLV: http://127.0.0.1:8080/www/clv.html (Ctrl-C to stop)"
	cd cem-wasm && python3 -m http.server 8080 --bind 127.0.0.1

## ---------------------------------------------------------------- tests
# Each layer prints its duration, so CI logs show where the minutes go.
test: setup
	@t=$$SECONDS; $(MAKE) --no-print-directory test-rust; echo "== test-rust: $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MAKE) --no-print-directory lint; echo "== lint: $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MAKE) --no-print-directory test-py; echo "== test-py: $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MAKE) --no-print-directory test-browser; echo "== test-browser: $$((SECONDS - t)) s"
	@t=$$SECONDS; $(MAKE) --no-print-directory test-fuzz; echo "== test-fuzz: $$((SECONDS - t)) s"
	@echo "make test: all layers passed"

# Rust unit, integration and doc tests. Fails unless cem-core's tests actually ran.
test-rust:
	@mkdir -p $(LOGS)
	$(CARGO) test --workspace --exclude cem-py 2>&1 | tee $(LOGS)/cargo-test.log
	# The multi-threaded kernels (feature `parallel`) against the same references.
	$(CARGO) test -p cem-core --features parallel --test group 2>&1 | tee $(LOGS)/cargo-test-parallel.log
	@awk '/Running .*cem_core-|Doc-tests cem_core/ { c = 1 } \
	      c && /^test result:/ { if ($$4 + 0 > 0) n += $$4; c = 0 } \
	      END { if (n > 0) { print "cem-core: " n " tests passed" } else { print "cem-core ran no tests" > "/dev/stderr"; exit 1 } }' \
	      $(LOGS)/cargo-test.log
	# Every input in tests/fuzz-corpus through its fuzz harness (fuzz/ is its own workspace).
	$(CARGO) test --manifest-path fuzz/Cargo.toml --test replay -- --nocapture 2>&1 | tee $(LOGS)/fuzz-replay.log
	@grep -q '^test result: ok. 1 passed' $(LOGS)/fuzz-replay.log || { echo "fuzz corpus replay ran no test" >&2; exit 1; }

lint: py-lint
	# Formatting: `cargo fmt --all` (also fuzz/) fixes what this reports.
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml --all -- --check
	$(CARGO) clippy --workspace --exclude cem-py --all-targets -- $(CLIPPY_FLAGS)
	$(CARGO) clippy --manifest-path fuzz/Cargo.toml --all-targets -- $(CLIPPY_FLAGS)
	$(foreach f,$(WASM_FEATURES),$(CARGO) clippy -p cem-wasm --features $(f) --all-targets -- $(CLIPPY_FLAGS);)

# cem-py links against libpython only when built by maturin; checking it needs just an interpreter.
py-lint: setup-python
	PYO3_PYTHON=$(VPY) $(CARGO) clippy -p cem-py --all-targets -- $(CLIPPY_FLAGS)

test-py: py
	cd $(ROOT) && $(VPY) -m pytest tests/python
	cd $(ROOT) && $(VPY) -m pytest --doctest-modules --pyargs cem -p no:cacheprovider
	$(VPY) -m mypy.stubtest cem --allowlist tests/python/stubtest-allowlist.txt

test-browser: wasm setup-chromium
	bash $(BROWSER)/run.sh

# Coverage-guided fuzzing (cargo fuzz on the stable toolchain; see fuzz/run.sh). `make test`
# runs each target briefly from the committed corpus; `make fuzz` runs longer and merges the
# inputs that found new coverage into tests/fuzz-corpus (commit them).
FUZZ_TEST_SECONDS ?= 15
FUZZ_SECONDS ?= 300
test-fuzz:
	bash fuzz/run.sh $(FUZZ_TEST_SECONDS)

fuzz:
	bash fuzz/run.sh --save $(FUZZ_SECONDS)

## ---------------------------------------------------------------- demo
demo:
	$(CARGO) run --release -p cem-core --example cx_report

clean-stamps:
	rm -f $(VENV)/.stamp $(BROWSER)/node_modules/.stamp
