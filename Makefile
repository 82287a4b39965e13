# binome: end-to-end encrypted session notes for mentoring programmes.
#
#   make            build libraries, binomed and binome (installs missing deps)
#   make check      every test, then again under ASan/UBSan, then fuzz smoke
#   make demo       a daemon on a temporary directory and a programme's story
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      benchmarks that print figures
#   make install    binomed, binome, libbinome.so, binome.h, binome.pc, man
#                   pages under PREFIX (/usr/local), DESTDIR honoured
#
# Sources are found by wildcard: a new file in a module's folder is built
# without touching this file.

CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libsodium libuv lmdb msgpack
TEST_PKGS := cmocka
BUILD ?= build
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 7
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

# pkg-config runs when a recipe needs the flags (deferred "="), which is
# after scripts/deps.sh had the chance to install what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS = $(shell pkg-config --libs $(TEST_PKGS))

INCLUDES := -Icommon -Icrypto -Iproto -Iserver -Iclient/lib
override CFLAGS += -std=c11 -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
                   $(INCLUDES)
ifeq ($(SAN),1)
override CFLAGS += $(SAN_FLAGS)
override LDFLAGS += $(SAN_FLAGS)
endif

CRYPTO_SRC := $(wildcard common/*.c) $(wildcard crypto/*.c)
PROTO_SRC := $(wildcard proto/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
CLIENT_SRC := $(wildcard client/lib/*.c)
CLI_SRC := $(wildcard client/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
ITEST_SRC := $(wildcard tests/integration/test_*.c)
ITEST_SCRIPTS := $(wildcard tests/integration/*.sh)
ADV_SRC := $(wildcard tests/adversary/*.c)
ADV_SCRIPTS := $(wildcard tests/adversary/*.sh)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIBCRYPTO := $(BUILD)/libbncrypto.a
LIBPROTO := $(BUILD)/libbnproto.a
LIBSERVER := $(BUILD)/libbnserver.a
LIBCLIENT := $(BUILD)/libbinome.a
LIBS_ALL := $(LIBSERVER) $(LIBCLIENT) $(LIBPROTO) $(LIBCRYPTO)

# libbinome.so: the client library for other programs, built from
# position-independent objects of client/lib and the floors below it.
# Its version is binome.h's LIBBINOME_VERSION_* (the ABI rule is written
# there); the soname carries MAJOR; only the functions binome.h declares
# are exported (client/lib/libbinome.map). The CLI and the tests link the
# static libraries, so they run from the build tree without install.
libver = $(shell sed -n 's/^\#define LIBBINOME_VERSION_$(1) \([0-9]*\)$$/\1/p' \
                 client/lib/binome.h)
LIBBINOME_MAJOR := $(call libver,MAJOR)
LIBBINOME_VERSION := $(LIBBINOME_MAJOR).$(call libver,MINOR).$(call libver,PATCH)
LIBBINOME_SONAME := libbinome.so.$(LIBBINOME_MAJOR)
LIBBINOME_MAP := client/lib/libbinome.map
SHLIB := $(if $(CLIENT_SRC),$(BUILD)/libbinome.so.$(LIBBINOME_VERSION))
SHLIB_OBJ := $(patsubst %.c,$(BUILD)/pic/%.o,$(CRYPTO_SRC) $(PROTO_SRC) \
                                                $(CLIENT_SRC))

BINOMED := $(if $(wildcard server/main.c),$(BUILD)/binomed)
BINOME := $(if $(CLI_SRC),$(BUILD)/binome)
UNIT_RUNNER := $(BUILD)/tests/unit_runner
RUNNER_FIXTURE := $(BUILD)/tests/runner_fixture
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(ITEST_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
ADV_BINS := $(patsubst tests/adversary/%.c,$(BUILD)/adversary/%,$(ADV_SRC))
DEPS_STAMP := build/.deps-ok

# Objects are kept once built, the test programs' and the fuzz targets'
# included: make would otherwise delete them as intermediate files, and
# `make check` compiled every fuzz object twice (fuzz-bins, then
# fuzz-smoke found them gone).
.SECONDARY:

.PHONY: all deps check test test-asan fuzz-smoke fuzz fuzz-bins demo bench clean \
        format tests benches crashtest valgrind install uninstall
.DEFAULT_GOAL := all

all: $(LIBCRYPTO) $(LIBPROTO) $(if $(SERVER_SRC),$(LIBSERVER)) \
     $(if $(CLIENT_SRC),$(LIBCLIENT)) $(BINOMED) $(BINOME) $(SHLIB)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh build
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(if $(filter tests/%,$<),$(TEST_CFLAGS)) -c $< -o $@

$(BUILD)/pic/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC $(PKG_CFLAGS) -c $< -o $@

# The shared library, and in the build tree the two links an installed
# one has (libbinome.so.MAJOR for programs, libbinome.so for the linker).
$(SHLIB): $(SHLIB_OBJ) $(LIBBINOME_MAP)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIBBINOME_SONAME) \
	    -Wl,--version-script,$(LIBBINOME_MAP) -Wl,--no-undefined \
	    -Wl,--as-needed -o $@ $(SHLIB_OBJ) $(PKG_LIBS)
	ln -sf $(@F) $(@D)/$(LIBBINOME_SONAME)
	ln -sf $(LIBBINOME_SONAME) $(@D)/libbinome.so

$(LIBCRYPTO): $(call obj,$(CRYPTO_SRC))
$(LIBPROTO): $(call obj,$(PROTO_SRC))
$(LIBSERVER): $(call obj,$(SERVER_SRC))
$(LIBCLIENT): $(call obj,$(CLIENT_SRC))
$(BUILD)/%.a:
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/binomed: $(call obj,server/main.c) $(LIBSERVER) $(LIBPROTO) $(LIBCRYPTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/binome: $(call obj,$(CLI_SRC)) $(LIBCLIENT) $(LIBPROTO) $(LIBCRYPTO)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests are one program, unit_runner (tests/unit/runner.c), over the
# list tests/unit/test_list.h: it links every tests/unit/test_*.c and each
# library. runner_fixture is the same runner over four tests of known fate,
# for tests/integration/runner.sh. Integration tests drive the real
# programs and link the client library.
BASE_LIBS := $(LIBPROTO) $(LIBCRYPTO)

$(UNIT_RUNNER): $(call obj,tests/unit/runner.c $(UNIT_SRC)) $(TESTLIB_OBJ) \
                $(LIBSERVER) $(LIBCLIENT) $(BASE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/obj/tests/unit/runner_fixture_main.o: tests/unit/runner.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -DBN_UNIT_FIXTURE -c $< -o $@

$(RUNNER_FIXTURE): $(BUILD)/obj/tests/unit/runner_fixture_main.o \
                   $(call obj,tests/unit/runner_fixture.c) $(BASE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/integration/%.o $(TESTLIB_OBJ) \
                  $(LIBCLIENT) $(BASE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) $(TEST_LIBS)

# The adversary's tools (tests/adversary/*.c, e.g. bn_tamper) edit a
# stopped daemon's data directory with the server's own store code.
$(BUILD)/adversary/%: $(BUILD)/obj/tests/adversary/%.o $(LIBSERVER) $(BASE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

# Helpers of the integration scripts (tests/integration/bn_*.c, e.g.
# bn_agent_peer for agent.sh): built by the rule above, run by a script,
# never as tests themselves.
ITEST_TOOLS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,\
                 $(wildcard tests/integration/bn_*.c))

tests: all $(UNIT_RUNNER) $(RUNNER_FIXTURE) $(ITEST_BINS) $(BENCH_BINS) $(ADV_BINS) \
       $(ITEST_TOOLS)

# test: every unit test, each in its own process, then every integration
# program and script of this build (the adversary's scripts play the
# malicious server operator, tests/adversary/), each counted once from its
# exit status: tests/run.sh ends with "N passed, N failed".
# Unit tests run two at a time (BN_TEST_JOBS; each has its own process
# and directories), integration programs too (BN_TEST_PROG_JOBS), but those
# that measure time, look at what others leave in /tmp or run make in the
# tree (library.sh) run alone.
TEST_ALONE := test_limits test_dos test_crash test_diskfull bench_smoke.sh \
    bench_parts_smoke.sh runner.sh library.sh

# Under the sanitizers (SAN=1) the checks that read the sources, the
# library's exports, the man pages, the test runner and the benchmark
# tools are left out: they run in the plain pass, and a sanitizer finds
# nothing in them that it does not find there.
SAN_SKIP := tests/integration/layers.sh tests/integration/manpage.sh \
    tests/integration/library.sh tests/integration/runner.sh \
    tests/integration/bench_parts_smoke.sh
TEST_SCRIPTS = $(if $(SAN),$(filter-out $(SAN_SKIP),$(ITEST_SCRIPTS)),$(ITEST_SCRIPTS))

test: tests
	@BUILD=$(BUILD) BN_TEST_JOBS=$${BN_TEST_JOBS:-2} \
	    BN_TEST_PROG_JOBS=$${BN_TEST_PROG_JOBS:-2} \
	    BN_TEST_ALONE="$(TEST_ALONE)" sh tests/run.sh --all $(ITEST_BINS) $(TEST_SCRIPTS) \
	    $(ADV_SCRIPTS)

test-asan:
	$(MAKE) BUILD=build/asan SAN=1 test

# check: the plain tests, then the same under ASan and UBSan, then the
# fuzz targets; the sanitizer and fuzz builds compile while the plain
# tests run (scripts/check.sh says how).
NPROC := $(shell nproc 2>/dev/null || echo 2)

check: $(DEPS_STAMP)
	@MAKE="$(MAKE)" NPROC=$(NPROC) sh scripts/check.sh

# ---- fuzzing (clang, libFuzzer) -------------------------------------
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -D_GNU_SOURCE $(INCLUDES) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC := $(CRYPTO_SRC) $(PROTO_SRC) $(SERVER_SRC) $(CLIENT_SRC)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))

$(FUZZ_BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) \
	    $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o \
                 $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRC))
	clang $(FUZZ_CFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---- benchmarks: one program per tests/bench/*.c --------------------

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(TESTLIB_OBJ) $(LIBSERVER) \
                  $(LIBCLIENT) $(BASE_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

benches: all $(BENCH_BINS)

# ---- the story, benchmarks ------------------------------------------
demo: all
	@sh scripts/demo.sh $(BUILD)

bench: benches
	@sh scripts/deps.sh bench
	@sh scripts/bench_all.sh $(BUILD)

# ---- reliability ------------------------------------------------------
ROUNDS ?= 100

# crashtest: the crash test with ROUNDS SIGKILLs (make check runs 20).
crashtest: tests
	CRASH_ROUNDS=$(ROUNDS) BINOMED=$$PWD/$(BUILD)/binomed \
	    BINOME_KDF=interactive $(BUILD)/tests/test_crash

# valgrind: unit and integration tests under memcheck.
valgrind: tests
	@sh scripts/deps.sh valgrind
	@sh scripts/valgrind.sh $(BUILD)

# ---- installation ----------------------------------------------------
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
LIBDIR := $(PREFIX)/lib
INCLUDEDIR := $(PREFIX)/include
PKGCONFIGDIR := $(LIBDIR)/pkgconfig
MANDIR := $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SHLIB_FILE := libbinome.so.$(LIBBINOME_VERSION)

# binome.pc, for `pkg-config --cflags --libs binome`, made for PREFIX.
$(BUILD)/binome.pc: client/lib/binome.pc.in client/lib/binome.h
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(LIBBINOME_VERSION)|' $< >$@

# The .pc names PREFIX: made again at each install, for that PREFIX.
.PHONY: $(BUILD)/binome.pc

install: all $(BUILD)/binome.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBDIR) \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(BUILD)/binomed $(BUILD)/binome $(DESTDIR)$(BINDIR)/
	install -m 0755 $(BUILD)/$(SHLIB_FILE) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SHLIB_FILE) $(DESTDIR)$(LIBDIR)/$(LIBBINOME_SONAME)
	ln -sf $(LIBBINOME_SONAME) $(DESTDIR)$(LIBDIR)/libbinome.so
	install -m 0644 client/lib/binome.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 0644 $(BUILD)/binome.pc $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 0644 docs/man/binome.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/man/binomed.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|/usr/local/bin|$(BINDIR)|g' dist/binomed.service \
	    > $(DESTDIR)$(UNITDIR)/binomed.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/binomed.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/binomed $(DESTDIR)$(BINDIR)/binome \
	    $(DESTDIR)$(LIBDIR)/$(SHLIB_FILE) \
	    $(DESTDIR)$(LIBDIR)/$(LIBBINOME_SONAME) \
	    $(DESTDIR)$(LIBDIR)/libbinome.so \
	    $(DESTDIR)$(INCLUDEDIR)/binome.h $(DESTDIR)$(PKGCONFIGDIR)/binome.pc \
	    $(DESTDIR)$(MANDIR)/man1/binome.1 $(DESTDIR)$(MANDIR)/man8/binomed.8 \
	    $(DESTDIR)$(UNITDIR)/binomed.service

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
