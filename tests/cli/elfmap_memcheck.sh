#!/bin/sh
# Every elfmap command once under valgrind memcheck: no invalid access, no
# use of uninitialised memory, and no definite or indirect leak.
. "$(dirname "$0")/../lib.sh"
E=$FWMEM_BIN/elfmap
F=$FWMEM_BUILD/fixtures
[ -f "$F/m7.elf" ] || sh "$(dirname "$0")/../fixtures/build.sh" "$F" >/dev/null 2>&1
command -v valgrind >/dev/null || skip_all "valgrind is not installed"
if ldd "$E" 2>/dev/null | grep -q libasan; then skip_all "sanitizer build"; fi
T=$(mktemp -d "${TMPDIR:-/tmp}/fwm_memcheck.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
B=$T/budget.txt
printf 'region LOAD0 12K 14K\nsection .text 8K -\nsymbol * 512 1K\n' >"$B"
while IFS= read -r c; do
  [ -n "$c" ] || continue
  rc=0
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$E" $c >/dev/null 2>"$T/vg" || rc=$?
  if [ $rc -ne 99 ]; then ok "memcheck: elfmap $c (exit $rc)"; else not_ok "memcheck: elfmap $c" "$(head -30 "$T/vg")"; fi
done <<EOF2
regions --ld $F/m7.ld $F/m7.elf
regions --map $F/m7.map --format json $F/m7.elf
sections --format md $F/m4f.elf
symbols --format json $F/m7.elf
tree --map $F/m7.map $F/m7.elf
tree --format csv $F/rv32.elf
stack --worst 3 $F/m4f.elf
snapshot $F/m3.elf
diff --format md $F/m0plus.elf $F/m3.elf
check --format junit --budget $B $F/m3.elf
sections $F/nonexistent.elf
EOF2
done_testing
