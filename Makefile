# credleak - plain strict Makefile.  Flags for libraries come from pkg-config.
#
#   make            build ./credleak
#   make run        install missing Debian packages (as root), build, run over pcaps/
#   make test       unit tests (cmocka), pcap regression tests, secret grep, ASan/UBSan pass
#   make asan       build ./credleak-asan and the unit tests with ASan+UBSan
#   make pcaps      re-create the captures in pcaps/ (needs root: starts real servers)
#   make clean

CC	?= cc
PKGS	 = libpcap libndpi json-c libgcrypt
# Debian packages: to build and run, and what the tests add (real servers
# and clients for the live test, cmocka for the unit tests).
DEBS	 = build-essential pkg-config libpcap-dev libndpi-dev libjson-c-dev \
	   libgcrypt20-dev
TEST_DEBS = $(DEBS) libcmocka-dev python3 valgrind tcpdump postfix dovecot-core \
	   dovecot-pop3d swaks openssl curl

WARN	 = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wvla -Wcast-qual -Wwrite-strings \
	   -Wundef -Wnull-dereference -Wimplicit-fallthrough
OPT	?= -O2 -g
CFLAGS	+= -std=c11 -D_DEFAULT_SOURCE $(OPT) $(WARN) -fno-strict-aliasing \
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

.PHONY: all run test unit regress asan deps test-deps pcaps clean

all: credleak

credleak: $(BUILD)/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -DCREDLEAK_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LIB_OBJS) $(PKG_LIBS) -lcmocka

# --- sanitizer build: same sources, separate objects --------------------
credleak-asan: $(ABUILD)/main.o $(ALIB_OBJS)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(ABUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	@echo "CC $< (asan)"
	@$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -DCREDLEAK_VERSION='"$(VERSION)"' -c -o $@ $<

$(ABUILD)/unit/%: tests/unit/%.c $(ALIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(PKG_CFLAGS) -o $@ $< $(ALIB_OBJS) $(PKG_LIBS) -lcmocka

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
	@sh tests/run-regress.sh ./credleak

pcaps:
	@bash pcaps/make-pcaps.sh
	@python3 pcaps/gen-synthetic.py

clean:
	rm -rf $(BUILD) $(ABUILD) credleak credleak-asan
