#!/bin/sh
# Each libFuzzer harness for a few seconds from its seeds: no crash, no leak,
# no sanitizer report; and every input in tests/fuzz/regress/NAME/ (inputs
# that once crashed a harness) once.  `make fuzz` runs them for longer.
. "$(dirname "$0")/../lib.sh"
S=${FWMEM_FUZZ_SECONDS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/fwm_fuzz.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
for h in "$FWMEM_BUILD"/fuzz/fuzz_*; do
  [ -x "$h" ] || continue
  n=${h##*/fuzz_}
  mkdir -p "$T/$n"
  [ "$n" = elf ] && cp "$FWMEM_BUILD"/fixtures/*.elf "$T/$n/" 2>/dev/null
  # inputs that once crashed a harness, run once each
  for r in "$(dirname "$0")"/regress/$n/*; do
    [ -f "$r" ] || continue
    if "$h" "$r" >"$T/$n.regress.log" 2>&1; then ok "fuzz_$n: regression ${r##*/}"
    else not_ok "fuzz_$n: regression ${r##*/}" "$(grep -A12 'ERROR\|SUMMARY' "$T/$n.regress.log" | head -30)"; fi
  done
  seeds=$(dirname "$0")/corpus/$n
  [ -d "$seeds" ] || seeds=
  if "$h" -max_total_time="$S" -artifact_prefix="$T/crash-" "$T/$n" $seeds >"$T/$n.log" 2>&1; then
    ok "fuzz_$n: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$T/$n.log" | head -1)"
  else
    not_ok "fuzz_$n" "$(grep -A12 'ERROR\|SUMMARY' "$T/$n.log" | head -30)"
  fi
done
done_testing
