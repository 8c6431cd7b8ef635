# libagentbay: the front door. `make` builds, `make test` runs every test,
# `make demo` runs the main example on the embedded backend, `make bench`
# prints the benchmark figures the README quotes. The C parts (the library,
# the Node addon, the C tests and examples) are built by CMake, which the
# targets below call; the Go-only ones call go directly.

GO      ?= go
BUILD   := build
PREFIX  ?= /usr/local

# cmake --build runs a make below this one: keep its output free of
# "Entering directory" lines.
MAKEFLAGS += --no-print-directory

GO_SOURCES := go.mod go.sum $(shell find core capi cmd -name '*.go' -o -name '*.c' -o -name '*.map' 2>/dev/null)

.PHONY: all local test test-go test-fuzz test-official bench bench-go bench-wait bench-transport bench-official clean
.PHONY: lib test-c bench-c install
.PHONY: demo test-python python-sync bench-python python-package node test-node bench-node demo-node node-package

all: local lib node

# ---- Go -------------------------------------------------------------------

local: $(BUILD)/agentbay-local

$(BUILD)/agentbay-local: $(GO_SOURCES)
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/agentbay-local

test: test-go test-fuzz test-c test-python test-node test-official

test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# A short run of the envelope parser's fuzz test over its checked-in corpus.
test-fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseEnvelope -fuzztime 10s ./core/wire/

bench: bench-go bench-wait bench-transport bench-c bench-python bench-node bench-official

bench-go:
	$(GO) test -run '^$$' -bench . -skip BenchmarkWait -benchmem -benchtime 2s ./core/...

# Pause and resume against the embedded backend emulating transitions of
# 0.1, 0.5, 1.5 and 5 s (AGENTBAY_BENCH_WAIT_LONG=1: also 20 s), the engine's
# wait side by side with fixed 2 s polling; about two minutes.
bench-wait:
	$(GO) test -run '^$$' -bench BenchmarkWait -benchtime 2x ./core/embedded/

# The engine's HTTP transport, net/http's and the direct one in alternating
# rounds, against an agentbay-local in another process: client CPU and wall
# per GetLabels over https, and bursts of 64 concurrent calls (under a minute).
bench-transport: local
	$(GO) run ./tests/bench/transport $(BUILD)/agentbay-local

# ---- C: CMake -----------------------------------------------------------------
# CMakeLists.txt is the one C build: the library, the Node addon, the C tests
# and examples, the C benchmark, the install rules. It is configured once, in
# build/cmake, with its outputs in build/ (build/libagentbay.so.N and its
# libagentbay.so link, build/libagentbay.a, build/include/agentbay.h,
# build/internal/, build/tests/, build/examples/); the targets below call
# `cmake --build`, which reconfigures by itself when CMakeLists.txt changes
# and knows what is up to date.

CMAKE       ?= cmake
CTEST       ?= ctest
CMAKE_DIR   := $(BUILD)/cmake
CMAKE_BUILD := $(CMAKE) --build $(CMAKE_DIR) --target

# CMAKE_INSTALL_LIBDIR=lib: `make install` puts the libraries in PREFIX/lib,
# as it always has, where GNUInstallDirs would pick lib64 on some systems.
$(CMAKE_DIR)/CMakeCache.txt:
	$(CMAKE) -S . -B $(CMAKE_DIR) -DAGENTBAY_OUTPUT_DIR=$(CURDIR)/$(BUILD) -DCMAKE_INSTALL_LIBDIR=lib

lib: $(CMAKE_DIR)/CMakeCache.txt
	$(CMAKE_BUILD) agentbay_lib

# test-c: the ABI checks (header vs exports, header hygiene); each C test
# plain and with AddressSanitizer and UBSan, on the embedded backend, then
# under valgrind at a smaller scale with the backend in a server process of
# its own (see tests/c/with_server.sh); the static archive; the examples;
# and an install into a scratch prefix used by a CMake and a pkg-config
# consumer. All registered with ctest under the label c.
test-c: $(CMAKE_DIR)/CMakeCache.txt
	$(CMAKE_BUILD) c_tests
	$(CTEST) --test-dir $(CMAKE_DIR) -L '^c$$' --output-on-failure

$(BUILD)/bench/direct: $(GO_SOURCES) tests/bench/direct/main.go
	@mkdir -p $(@D)
	$(GO) build -trimpath -o $@ ./tests/bench/direct

bench-c: $(CMAKE_DIR)/CMakeCache.txt $(BUILD)/bench/direct
	$(CMAKE_BUILD) bench_capi
	$(BUILD)/bench/bench_capi $(BUILD)/bench/direct

# PREFIX (default /usr/local) and DESTDIR as usual. Installs the header, both
# libraries, agentbay.pc and the CMake package (find_package(agentbay)).
install: lib
	DESTDIR='$(DESTDIR)' $(CMAKE) --install $(CMAKE_DIR) --prefix '$(PREFIX)'

clean:
	rm -rf $(BUILD)

# ---- Python ------------------------------------------------------------------
# The package is pure standard library and finds build/libagentbay.so when run
# from the repository. A wheel built here (python-package, or pip install
# ./bindings/python) bundles build/libagentbay.so: hatchling builds it, with
# bindings/python/hatch_build.py.

PYTHON ?= python3
PY     := bindings/python

demo: lib
	$(PYTHON) examples/python/quickstart.py

test-python: lib
	$(PYTHON) $(PY)/tools/gen_sync.py --check
	$(PYTHON) -m unittest discover -s $(PY)/tests -t $(PY)

# _sync.py is generated from _async.py: run this after changing _async.py.
python-sync:
	$(PYTHON) $(PY)/tools/gen_sync.py

bench-python: lib
	$(PYTHON) $(PY)/bench.py

# With hatchling installed the wheel builds offline; without, pip fetches it.
PY_ISOLATION = $(shell $(PYTHON) -c 'import hatchling' 2>/dev/null && echo --no-build-isolation)

python-package: lib
	$(PYTHON) -m pip wheel -q --disable-pip-version-check $(PY_ISOLATION) --no-deps -w $(BUILD)/python ./$(PY)

# ---- The official SDK against agentbay-local ------------------------------------
# test-official: the official Python SDK (OFFICIAL_SDK, from PyPI, in a scratch
# venv made once in build/official-venv and reused) runs its module calls
# against a build/agentbay-local that the test starts on a free port with --tls
# and a temporary data folder (tests/official/test_official_sdk.py).
# tests/official/constraints.txt pins the SDK's dependencies. Calls that fail
# because the backend lacks an action are expected failures there.

OFFICIAL_SDK_VERSION := 0.22.3
OFFICIAL_SDK         := wuying-agentbay-sdk==$(OFFICIAL_SDK_VERSION)
OFFICIAL_VENV        := $(BUILD)/official-venv
OFFICIAL_STAMP       := $(OFFICIAL_VENV)/.installed-$(OFFICIAL_SDK_VERSION)

$(OFFICIAL_STAMP): tests/official/constraints.txt
	rm -f $(OFFICIAL_VENV)/.installed-*
	test -x $(OFFICIAL_VENV)/bin/python || $(PYTHON) -m venv $(OFFICIAL_VENV)
	$(OFFICIAL_VENV)/bin/python -m pip install -q --disable-pip-version-check \
	  -c tests/official/constraints.txt '$(OFFICIAL_SDK)'
	touch $@

test-official: local $(OFFICIAL_STAMP)
	env -u PYTHONPATH AGENTBAY_LOCAL_BIN=$(CURDIR)/$(BUILD)/agentbay-local \
	  AGENTBAY_OFFICIAL_SDK_VERSION=$(OFFICIAL_SDK_VERSION) \
	  $(OFFICIAL_VENV)/bin/python -m unittest -v tests/official/test_official_sdk.py

# bench-official: the official Python SDK (the venv above) and ours (python3,
# bindings/python, build/libagentbay.so) one after the other against ONE
# agentbay-local over https: client CPU and wall per get_labels, create +
# delete, 64 concurrent execute_command; a table of the ratios (well under a
# minute; tests/bench/official_side_by_side.py says what each line measures).
bench-official: local lib $(OFFICIAL_STAMP)
	env -u PYTHONPATH $(PYTHON) tests/bench/official_side_by_side.py \
	  --server $(BUILD)/agentbay-local --library $(BUILD)/libagentbay.so \
	  --official-python $(OFFICIAL_VENV)/bin/python

# ---- Node --------------------------------------------------------------------
# A small N-API addon in C (no node-gyp) that dlopens the library at run time;
# CMake builds it into bindings/node/build/Release/agentbay.node.

node: $(CMAKE_DIR)/CMakeCache.txt
	$(CMAKE_BUILD) agentbay_node

test-node: lib node node-package
	cd bindings/node && AGENTBAY_NODE_PACKAGE=$$(ls $(CURDIR)/$(BUILD)/node/agentbay-*.tgz) npm test

# An npm package (build/node/agentbay-VERSION.tgz, VERSION from package.json)
# with the addon and a copy of the library inside, found before any other
# (lib/native/libagentbay.so).
node-package: lib node
	rm -rf $(BUILD)/node
	mkdir -p bindings/node/lib/native $(BUILD)/node
	cp -L $(BUILD)/libagentbay.so bindings/node/lib/native/libagentbay.so
	cd bindings/node && npm pack --silent --pack-destination $(CURDIR)/$(BUILD)/node; \
	  s=$$?; rm -rf lib/native; exit $$s

demo-node: lib node
	node examples/node/quickstart.mjs

bench-node: lib node
	node bindings/node/bench.mjs
