# linkgen: relocation specs to GNU ld scripts and copy tables (issue 8).
#
#   make                 builds $(BIN)/linkgen from cmd/linkgen.c and linkgen/*.c
#   make check           runs tests/unit/linkgen/test_*.c (cmocka) and the
#                        tests/cli/linkgen_*.sh scripts (golden, bad input, QEMU)
#
# linkgen/*.c go into $(BUILD)/lib/liblinkgen.a, which the command and the
# unit tests link before libfwmem (HOST_LIBS brings capstone for the closure).

LINKGEN_SRCS := $(wildcard linkgen/*.c)
LINKGEN_OBJS := $(LINKGEN_SRCS:%.c=$(OBJ)/%.o)
LINKGEN_LIB  := $(BUILD)/lib/liblinkgen.a

$(OBJ)/linkgen/%.o $(OBJ)/cmd/linkgen.o $(OBJ)/tests/unit/linkgen/%.o: HOST_CFLAGS += -Ilinkgen

$(LINKGEN_LIB): $(LINKGEN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/linkgen: $(OBJ)/cmd/linkgen.o $(LINKGEN_LIB) $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LINKGEN_LIB) $(LIBFWMEM) $(HOST_LIBS)

# ---- unit tests: tests/unit/linkgen/test_X.c -> $(BUILD)/tests/linkgen/test_X
LINKGEN_TEST_SRCS := $(wildcard tests/unit/linkgen/test_*.c)
LINKGEN_TEST_BINS := $(LINKGEN_TEST_SRCS:tests/unit/linkgen/%.c=$(BUILD)/tests/linkgen/%)

# The copy-table walker is target code: its test builds it for the host
# from target-agent/src/reloc_init.c, with the agent's conversion warnings.
LINKGEN_RELOC_OBJ := $(OBJ)/tests/unit/linkgen/reloc_init.o
$(LINKGEN_RELOC_OBJ): target-agent/src/reloc_init.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Wconversion -Wsign-conversion -MMD -MP -c $< -o $@

$(BUILD)/tests/linkgen/test_linkgen_reloc: $(OBJ)/tests/unit/linkgen/test_linkgen_reloc.o $(LINKGEN_RELOC_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ -lcmocka

$(BUILD)/tests/linkgen/%: $(OBJ)/tests/unit/linkgen/%.o $(LINKGEN_LIB) $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LINKGEN_LIB) $(LIBFWMEM) $(HOST_LIBS) -lcmocka

TEST_BINS  += $(LINKGEN_TEST_BINS)
CHECK_DEPS += $(BIN)/linkgen $(LINKGEN_TEST_BINS)

.PHONY: linkgen
linkgen: $(BIN)/linkgen
