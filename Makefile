# libagentbay: the front door. `make` builds, `make test` runs every test,
# `make demo` runs the main example on the embedded backend, `make bench`
# prints the benchmark figures the README quotes.

GO      ?= go
BUILD   := build
PREFIX  ?= /usr/local

GO_SOURCES := go.mod go.sum $(shell find core capi cmd -name '*.go' -o -name '*.c' -o -name '*.map' 2>/dev/null)

.PHONY: all local test test-go test-fuzz bench bench-go clean
.PHONY: lib test-c bench-c install
.PHONY: demo test-python python-sync bench-python python-package node test-node bench-node demo-node node-package

all: local lib node

# ---- Go -------------------------------------------------------------------

local: $(BUILD)/agentbay-local

$(BUILD)/agentbay-local: $(GO_SOURCES)
	@mkdir -p $(BUILD)
	$(GO) build -trimpath -o $@ ./cmd/agentbay-local

test: test-go test-fuzz test-c test-python test-node

test-go:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# A short run of the envelope parser's fuzz test over its checked-in corpus.
test-fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseEnvelope -fuzztime 10s ./core/wire/

bench: bench-go bench-c bench-python bench-node

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./core/...

# ---- C library -------------------------------------------------------------
# build/libagentbay.so.N (SONAME libagentbay.so.N, N = AB_ABI_VERSION; only
# the ab_ functions exported, by capi/exports.map), the libagentbay.so link,
# build/libagentbay.a and the public header build/include/agentbay.h. cgo's
# generated header is internal and goes to build/internal/. Both builds use
# the same go flags as the rest, so they share the Go build cache.

VERSION := $(shell sed -n 's/^\#define AB_VERSION "\(.*\)"/\1/p' include/agentbay.h)
ABI     := $(shell sed -n 's/^\#define AB_ABI_VERSION \([0-9]*\)/\1/p' include/agentbay.h)
SONAME  := libagentbay.so.$(ABI)
LIBDIR  := $(PREFIX)/lib

LIB_SOURCES := $(GO_SOURCES) include/agentbay.h $(wildcard capi/*.h)
SO_LDFLAGS  := -extldflags '-Wl,-soname,$(SONAME) -Wl,--version-script=$(CURDIR)/capi/exports.map'
LIB := $(BUILD)/$(SONAME) $(BUILD)/libagentbay.so $(BUILD)/libagentbay.a $(BUILD)/include/agentbay.h

lib: $(LIB)

$(BUILD)/$(SONAME): $(LIB_SOURCES)
	@mkdir -p $(BUILD)/internal
	$(GO) build -trimpath -buildmode=c-shared -ldflags "-s -w $(SO_LDFLAGS)" -o $@ ./capi
	mv $(BUILD)/libagentbay.so.h $(BUILD)/internal/agentbay-cgo.h

$(BUILD)/libagentbay.so: $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BUILD)/libagentbay.a: $(LIB_SOURCES)
	@mkdir -p $(BUILD)/internal
	$(GO) build -trimpath -buildmode=c-archive -ldflags '-s -w' -o $(BUILD)/internal/libagentbay.a ./capi
	mv $(BUILD)/internal/libagentbay.a $@

$(BUILD)/include/agentbay.h: include/agentbay.h
	@mkdir -p $(@D)
	cp $< $@

# ---- C tests, examples, benchmark ------------------------------------------
# test-c: the ABI checks (header vs exports, header hygiene); each C test
# plain and with AddressSanitizer and UBSan, on the embedded backend, then
# under valgrind at a smaller scale with the backend in a server process of
# its own (see tests/c/with_server.sh); the static archive; the examples;
# and an install into a scratch prefix used by a CMake and a pkg-config
# consumer.

C_TESTS   := $(sort $(patsubst tests/c/%.c,%,$(wildcard tests/c/test_*.c)))
CXX_TESTS := $(sort $(patsubst tests/c/%.cpp,%,$(wildcard tests/c/test_*.cpp)))
TESTS     := $(C_TESTS) $(CXX_TESTS)
CC_TEST   := $(CC) -std=c11 -g -O1 -Wall -Wextra -Werror -pthread -I$(BUILD)/include
CXX_TEST  := $(CXX) -std=c++17 -g -O1 -Wall -Wextra -Werror -pthread -I$(BUILD)/include
ASAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LINK_SO   := -L$(BUILD) -lagentbay -Wl,-rpath,$(CURDIR)/$(BUILD)
VALGRIND  := tests/c/with_server.sh $(BUILD)/agentbay-local \
             env AB_TEST_SCALE=small tests/c/memcheck.sh
TEST_BINS := $(TESTS:%=$(BUILD)/tests/%) $(TESTS:%=$(BUILD)/tests/asan/%) \
             $(BUILD)/tests/test_misuse_static $(BUILD)/examples/quickstart \
             $(BUILD)/examples/many_sessions $(BUILD)/agentbay-local

$(BUILD)/tests/%: tests/c/%.c tests/c/harness.h $(LIB)
	@mkdir -p $(@D)
	$(CC_TEST) $< -o $@ $(LINK_SO)

$(BUILD)/tests/asan/%: tests/c/%.c tests/c/harness.h $(LIB)
	@mkdir -p $(@D)
	$(CC_TEST) $(ASAN) $< -o $@ $(LINK_SO)

# The C++ tests exercise the wrapper in examples/cpp.
$(BUILD)/tests/%: tests/c/%.cpp examples/cpp/agentbay.hpp $(LIB)
	@mkdir -p $(@D)
	$(CXX_TEST) -Iexamples/cpp $< -o $@ $(LINK_SO)

$(BUILD)/tests/asan/%: tests/c/%.cpp examples/cpp/agentbay.hpp $(LIB)
	@mkdir -p $(@D)
	$(CXX_TEST) -Iexamples/cpp $(ASAN) $< -o $@ $(LINK_SO)

$(BUILD)/tests/test_misuse_static: tests/c/test_misuse.c tests/c/harness.h $(LIB)
	$(CC_TEST) $< -o $@ $(BUILD)/libagentbay.a

$(BUILD)/examples/quickstart: examples/c/quickstart.c $(LIB)
	@mkdir -p $(@D)
	$(CC_TEST) $< -o $@ $(LINK_SO)

$(BUILD)/examples/many_sessions: examples/cpp/many_sessions.cpp examples/cpp/agentbay.hpp $(LIB)
	@mkdir -p $(@D)
	$(CXX_TEST) -Iexamples/cpp $< -o $@ $(LINK_SO)

test-c: $(TEST_BINS)
	tests/c/check_abi.sh $(BUILD)
	@for t in $(TESTS); do echo "== $$t"; $(BUILD)/tests/$$t || exit 1; done
	@for t in $(TESTS); do echo "== $$t (asan+ubsan)"; $(BUILD)/tests/asan/$$t || exit 1; done
	@for t in $(TESTS); do echo "== $$t (valgrind)"; \
	  $(VALGRIND) $(BUILD)/tests/$$t || exit 1; done
	$(BUILD)/tests/test_misuse_static
	$(BUILD)/examples/quickstart > /dev/null
	$(BUILD)/examples/many_sessions > /dev/null
	rm -rf $(BUILD)/tests/prefix
	$(MAKE) -s --no-print-directory install PREFIX=$(CURDIR)/$(BUILD)/tests/prefix DESTDIR=
	tests/c/consumer/run.sh $(CURDIR)/$(BUILD)/tests/prefix $(BUILD)/tests/consumer

$(BUILD)/bench/bench_capi: tests/bench/bench_capi.c $(LIB)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -pthread -I$(BUILD)/include $< -o $@ $(LINK_SO)

$(BUILD)/bench/direct: $(GO_SOURCES) tests/bench/direct/main.go
	$(GO) build -trimpath -o $@ ./tests/bench/direct

bench-c: $(BUILD)/bench/bench_capi $(BUILD)/bench/direct
	$(BUILD)/bench/bench_capi $(BUILD)/bench/direct

# ---- Install ---------------------------------------------------------------
# PREFIX (default /usr/local) and DESTDIR as usual. Installs the header, both
# libraries, agentbay.pc and the CMake package (find_package(agentbay)).

SUBST = sed -e 's|@LIBDIR@|lib|g' -e 's|@INCLUDEDIR@|include|g' -e 's|@PC_TO_PREFIX@|../..|g' \
            -e 's|@CONFIG_TO_PREFIX@|../../..|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@SONAME@|$(SONAME)|g'

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(LIBDIR)/cmake/agentbay
	install -m 644 include/agentbay.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(BUILD)/$(SONAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libagentbay.so
	install -m 644 $(BUILD)/libagentbay.a $(DESTDIR)$(LIBDIR)/
	$(SUBST) capi/agentbay.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/agentbay.pc
	$(SUBST) capi/agentbayConfig.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/agentbay/agentbayConfig.cmake
	$(SUBST) capi/agentbayConfigVersion.cmake.in > $(DESTDIR)$(LIBDIR)/cmake/agentbay/agentbayConfigVersion.cmake

clean:
	rm -rf $(BUILD)

# ---- Python ------------------------------------------------------------------
# The package is pure standard library and finds build/libagentbay.so when run
# from the repository. A wheel built here (python-package, or pip install
# ./bindings/python) bundles build/libagentbay.so: hatchling builds it, with
# bindings/python/hatch_build.py.

PYTHON ?= python3
PY     := bindings/python

demo: $(LIB)
	$(PYTHON) examples/python/quickstart.py

test-python: $(LIB)
	$(PYTHON) $(PY)/tools/gen_sync.py --check
	$(PYTHON) -m unittest discover -s $(PY)/tests -t $(PY)

# _sync.py is generated from _async.py: run this after changing _async.py.
python-sync:
	$(PYTHON) $(PY)/tools/gen_sync.py

bench-python: $(LIB)
	$(PYTHON) $(PY)/bench.py

# With hatchling installed the wheel builds offline; without, pip fetches it.
PY_ISOLATION = $(shell $(PYTHON) -c 'import hatchling' 2>/dev/null && echo --no-build-isolation)

python-package: $(LIB)
	$(PYTHON) -m pip wheel -q --disable-pip-version-check $(PY_ISOLATION) --no-deps -w $(BUILD)/python ./$(PY)

# ---- Node --------------------------------------------------------------------
# A small N-API addon in C (no node-gyp) that dlopens the library at run time.

NODE_ADDON := bindings/node/build/Release/agentbay.node

node: $(NODE_ADDON)

$(NODE_ADDON): bindings/node/src/addon.c include/agentbay.h bindings/node/package-lock.json
	bindings/node/build.sh

test-node: $(LIB) $(NODE_ADDON) node-package
	cd bindings/node && AGENTBAY_NODE_PACKAGE=$(CURDIR)/$(BUILD)/node/agentbay-$(VERSION).tgz npm test

# An npm package (build/node/agentbay-VERSION.tgz) with the addon and a copy of
# the library inside, found before any other (lib/native/libagentbay.so).
node-package: $(LIB) $(NODE_ADDON)
	mkdir -p bindings/node/lib/native $(BUILD)/node
	cp -L $(BUILD)/libagentbay.so bindings/node/lib/native/libagentbay.so
	cd bindings/node && npm pack --silent --pack-destination $(CURDIR)/$(BUILD)/node; \
	  s=$$?; rm -rf lib/native; exit $$s

demo-node: $(LIB) $(NODE_ADDON)
	node examples/node/quickstart.mjs

bench-node: $(LIB) $(NODE_ADDON)
	node bindings/node/bench.mjs
