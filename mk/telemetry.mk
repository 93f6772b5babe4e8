# telemetry.mk: the telemetry encoder (target-agent/src/tel_*.c,
# transport_*.c), the protocol decoder (lib/proto.c), their tests and their
# cost benchmark (issue 5, protocol and encoder part).
#
#   make check            runs tests/unit/test_proto (cmocka), linked with
#                         libfwmem.a and the agent built with its hooks on,
#                         so the real allocators drive the encoder
#   make tel-valgrind     the same program under valgrind memcheck
#   make bench-telemetry  instructions per alloc event (callgrind) and bytes
#                         on the wire; writes the "## telemetry encoder"
#                         section of bench/RESULTS.md (part of `make bench`)
#
# The agent sources are globbed by mk/agent.mk (host library and the cross
# builds); nothing here changes how they are built.

# ---- the unit test: an explicit rule, so it wins over the generic one ----
TEL_TEST := $(BUILD)/tests/test_proto
$(TEL_TEST): $(OBJ)/tests/unit/test_proto.o $(LIBFWMEM) $(AGENT_HOOK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(LIBFWMEM) $(AGENT_HOOK_LIB) $(HOST_LIBS) -lcmocka -lpthread

CHECK_DEPS += $(AGENT_HOOK_LIB)

tel-valgrind: $(TEL_TEST)
	@FWM_TEL_STRESS=$${FWM_TEL_STRESS:-2000} CMOCKA_MESSAGE_OUTPUT=TAP \
	  valgrind -q --error-exitcode=99 --leak-check=full $(TEL_TEST) >$(TEL_TEST).valgrind 2>&1; \
	  rc=$$?; if [ $$rc -eq 0 ]; then echo "ok   valgrind $(TEL_TEST)"; \
	  else echo "FAIL valgrind $(TEL_TEST) (exit $$rc, see $(TEL_TEST).valgrind)"; exit 1; fi
.PHONY: tel-valgrind

# ---- the benchmark ----------------------------------------------------------
TEL_BENCH := $(BUILD)/bench/tel_bench
$(TEL_BENCH): $(OBJ)/bench/tel_bench.o $(AGENT_LIB) $(LIBFWMEM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(AGENT_LIB) $(LIBFWMEM) $(HOST_LIBS) -lpthread

bench-telemetry: $(TEL_BENCH)
	sh bench/tel_bench.sh $(TEL_BENCH) ../shared/traces
.PHONY: bench-telemetry
BENCH_TARGETS += bench-telemetry
