# target-agent: the allocator core for the host, its unit tests, the
# freestanding cross builds and the allocator benchmark.
#
#   make                     also builds $(BUILD)/lib/libfwmem_agent.a and
#                            $(BUILD)/lib/libfwmem_heap_N.a (N = 1..5)
#   make check               runs tests/unit/agent/test_*.c (cmocka) and
#                            tests/cli/agent_cross.sh
#   make agent-cross         every agent .c with -ffreestanding -nostdlib -Os
#                            for each CPU in AGENT_CPUS -> $(BUILD)/agent-cross/<cpu>/
#   make agent-valgrind      the agent unit tests under valgrind memcheck
#   make bench               (part) bench/alloc_bench over ../shared/traces

# ---- host libraries ----------------------------------------------------
AGENT_SRCS      := $(wildcard target-agent/src/*.c)
AGENT_PORT_SRCS := $(wildcard target-agent/port/host/*.c)
AGENT_RTOS_SRCS := $(wildcard target-agent/src/freertos/heap_*.c)
AGENT_OBJS      := $(AGENT_SRCS:%.c=$(OBJ)/%.o) $(AGENT_PORT_SRCS:%.c=$(OBJ)/%.o)
AGENT_LIB       := $(BUILD)/lib/libfwmem_agent.a
AGENT_HEAP_NS   := $(patsubst target-agent/src/freertos/heap_%.c,%,$(filter target-agent/src/freertos/heap_%.c,$(AGENT_RTOS_SRCS)))
AGENT_HEAP_LIBS := $(AGENT_HEAP_NS:%=$(BUILD)/lib/libfwmem_heap_%.a)
# Each libfwmem_heap_N.a: the scheme's API file and the FreeRTOS schemes'
# core (also in libfwmem_agent.a, for replays; the linker takes what it uses).
AGENT_RTOS_CORE := $(wildcard target-agent/src/rtos_heap*.c)

# The agent and its tests are also kept clean of implicit conversions.
AGENT_WARN := -Wconversion -Wsign-conversion -Wcast-align=strict
$(OBJ)/target-agent/%.o: HOST_CFLAGS += $(AGENT_WARN)
$(OBJ)/target-agent/port/host/%.o: HOST_CFLAGS += -pthread
$(OBJ)/tests/unit/agent/%.o: HOST_CFLAGS += $(AGENT_WARN) -Itests/unit/agent

$(AGENT_LIB): $(AGENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(AGENT_HEAP_LIBS): $(BUILD)/lib/libfwmem_heap_%.a: $(OBJ)/target-agent/src/freertos/heap_%.o $(AGENT_RTOS_CORE:%.c=$(OBJ)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

all: $(AGENT_LIB) $(AGENT_HEAP_LIBS)

# ---- unit tests ----------------------------------------------------------
# tests/unit/agent/test_X.c -> $(BUILD)/tests/agent/test_X, linked with the
# agent library. test_freertos.c is built once per FreeRTOS scheme, with
# FWM_TEST_HEAP=N, against libfwmem_heap_N.a.
AGENT_TEST_SRCS := $(filter-out tests/unit/agent/test_freertos.c tests/unit/agent/test_hooks.c,$(wildcard tests/unit/agent/test_*.c))
AGENT_TEST_BINS := $(AGENT_TEST_SRCS:tests/unit/agent/%.c=$(BUILD)/tests/agent/%)
AGENT_RTOS_TESTS := $(if $(wildcard tests/unit/agent/test_freertos.c),$(AGENT_HEAP_NS:%=$(BUILD)/tests/agent/test_freertos_heap_%))
AGENT_LDLIBS := -lcmocka -lpthread

# Static pattern rules: they apply to these files only (a plain pattern rule
# here would also offer to "remake" the included .d files through make's
# built-in %: %.o).
$(AGENT_TEST_BINS): $(BUILD)/tests/agent/%: $(OBJ)/tests/unit/agent/%.o $(AGENT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(AGENT_LIB) $(AGENT_LDLIBS)

$(AGENT_RTOS_TESTS:$(BUILD)/tests/agent/%=$(OBJ)/tests/unit/agent/%.o): $(OBJ)/tests/unit/agent/test_freertos_heap_%.o: tests/unit/agent/test_freertos.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -DFWM_TEST_HEAP=$* -MMD -MP -c $< -o $@

$(AGENT_RTOS_TESTS): $(BUILD)/tests/agent/test_freertos_heap_%: $(OBJ)/tests/unit/agent/test_freertos_heap_%.o $(BUILD)/lib/libfwmem_heap_%.a $(AGENT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(BUILD)/lib/libfwmem_heap_$*.a $(AGENT_LIB) $(AGENT_LDLIBS)

# The instrumentation hooks: the agent (and heap_4) built again with
# CONFIG_FWM_HOOKS, for test_hooks.c, which provides the hook functions.
AGENT_HOOK_SRCS := $(AGENT_SRCS) $(AGENT_PORT_SRCS) target-agent/src/freertos/heap_4.c
AGENT_HOOK_OBJS := $(AGENT_HOOK_SRCS:%.c=$(OBJ)/hooks/%.o)
AGENT_HOOK_LIB  := $(BUILD)/lib/libfwmem_agent_hooks.a
AGENT_HOOK_TEST := $(if $(wildcard tests/unit/agent/test_hooks.c),$(BUILD)/tests/agent/test_hooks)
$(AGENT_HOOK_OBJS): $(OBJ)/hooks/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(AGENT_WARN) -pthread -DCONFIG_FWM_HOOKS -MMD -MP -c $< -o $@
$(AGENT_HOOK_LIB): $(AGENT_HOOK_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(AGENT_HOOK_TEST): $(OBJ)/tests/unit/agent/test_hooks.o $(AGENT_HOOK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(AGENT_HOOK_LIB) $(AGENT_LDLIBS)
$(OBJ)/tests/unit/agent/test_hooks.o: HOST_CFLAGS += -DCONFIG_FWM_HOOKS

TEST_BINS  += $(AGENT_TEST_BINS) $(AGENT_RTOS_TESTS) $(AGENT_HOOK_TEST)
CHECK_DEPS += $(AGENT_LIB) $(AGENT_HEAP_LIBS) $(AGENT_TEST_BINS) $(AGENT_RTOS_TESTS) $(AGENT_HOOK_TEST)

# Memcheck over the same programs (the stress tests honour FWM_STRESS_OPS).
agent-valgrind: $(AGENT_TEST_BINS) $(AGENT_RTOS_TESTS) $(AGENT_HOOK_TEST)
	@fail=0; for t in $^; do \
	  FWM_STRESS_OPS=$${FWM_STRESS_OPS:-20000} CMOCKA_MESSAGE_OUTPUT=TAP \
	  valgrind -q --error-exitcode=99 --leak-check=full $$t >$$t.valgrind 2>&1; rc=$$?; \
	  if [ $$rc -eq 0 ]; then echo "ok   valgrind $$t"; else echo "FAIL valgrind $$t (exit $$rc, see $$t.valgrind)"; fail=1; fi; \
	done; exit $$fail
.PHONY: agent-valgrind

# ---- freestanding cross builds --------------------------------------------
AGENT_CROSS_CFLAGS := -ffreestanding -nostdlib -Os -Wall -Wextra -Werror -std=c11 \
	-Itarget-agent/include
AGENT_CPUS := cortex-m0plus cortex-m3 cortex-m4f cortex-m7 rv32imac
AGENT_CROSS_CC_cortex-m0plus := arm-none-eabi-gcc
AGENT_CROSS_CC_cortex-m3     := arm-none-eabi-gcc
AGENT_CROSS_CC_cortex-m4f    := arm-none-eabi-gcc
AGENT_CROSS_CC_cortex-m7     := arm-none-eabi-gcc
AGENT_CROSS_CC_rv32imac      := riscv64-unknown-elf-gcc
AGENT_CROSS_ARCH_cortex-m0plus := -mthumb -mcpu=cortex-m0plus
AGENT_CROSS_ARCH_cortex-m3     := -mthumb -mcpu=cortex-m3
AGENT_CROSS_ARCH_cortex-m4f    := -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
AGENT_CROSS_ARCH_cortex-m7     := -mthumb -mcpu=cortex-m7
AGENT_CROSS_ARCH_rv32imac      := -march=rv32imac -mabi=ilp32
AGENT_CROSS_SRCS := $(AGENT_SRCS) $(AGENT_RTOS_SRCS)

define agent_cross_cpu
AGENT_CROSS_OBJS_$(1) := $$(AGENT_CROSS_SRCS:target-agent/src/%.c=$$(BUILD)/agent-cross/$(1)/%.o)
$$(BUILD)/agent-cross/$(1)/%.o: target-agent/src/%.c
	@mkdir -p $$(dir $$@)
	$$(AGENT_CROSS_CC_$(1)) $$(AGENT_CROSS_ARCH_$(1)) $$(AGENT_CROSS_CFLAGS) -MMD -MP -c $$< -o $$@
agent-cross-$(1): $$(AGENT_CROSS_OBJS_$(1))
.PHONY: agent-cross-$(1)
-include $$(AGENT_CROSS_OBJS_$(1):.o=.d)
endef
$(foreach cpu,$(AGENT_CPUS),$(eval $(call agent_cross_cpu,$(cpu))))

agent-cross: $(AGENT_CPUS:%=agent-cross-%)
.PHONY: agent-cross

# ---- benchmark -----------------------------------------------------------------
AGENT_BENCH := $(BUILD)/bench/alloc_bench
$(AGENT_BENCH): $(OBJ)/bench/alloc_bench.o $(AGENT_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(AGENT_LIB) -lm

bench-agent: $(AGENT_BENCH) agent-cross
	sh bench/alloc_bench.sh $(AGENT_BENCH) ../shared/traces $(BUILD)/agent-cross
.PHONY: bench-agent
BENCH_TARGETS += bench-agent
