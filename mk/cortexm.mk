# cortexm.mk: the Cortex-M port (target-agent/port/cortex-m/), the demo
# firmware (target-agent/demo/) and the newlib --wrap test firmware
# (tests/wrap/), all for arm-none-eabi.
#
#   make                 also builds $(BUILD)/demo/fwmem-demo.elf (10 s run) when
#                        arm-none-eabi-gcc is installed
#   make demo-firmware   $(BUILD)/demo/fwmem-demo.elf and fwmem-demo-test.elf
#                        (FWM_DEMO_SECONDS=$(DEMO_TEST_SECONDS), for the tests)
#   make cortexm-cross   the port for each CPU in CM_CPUS -> $(BUILD)/cortexm-cross/<cpu>/
#   make check           tests/cli/cortexm_cross.sh and tests/cli/demo_qemu.sh
#                        (the ELFs above and the wrap firmware are CHECK_DEPS)
#
# The demo streams telemetry (CONFIG_FWM_HOOKS, the encoder and the CMSDK
# UART transport) when target-agent/include/fwmem/telemetry.h exists.

CM_CC      := arm-none-eabi-gcc
CM_DIR     := target-agent/port/cortex-m
CM_LDS     := $(CM_DIR)/mps2-an385.ld
CM_HAVE_CC := $(shell command -v $(CM_CC) 2>/dev/null)
CM_TEL     := $(if $(wildcard target-agent/include/fwmem/telemetry.h),1)
CM_WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wconversion -Wsign-conversion
CM_CFLAGS  := -std=c11 -ffreestanding -ffunction-sections -fdata-sections -Os -g $(CM_WARN) \
	-I$(CM_DIR) -I$(CM_DIR)/include -Itarget-agent/include
CM_LDFLAGS := -nostdlib -nostartfiles -Wl,--gc-sections -Wl,--build-id=sha1 -T $(CM_LDS)

CM_PORT_SRCS := $(CM_DIR)/kernel.c $(CM_DIR)/port_cm.c $(CM_DIR)/startup.c \
	$(CM_DIR)/semihost.c $(CM_DIR)/libc_min.c $(CM_DIR)/switch.S
CM_TEL_SRCS  := $(if $(CM_TEL),$(CM_DIR)/tel_cm.c)

# ---- the port for every CPU (tests/cli/cortexm_cross.sh) -------------------
CM_CPUS := cortex-m0plus cortex-m3 cortex-m4f cortex-m7
CM_ARCH_cortex-m0plus := -mthumb -mcpu=cortex-m0plus
CM_ARCH_cortex-m3     := -mthumb -mcpu=cortex-m3
CM_ARCH_cortex-m4f    := -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16
CM_ARCH_cortex-m7     := -mthumb -mcpu=cortex-m7
CM_CROSS_SRCS := $(CM_PORT_SRCS) $(CM_TEL_SRCS)

define cm_cross_cpu
CM_CROSS_OBJS_$(1) := $$(patsubst $(CM_DIR)/%,$$(BUILD)/cortexm-cross/$(1)/%.o,$$(CM_CROSS_SRCS))
$$(BUILD)/cortexm-cross/$(1)/%.o: $(CM_DIR)/% $(MAKEFILE_LIST)
	@mkdir -p $$(dir $$@)
	$$(CM_CC) $$(CM_ARCH_$(1)) $$(CM_CFLAGS) -MMD -MP -c $$< -o $$@
cortexm-cross-$(1): $$(CM_CROSS_OBJS_$(1))
.PHONY: cortexm-cross-$(1)
-include $$(CM_CROSS_OBJS_$(1):.o=.d)
endef
$(foreach cpu,$(CM_CPUS),$(eval $(call cm_cross_cpu,$(cpu))))

cortexm-cross: $(CM_CPUS:%=cortexm-cross-%)
.PHONY: cortexm-cross

# ---- the demo firmware (mps2-an385, Cortex-M3) ------------------------------
DEMO_DIR          := $(BUILD)/demo
DEMO_ELF          := $(DEMO_DIR)/fwmem-demo.elf
DEMO_TEST_ELF     := $(DEMO_DIR)/fwmem-demo-test.elf
DEMO_TEST_SECONDS ?= 2
DEMO_ARCH  := -mthumb -mcpu=cortex-m3
DEMO_DEFS  := $(if $(CM_TEL),-DCONFIG_FWM_HOOKS -DCONFIG_FWM_TELEMETRY)
DEMO_CFLAGS := $(DEMO_ARCH) $(CM_CFLAGS) $(DEMO_DEFS) -Itarget-agent/demo

# Everything of the agent (the linker keeps what is used) and FreeRTOS's
# heap_4; the demo's main.c once per run time.
DEMO_AGENT_SRCS := $(wildcard target-agent/src/*.c) target-agent/src/freertos/heap_4.c
DEMO_SRCS := $(filter-out target-agent/demo/main.c,$(wildcard target-agent/demo/*.c))
DEMO_OBJS := $(patsubst %,$(DEMO_DIR)/obj/%.o,$(CM_PORT_SRCS) $(CM_TEL_SRCS) $(DEMO_AGENT_SRCS) $(DEMO_SRCS))

$(DEMO_DIR)/obj/%.o: % $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	$(CM_CC) $(DEMO_CFLAGS) -MMD -MP -c $< -o $@

$(DEMO_DIR)/obj/main-%s.o: target-agent/demo/main.c $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	$(CM_CC) $(DEMO_CFLAGS) -DFWM_DEMO_SECONDS=$* -MMD -MP -c $< -o $@

$(DEMO_ELF): $(DEMO_OBJS) $(DEMO_DIR)/obj/main-10s.o $(CM_LDS)
	$(CM_CC) $(DEMO_ARCH) $(CM_LDFLAGS) -Wl,-Map,$(@:.elf=.map) -o $@ \
		$(DEMO_OBJS) $(DEMO_DIR)/obj/main-10s.o -lgcc

$(DEMO_TEST_ELF): $(DEMO_OBJS) $(DEMO_DIR)/obj/main-$(DEMO_TEST_SECONDS)s.o $(CM_LDS)
	$(CM_CC) $(DEMO_ARCH) $(CM_LDFLAGS) -Wl,-Map,$(@:.elf=.map) -o $@ \
		$(DEMO_OBJS) $(DEMO_DIR)/obj/main-$(DEMO_TEST_SECONDS)s.o -lgcc

-include $(DEMO_OBJS:.o=.d) $(DEMO_DIR)/obj/main-10s.d $(DEMO_DIR)/obj/main-$(DEMO_TEST_SECONDS)s.d

demo-firmware: $(DEMO_ELF) $(DEMO_TEST_ELF)
.PHONY: demo-firmware

ifneq ($(CM_HAVE_CC),)
all: $(DEMO_ELF)
endif
CHECK_DEPS += $(DEMO_ELF) $(DEMO_TEST_ELF)

# ---- the host side: decoding the demo's stream with libfwmem ------------------
# tests/demo/demo_decode.c, once lib/fwm_proto.h (the decoder) exists.
DEMO_DECODE := $(if $(wildcard lib/fwm_proto.h),$(BUILD)/tests/demo_decode)
$(BUILD)/tests/demo_decode: $(OBJ)/tests/demo/demo_decode.o $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LIBFWMEM) $(HOST_LIBS)
CHECK_DEPS += $(DEMO_DECODE)

# ---- the port's test firmware, one per CPU, each for a QEMU machine --------------
# tests/cm/ktest.c with the port and the agent (no hooks); run by
# tests/cli/cortexm_port.sh on microbit (ARMv6-M), mps2-an385 (M3),
# mps2-an386 (M4F) and mps2-an500 (M7 with its FPU).
CM_KT_ARCH_cortex-m0plus := -mthumb -mcpu=cortex-m0plus
CM_KT_ARCH_cortex-m3     := -mthumb -mcpu=cortex-m3
CM_KT_ARCH_cortex-m4f    := -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16
CM_KT_ARCH_cortex-m7     := -mthumb -mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16
CM_KT_LD_cortex-m0plus   := -Wl,--defsym=__msp_size=1024   # the micro:bit has 16 KiB of RAM
# The allocators only: the telemetry is not part of these tests.
CM_KT_SRCS := $(CM_PORT_SRCS) tests/cm/ktest.c \
	$(filter-out target-agent/src/tel_% target-agent/src/transport_%,$(wildcard target-agent/src/*.c))
CM_KT_DEFS := -DCONFIG_HEAP_MEM_POOL_SIZE=0 -DFWM_CM_MAIN_STACK=1536

define cm_ktest_cpu
CM_KT_OBJS_$(1) := $$(patsubst %,$$(BUILD)/cortexm/$(1)/%.o,$$(CM_KT_SRCS))
$$(BUILD)/cortexm/$(1)/%.o: % $(MAKEFILE_LIST)
	@mkdir -p $$(dir $$@)
	$$(CM_CC) $$(CM_KT_ARCH_$(1)) $$(CM_CFLAGS) $$(CM_KT_DEFS) -MMD -MP -c $$< -o $$@
$$(BUILD)/cortexm/ktest-$(1).elf: $$(CM_KT_OBJS_$(1)) $(CM_LDS)
	$$(CM_CC) $$(CM_KT_ARCH_$(1)) $$(CM_LDFLAGS) $$(CM_KT_LD_$(1)) -o $$@ $$(CM_KT_OBJS_$(1)) -lgcc
-include $$(CM_KT_OBJS_$(1):.o=.d)
endef
$(foreach cpu,$(CM_CPUS),$(eval $(call cm_ktest_cpu,$(cpu))))
CM_KTESTS := $(CM_CPUS:%=$(BUILD)/cortexm/ktest-%.elf)
cortexm-ktest: $(CM_KTESTS)
.PHONY: cortexm-ktest
CHECK_DEPS += $(if $(CM_HAVE_CC),$(CM_KTESTS))

# ---- the newlib --wrap recipe, tested: tests/wrap/wrapfw.c ------------------------
# Plain malloc/calloc/realloc/free from newlib (nano), wrapped into
# target-agent/src/wrap_newlib.c, streamed by the telemetry over UART0;
# run and decoded by tests/cli/wrap_qemu.sh. Uses the demo's objects (the
# agent with its hooks on, the port) and a 64 KiB newlib heap.
WRAP_ELF  := $(BUILD)/wrap/wrapfw.elf
WRAP_OBJS := $(patsubst %,$(DEMO_DIR)/obj/%.o,$(CM_PORT_SRCS) $(CM_TEL_SRCS) \
	$(wildcard target-agent/src/*.c)) $(BUILD)/wrap/wrapfw.o
WRAP_LDFLAGS := -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--build-id=sha1 \
	-T $(CM_LDS) -Wl,--defsym=__heap_size=0x10000 \
	-Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc

$(BUILD)/wrap/wrapfw.o: tests/wrap/wrapfw.c $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	$(CM_CC) $(DEMO_ARCH) $(CM_CFLAGS) $(DEMO_DEFS) -MMD -MP -c $< -o $@
-include $(BUILD)/wrap/wrapfw.d

$(WRAP_ELF): $(WRAP_OBJS) $(CM_LDS)
	$(CM_CC) $(DEMO_ARCH) $(WRAP_LDFLAGS) -Wl,-Map,$(@:.elf=.map) -o $@ $(WRAP_OBJS) -lc -lgcc

wrap-firmware: $(WRAP_ELF)
.PHONY: wrap-firmware
CHECK_DEPS += $(if $(and $(CM_HAVE_CC),$(CM_TEL)),$(WRAP_ELF))
