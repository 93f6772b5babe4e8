# make demo: builds the demo firmware (mk/cortexm.mk), runs it in QEMU's
# mps2-an385 for its ten seconds with the telemetry stream going to
# $(BUILD)/demo/uart.bin and shows its semihosting summary (and, with the
# decoder built, what the stream says), then elfmap's report of the same
# ELF with its linker script. The live memstat view comes with memstat.
#
# Without arm-none-eabi-gcc or qemu-system-arm it says so and shows elfmap's
# report of the fixture firmware (Cortex-M7 with FLASH, ITCM, DTCM and SRAM).
.PHONY: demo-run demo-elfmap

DEMO_UART := $(DEMO_DIR)/uart.bin
DEMO_QEMU := qemu-system-arm -M mps2-an385 -nographic -monitor none \
	-semihosting-config enable=on,target=native -kernel $(DEMO_ELF) -serial file:$(DEMO_UART)

ifneq ($(and $(CM_HAVE_CC),$(shell command -v qemu-system-arm 2>/dev/null)),)
demo-run: $(DEMO_ELF) $(DEMO_DECODE)
	@echo "== $(DEMO_QEMU)"
	@timeout 60 $(DEMO_QEMU) </dev/null 2>&1; \
	  rc=$$?; echo "(exit status $$rc; $$(wc -c <$(DEMO_UART)) bytes of telemetry in $(DEMO_UART))"
	@if [ -n "$(DEMO_DECODE)" ]; then echo; \
	  echo "== $(DEMO_DECODE) $(DEMO_UART)  (the stream, decoded by libfwmem)"; \
	  $(DEMO_DECODE) $(DEMO_UART) | grep -v '^callers'; fi

# After the run, so that the two reports do not interleave.
demo-elfmap: $(PROGRAMS) $(DEMO_ELF) demo-run
	@echo
	@echo "== elfmap regions --ld $(CM_LDS) $(DEMO_ELF)"
	@$(BIN)/elfmap regions --ld $(CM_LDS) $(DEMO_ELF)
	@echo
	@echo "== elfmap tree --map $(DEMO_DIR)/fwmem-demo.map --depth 3 $(DEMO_ELF)"
	@$(BIN)/elfmap tree --map $(DEMO_DIR)/fwmem-demo.map --depth 3 $(DEMO_ELF)
	@echo
	@echo "== elfmap symbols --ld $(CM_LDS) --region RAM --type object $(DEMO_ELF) (ten largest)"
	@$(BIN)/elfmap symbols --ld $(CM_LDS) --region RAM --type object $(DEMO_ELF) | head -11
else
demo-run:
	@echo "make demo: the demo firmware needs arm-none-eabi-gcc and qemu-system-arm" \
	  "(sh scripts/deps.sh cross); showing the fixture firmware instead"

demo-elfmap: $(PROGRAMS) fixtures demo-run
	@echo "== elfmap regions --ld $(FIXTURES)/m7.ld $(FIXTURES)/m7.elf"
	@$(BIN)/elfmap regions --ld $(FIXTURES)/m7.ld $(FIXTURES)/m7.elf
	@echo
	@echo "== elfmap tree --map $(FIXTURES)/m7.map --depth 3 $(FIXTURES)/m7.elf"
	@$(BIN)/elfmap tree --map $(FIXTURES)/m7.map --depth 3 $(FIXTURES)/m7.elf
	@echo
	@echo "== elfmap symbols --region DTCM --type object $(FIXTURES)/m7.elf (ten largest)"
	@$(BIN)/elfmap symbols --ld $(FIXTURES)/m7.ld --region DTCM --type object $(FIXTURES)/m7.elf | head -11
endif
DEMO_TARGETS += demo-run demo-elfmap
