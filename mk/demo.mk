# make demo: until the live demo firmware exists, build the fixture firmware
# (Cortex-M7 with FLASH, ITCM, DTCM and SRAM) and show elfmap's report of it.
.PHONY: demo-elfmap
demo-elfmap: $(PROGRAMS) $(FIXTURE_STAMP)
	@echo "== elfmap regions --ld $(FIXTURES)/m7.ld $(FIXTURES)/m7.elf"
	@$(BIN)/elfmap regions --ld $(FIXTURES)/m7.ld $(FIXTURES)/m7.elf
	@echo
	@echo "== elfmap tree --map $(FIXTURES)/m7.map --depth 3 $(FIXTURES)/m7.elf"
	@$(BIN)/elfmap tree --map $(FIXTURES)/m7.map --depth 3 $(FIXTURES)/m7.elf
	@echo
	@echo "== elfmap symbols --region DTCM --type object $(FIXTURES)/m7.elf (ten largest)"
	@$(BIN)/elfmap symbols --ld $(FIXTURES)/m7.ld --region DTCM --type object $(FIXTURES)/m7.elf | head -11
DEMO_TARGETS += demo-elfmap
