# binome: end-to-end encrypted session notes for mentoring programmes.
#
#   make            build libraries, binomed and binome (installs missing deps)
#   make check      every test, then again under ASan/UBSan, then fuzz smoke
#   make demo       a daemon on a temporary directory and a programme's story
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench      benchmarks that print figures
#
# Sources are found by wildcard: a new file in a module's folder is built
# without touching this file.

CC ?= cc
CFLAGS ?= -O2 -g
PKGS := libsodium libuv lmdb msgpack
TEST_PKGS := cmocka
BUILD ?= build
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
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

BINOMED := $(if $(wildcard server/main.c),$(BUILD)/binomed)
BINOME := $(if $(CLI_SRC),$(BUILD)/binome)
UNIT_RUNNER := $(BUILD)/tests/unit_runner
RUNNER_FIXTURE := $(BUILD)/tests/runner_fixture
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(ITEST_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
ADV_BINS := $(patsubst tests/adversary/%.c,$(BUILD)/adversary/%,$(ADV_SRC))
DEPS_STAMP := build/.deps-ok

.PHONY: all deps check test test-asan fuzz-smoke fuzz demo bench clean \
        format tests benches crashtest valgrind install uninstall
.DEFAULT_GOAL := all

all: $(LIBCRYPTO) $(LIBPROTO) $(if $(SERVER_SRC),$(LIBSERVER)) \
     $(if $(CLIENT_SRC),$(LIBCLIENT)) $(BINOMED) $(BINOME)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh build
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(if $(filter tests/%,$<),$(TEST_CFLAGS)) -c $< -o $@

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

tests: all $(UNIT_RUNNER) $(RUNNER_FIXTURE) $(ITEST_BINS) $(BENCH_BINS) $(ADV_BINS)

# test: every unit test, each in its own process, then every integration
# program and script of this build (the adversary's scripts play the
# malicious server operator, tests/adversary/), each counted once from its
# exit status: tests/run.sh ends with "N passed, N failed".
test: tests
	@BUILD=$(BUILD) sh tests/run.sh --all $(ITEST_BINS) $(ITEST_SCRIPTS) \
	    $(ADV_SCRIPTS)

test-asan:
	$(MAKE) BUILD=build/asan SAN=1 test

check: $(DEPS_STAMP)
	$(MAKE) test
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke

# ---- fuzzing (clang, libFuzzer) -------------------------------------
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -std=c11 -g -O1 -D_GNU_SOURCE $(INCLUDES) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC := $(CRYPTO_SRC) $(PROTO_SRC) $(SERVER_SRC)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))

$(FUZZ_BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) \
	    $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o \
                 $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRC))
	clang $(FUZZ_CFLAGS) -o $@ $^ $(PKG_LIBS)

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
MANDIR := $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/binomed $(BUILD)/binome $(DESTDIR)$(BINDIR)/
	install -m 0644 docs/man/binome.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/man/binomed.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|/usr/local/bin|$(BINDIR)|g' dist/binomed.service \
	    > $(DESTDIR)$(UNITDIR)/binomed.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/binomed.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/binomed $(DESTDIR)$(BINDIR)/binome \
	    $(DESTDIR)$(MANDIR)/man1/binome.1 $(DESTDIR)$(MANDIR)/man8/binomed.8 \
	    $(DESTDIR)$(UNITDIR)/binomed.service

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
