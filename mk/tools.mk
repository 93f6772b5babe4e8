# Test tools: the allocation-failure injector (tests/tools/failmalloc.c),
# preloaded by tests/cli/elfmap_failalloc.sh.
FAILMALLOC := $(BUILD)/tests/failmalloc.so
$(FAILMALLOC): tests/tools/failmalloc.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -o $@ $< -ldl
CHECK_DEPS += $(FAILMALLOC)
