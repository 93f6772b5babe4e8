# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang, ASan and UBSan.
#
#   make fuzz                      every harness for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_SECONDS=600     longer
#
# Seeds: tests/fuzz/corpus/NAME/ (committed, small), plus the fixture ELFs the
# tests compile for the ELF harness; what a run finds goes to
# $(BUILD)/fuzz/corpus-NAME/.  `make check` runs each harness for a few
# seconds (tests/cli/fuzz_smoke.sh).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -DFWM_VERSION='"$(VERSION)"' -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Ilib -Itarget-agent/include
FUZZERS      := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZERS:%=$(BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(HOST_LIBS)

fuzz: $(FUZZ_BINS) $(FIXTURE_STAMP)
	@sh scripts/deps.sh fuzz
	@for f in $(FUZZERS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$f; \
		seeds=tests/fuzz/corpus/$$f; [ -d $$seeds ] || seeds=; \
		[ $$f = elf ] && cp $(FIXTURES)/*.elf $(BUILD)/fuzz/corpus-$$f/ 2>/dev/null; \
		echo "== fuzz_$$f for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$f- \
			$(BUILD)/fuzz/corpus-$$f $$seeds 2>&1 | grep -E '^(stat::|==|SUMMARY|#[0-9]+ +DONE)' || exit 1; \
	done

# The short run in `make check`; the sanitizer pass of CI already has it.
ifneq ($(SAN),1)
CHECK_DEPS   += $(FUZZ_BINS)
TEST_SCRIPTS += tests/fuzz/smoke.sh
endif
