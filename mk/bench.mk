# bench.mk: elfmap's speed benchmark (issue 3, "Speed"), part of `make bench`.
#
#   make bench-elfmap
#
# generates and compiles two firmware-like Cortex-M4F ELFs into
# $(BUILD)/bench/ (about 15 MB and 1 MB; bench/genfw.sh, cached until
# bench/genfw.c or bench/genfw.sh change), then times elfmap side by side with
# readelf and nm in one hyperfine run and writes the `## elfmap` section of
# bench/RESULTS.md (bench/elfmap_bench.sh).

BENCH_DIR     := $(BUILD)/bench
BENCH_FW_BIG  := $(BENCH_DIR)/fw-large/fw.elf
BENCH_FW_SMALL := $(BENCH_DIR)/fw-small/fw.elf

BENCH_TARGETS += bench-elfmap

$(BENCH_FW_BIG): bench/genfw.c bench/genfw.sh
	HOSTCC="$(CC)" sh bench/genfw.sh $(BENCH_DIR)/fw-large large

# One fixture at a time: each build already runs make -j2.
$(BENCH_FW_SMALL): bench/genfw.c bench/genfw.sh | $(BENCH_FW_BIG)
	HOSTCC="$(CC)" sh bench/genfw.sh $(BENCH_DIR)/fw-small small

bench-fixtures: $(BENCH_FW_BIG) $(BENCH_FW_SMALL)

bench-elfmap: deps-bench $(BIN)/elfmap $(BENCH_FW_BIG) $(BENCH_FW_SMALL)
	HOSTCC="$(CC)" sh bench/elfmap_bench.sh -e $(BIN)/elfmap -w $(BENCH_DIR) \
		-c "make bench-elfmap" $(BENCH_FW_BIG) $(BENCH_FW_SMALL)

.PHONY: bench-elfmap bench-fixtures
