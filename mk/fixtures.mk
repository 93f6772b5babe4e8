# Fixture firmware for the elfmap tests (tests/fixtures/build.sh), and the
# ELF-corrupting helper the bad-input tests use (tests/cli/elfcorrupt.c).

FIXTURES       := $(BUILD)/fixtures
FIXTURE_STAMP  := $(FIXTURES)/.stamp
FIXTURE_SRCS   := $(shell find tests/fixtures -type f 2>/dev/null)
ELFCORRUPT     := $(BUILD)/tests/elfcorrupt

# build.sh is incremental by itself; the stamp saves even its checks.
$(FIXTURE_STAMP): $(FIXTURE_SRCS)
	@sh scripts/deps.sh cross
	sh tests/fixtures/build.sh $(FIXTURES)
	@touch $@

$(ELFCORRUPT): tests/cli/elfcorrupt.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<

.PHONY: fixtures
fixtures: $(FIXTURE_STAMP) $(ELFCORRUPT)

CHECK_DEPS   += $(FIXTURE_STAMP) $(ELFCORRUPT)
DEMO_TARGETS += $(FIXTURE_STAMP)
