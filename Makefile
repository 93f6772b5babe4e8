# fwmem: top-level build.  `make` builds into build/bin/, `make check` runs
# every test and ends with "N passed, N failed", `make SAN=1 check` runs the
# same under AddressSanitizer and UndefinedBehaviorSanitizer.
# Components add themselves through mk/*.mk fragments (see the variables below).

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:

PREFIX  ?= /usr/local
CC      ?= cc
SAN     ?=
ifeq ($(SAN),1)
BUILD   ?= build-san
OPT     ?= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
OPT     ?= -O2 -g
endif
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
HOST_CFLAGS = -std=c11 -D_GNU_SOURCE -DFWM_VERSION='"$(VERSION)"' $(WARN) $(OPT) \
	-Ilib -Itarget-agent/include $(CFLAGS)
HOST_LDFLAGS = $(OPT) $(LDFLAGS)
HOST_LIBS = -ldw -lelf -ljansson -lz -ldl   # capstone: dlopen, lib/capstone_dl.c

BIN  := $(BUILD)/bin
OBJ  := $(BUILD)/obj

LIB_SRCS  := $(wildcard lib/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(OBJ)/%.o)
LIBFWMEM  := $(BUILD)/lib/libfwmem.a
CMDS      := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
PROGRAMS  := $(CMDS:%=$(BIN)/%)

# Unit tests: tests/unit/test_*.c, each a cmocka program linked with libfwmem.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Fragments extend these.
TEST_BINS     = $(UNIT_BINS)     # programs that print TAP
TEST_SCRIPTS  = $(wildcard tests/cli/*.sh)   # shell scripts that print TAP
CHECK_DEPS    = $(PROGRAMS) $(UNIT_BINS)
BENCH_TARGETS =
DEMO_TARGETS  =

.PHONY: all deps check install clean bench demo fuzz
.SECONDARY:
all: deps-build $(PROGRAMS)

-include $(sort $(wildcard mk/*.mk))

deps-build:
	@sh scripts/deps.sh build
deps-test:
	@sh scripts/deps.sh test
deps-bench:
	@sh scripts/deps.sh bench
.PHONY: deps-build deps-test deps-bench

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(LIBFWMEM): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/%: $(OBJ)/cmd/%.o $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LIBFWMEM) $(HOST_LIBS)

$(BUILD)/tests/%: $(OBJ)/tests/unit/%.o $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LIBFWMEM) $(HOST_LIBS) -lcmocka

check: deps-test $(CHECK_DEPS)
	@FWMEM_BUILD=$(BUILD) FWMEM_BIN=$(BIN) sh tests/run.sh $(TEST_BINS) $(TEST_SCRIPTS)

bench: deps-bench $(PROGRAMS) $(BENCH_TARGETS)

demo: deps-test $(PROGRAMS) $(DEMO_TARGETS)

# The agent's headers go under include/fwmem-agent/, since its compat headers
# (<zephyr/kernel.h>, <FreeRTOS.h>) must not shadow a real Zephyr or FreeRTOS.
install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/include/fwmem-agent $(DESTDIR)$(PREFIX)/share/fwmem/target-agent
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	for m in man/*.1 man/*.3 man/*.5; do \
		[ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/; done; true
	if [ -d target-agent/include ]; then \
		cp -R target-agent/include/. $(DESTDIR)$(PREFIX)/include/fwmem-agent/ && \
		cp -R target-agent/. $(DESTDIR)$(PREFIX)/share/fwmem/target-agent/; fi

clean:
	rm -rf build build-san

# Dependency files are only read, never made.
%.d: ;
-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
