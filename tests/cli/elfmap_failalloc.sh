#!/bin/sh
# Allocation-failure injection, as SQLite's harness does it: for every N, the
# Nth allocation fwmem's own code makes fails (tests/tools/failmalloc.c);
# each command must then either finish as it does without the failure or
# exit 3 with one line on stderr, never crash.  Skipped for a sanitizer build (ASan owns malloc there).
. "$(dirname "$0")/../lib.sh"
E=$FWMEM_BIN/elfmap
P=$FWMEM_BUILD/tests/failmalloc.so
F=$FWMEM_BUILD/fixtures
[ -f "$F/m7.elf" ] || sh "$(dirname "$0")/../fixtures/build.sh" "$F" >/dev/null 2>&1
if ldd "$E" 2>/dev/null | grep -q libasan; then skip_all "sanitizer build"; fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fwm_failalloc.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
B=$T/budget.txt
printf 'region LOAD0 12K 14K\nsection .text 8K -\nsymbol * 512 1K\n' >"$B"
while IFS= read -r c; do
  [ -n "$c" ] || continue
  base=0
  FWM_FAIL_COUNT=$T/n LD_PRELOAD=$P $E $c >/dev/null 2>&1 || base=$?
  n=$(cat "$T/n" 2>/dev/null || echo 0)
  bad=""
  i=1
  while [ "$i" -le "$n" ]; do
    rc=0
    FWM_FAIL_AT=$i LD_PRELOAD=$P $E $c >/dev/null 2>"$T/err" || rc=$?
    lines=$(wc -l <"$T/err")
    if [ $rc -ne "$base" ] && { [ $rc -ne 3 ] || [ "$lines" -ne 1 ]; }; then
      bad="$bad
allocation $i: exit $rc: $(head -n 2 "$T/err")"
    fi
    i=$((i + 1))
  done
  if [ "$n" -gt 0 ] && [ -z "$bad" ]; then ok "elfmap $c: each of its $n allocations can fail cleanly"
  else not_ok "elfmap $c: allocation failures" "${bad:-no allocations counted}"; fi
done <<EOF2
regions --ld $F/m7.ld $F/m7.elf
regions --map $F/m3.map --format csv $F/m3.elf
sections --format json $F/rv32.elf
symbols $F/m0plus.elf
tree --map $F/m0plus.map $F/m0plus.elf
tree --format json $F/rv32.elf
stack $F/m4f.elf
snapshot $F/m0plus.elf
diff $F/m0plus.elf $F/m3.elf
check --budget $B $F/m3.elf
EOF2
done_testing
