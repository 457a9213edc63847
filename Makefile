# credleak - plain strict Makefile.  Flags for libraries come from pkg-config.
#
#   make            build ./credleak
#   make run        install missing Debian packages (as root), build, run over pcaps/
#   make test       unit tests (cmocka), pcap regression tests, secret grep, ASan/UBSan pass
#   make asan       build ./credleak-asan and the unit tests with ASan+UBSan
#   make lint       cppcheck and clang-tidy over the project's C code
#   make fuzz       libFuzzer harnesses (see below); make bench: the benchmark
#   make pcaps      re-create the captures in pcaps/ (needs root: starts real servers)
#   make clean

CC	?= cc
PKGS	 = libpcap libndpi json-c libgcrypt
# Debian packages: to build and run, and what the tests add (real servers
# and clients for the live test, cmocka for the unit tests).
DEBS	 = build-essential pkg-config libpcap-dev libndpi-dev libjson-c-dev \
	   libgcrypt20-dev
TEST_DEBS = $(DEBS) libcmocka-dev python3 python3-jsonschema valgrind cppcheck clang clang-tidy \
	   libclang-rt-14-dev tcpdump postfix dovecot-core dovecot-pop3d \
	   dovecot-imapd vsftpd lighttpd swaks openssl curl iproute2 time \
	   tcpreplay ethtool rsyslog \
	   postgresql-15 postgresql-client-15 mariadb-server mariadb-client \
	   redis-server redis-tools mosquitto mosquitto-clients dante-server passwd \
	   slapd ldap-utils libsasl2-modules snmpd snmp snmptrapd \
	   openbsd-inetd inetutils-telnetd inetutils-telnet rsh-redone-server \
	   rsh-redone-client ngircd

WARN	 = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wvla -Wcast-qual -Wwrite-strings \
	   -Wundef -Wnull-dereference -Wimplicit-fallthrough
OPT	?= -O2 -g
CFLAGS	+= -std=c11 -D_DEFAULT_SOURCE -pthread $(OPT) $(WARN) -fno-strict-aliasing \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
VERSION	 = 0.1.0

# Every .c under the four pipeline folders is part of the library of the
# program; a new decoder is picked up by the wildcard.
LIB_SRCS = $(sort $(wildcard capture/*.c reassembly/*.c decoders/*.c alerts/*.c))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))

BUILD	 = build
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

ABUILD	 = build-asan
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
ALIB_OBJS = $(LIB_SRCS:%.c=$(ABUILD)/%.o)
AUNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(ABUILD)/unit/%)

.PHONY: all run test unit regress lint asan deps test-deps pcaps clean

all: credleak

credleak: $(BUILD)/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -DCREDLEAK_VERSION='"$(VERSION)"' -c -o $@ $<

# test_pcapfile makes pthread_create() fail to try the reader without its thread.
UNIT_LDFLAGS_test_pcapfile = -Wl,--wrap=pthread_create

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_OBJS) $(UNIT_LDFLAGS_$*) $(PKG_LIBS) -lcmocka

# --- sanitizer build: same sources, separate objects --------------------
credleak-asan: $(ABUILD)/main.o $(ALIB_OBJS)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(ABUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "CC $< (asan)"
	@$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -DCREDLEAK_VERSION='"$(VERSION)"' -c -o $@ $<

$(ABUILD)/unit/%: tests/unit/%.c $(ALIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(ALIB_OBJS) $(UNIT_LDFLAGS_$*) $(PKG_LIBS) -lcmocka

asan: credleak-asan $(AUNIT_BINS)

# --- the README's two commands ------------------------------------------
deps:
	@sh tests/deps.sh $(DEBS)

test-deps:
	@sh tests/deps.sh $(TEST_DEBS)

run: deps
	@$(MAKE) --no-print-directory credleak
	./credleak -r pcaps/*.pcap

test: test-deps
	@$(MAKE) --no-print-directory credleak $(UNIT_BINS) asan
	@sh tests/run-all.sh

unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(BUILD)

regress: credleak
	@python3 tests/regress.py --bin ./credleak

lint:
	@sh tests/lint.sh

pcaps:
	@for s in pcaps/make-pcaps*.sh; do bash $$s || exit 1; done
	@for g in pcaps/gen-*.py; do python3 $$g || exit 1; done

clean:
	rm -rf $(BUILD) $(ABUILD) credleak credleak-asan

# --- fuzzing: libFuzzer harnesses in tests/fuzz/, built with clang ------
#   make fuzz          build, seed from pcaps/, run each harness FUZZ_SECONDS
#   make fuzz-smoke    20 s each plus the crash regressions in
#                      tests/fuzz/crashes/; fails on any crash
# Corpora, crash artifacts and logs go to build/fuzz/ (never committed).
FUZZ_CC	?= clang
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_DIR = $(BUILD)/fuzz
FUZZ_HARNESSES = fuzz_packet fuzz_decoders fuzz_reasm fuzz_tls fuzz_pcapfile
FUZZ_FLAGS = -std=c11 -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
	   -fno-strict-aliasing -fsanitize=address,undefined \
	   -fno-sanitize-recover=undefined
FUZZ_OBJS = $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_BINS = $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/%)
# fuzz_reasm keeps one nDPI engine for all runs (see the harness).
FUZZ_LDFLAGS_fuzz_reasm = -Wl,--wrap=cls_engine_new -Wl,--wrap=cls_engine_free

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-seeds

# Library code is built without -Werror here: a new clang warning in it
# must not stop the fuzzers.  The harnesses keep -Werror.
$(FUZZ_OBJS): $(FUZZ_DIR)/obj/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "CC $< (fuzz)"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $(filter-out -Werror,$(WARN)) \
	    -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_OBJS) $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) -fsanitize=fuzzer $(PKG_CFLAGS) \
	    -o $@ $< $(FUZZ_OBJS) $(FUZZ_LDFLAGS_$*) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz-seeds:
	@python3 tests/fuzz/make-seeds.py pcaps $(FUZZ_DIR)

fuzz: fuzz-build fuzz-seeds
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_HARNESSES)

fuzz-smoke: fuzz-build fuzz-seeds
	@sh tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR) $(FUZZ_HARNESSES)

# --- benchmark: bench/ ---------------------------------------------------
#   make bench        credleak (one worker) against the libpcap read floor,
#                     tcpdump and the Debian peers ndpiReader and dsniff over
#                     a generated BENCH_SIZE capture (made once in
#                     build/bench/), BENCH_REPS rounds round-robin, medians;
#                     credleak's recall on the planted logins
#   make bench-scale  credleak's marginal ns per packet with 1k, 100k and 1M
#                     connections open (a capture cut just past the fill and
#                     one BENCH_SCALE_STEADY longer), floor for reference
#   make bench-smoke  a 4 MiB capture, one round: runs end to end and
#                     reports recall (no timing asserted)
BENCH_SIZE ?= 1G
BENCH_REPS ?= 5
BENCH_SCALE_STEADY ?= 500M
BENCH_DIR = $(BUILD)/bench
# Peers and tools of the bench; missing ones are skipped with a message.
BENCH_DEBS = time tcpdump libndpi-bin dsniff

.PHONY: bench bench-scale bench-smoke bench-deps

$(BENCH_DIR)/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libpcap) -o $@ $< \
	    $(shell pkg-config --libs libpcap)

bench-deps:
	@sh tests/deps.sh $(BENCH_DEBS) 2>/dev/null || for p in $(BENCH_DEBS); do \
	    sh tests/deps.sh $$p || echo "bench: $$p missing: skipped"; done

bench: deps bench-deps
	@$(MAKE) --no-print-directory credleak $(BENCH_DIR)/floor
	@python3 bench/run-bench.py --size $(BENCH_SIZE) --reps $(BENCH_REPS)

bench-scale: deps bench-deps
	@$(MAKE) --no-print-directory credleak $(BENCH_DIR)/floor
	@python3 bench/run-bench.py --scale --scale-steady $(BENCH_SCALE_STEADY)

bench-smoke: credleak $(BENCH_DIR)/floor
	@python3 bench/run-bench.py --smoke
