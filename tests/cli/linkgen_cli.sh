#!/bin/sh
# linkgen's command line: --help, --version, usage errors (exit 2), bad
# input (exit 3, one line naming the file), and verify and explain on a
# firmware linkgen did not link: the elfmap fixture m7.elf, whose own
# script copies crc32_fast to ITCM by hand.
. tests/lib.sh
LG=$FWMEM_BIN/linkgen
FIX=$(cd "$FWMEM_BUILD/fixtures" 2>/dev/null && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/linkgen_cli.XXXXXX")
trap 'rm -rf "$T"' EXIT

check_run "--help" 0 "$LG" --help
check_eq "--help: synopsis" "usage: linkgen generate --spec FILE [--ld SCRIPT | --map MAP] [--closure ELF [--pull-all]]" \
  "$(printf '%s\n' "$OUT" | head -1)"
check_run "--version" 0 "$LG" --version
case "$OUT" in "linkgen (fwmem) "[0-9]*) ok "--version: names the program" ;; *) not_ok "--version: names the program" "$OUT" ;; esac

printf 'region FLASH origin=0x08000000 length=1M attrs=rx\nregion RAM origin=0x20000000 length=64K\nplace symbol x in RAM\nplace archive liba.a in RAM\n' >"$T/s.spec"
check_run "no command: exit 2" 2 "$LG"
check_run "unknown command: exit 2" 2 "$LG" frobnicate --spec "$T/s.spec"
check_eq "unknown command: message" "linkgen: unknown command 'frobnicate': generate, check, verify, explain or closure (see linkgen --help)" "$ERR"
check_run "unknown option: exit 2" 2 "$LG" check --spek x
check_run "no --spec: exit 2" 2 "$LG" check
check_run "generate without -o: exit 2" 2 "$LG" generate --spec "$T/s.spec"
check_run "verify without --elf: exit 2" 2 "$LG" verify --spec "$T/s.spec"
check_run "explain without SYMBOL: exit 2" 2 "$LG" explain --spec "$T/s.spec" --elf x
check_run "bad --format: exit 2" 2 "$LG" check --spec "$T/s.spec" --format yaml
check_run "check --elf: exit 2" 2 "$LG" check --spec "$T/s.spec" --elf x
check_run "--pull-all without --closure: exit 2" 2 "$LG" generate --spec "$T/s.spec" -o "$T/o" --pull-all
check_run "verify of file rules without --map: exit 2" 2 "$LG" verify --spec "$T/s.spec" --elf /dev/null
check_eq "verify without --map: says which rules need it" \
  "linkgen: verify: the rules at $T/s.spec lines 4 select files; give --map (ld -Map) to check them" "$ERR"

check_run "missing spec: exit 3" 3 "$LG" check --spec "$T/none.spec"
check_eq "missing spec: message" "linkgen: $T/none.spec: No such file or directory" "$ERR"
head -c 3000 /dev/urandom >"$T/junk.spec"
check_run "binary spec: exit 3" 3 "$LG" check --spec "$T/junk.spec"
printf 'place symbol x in RAM\n' >"$T/sym.spec"
printf 'MEMORY { RAM : ORIGIN = 0x20000000, LENGTH = 64K\n' >"$T/bad.ld"
check_run "truncated ld script: exit 3" 3 "$LG" check --spec "$T/sym.spec" --ld "$T/bad.ld"
case "$ERR" in "linkgen: $T/bad.ld:"[0-9]*) ok "truncated ld script: names file and line" ;;
  *) not_ok "truncated ld script: names file and line" "$ERR" ;; esac
printf 'region FLASH origin=0 length=64K attrs=rx\nregion RAM origin=0x20000000 length=64K\nplace symbol x in RAM\n' >"$T/r.spec"
printf '\177ELF\001\001\001' >"$T/short.elf"
check_run "truncated ELF: exit 3" 3 "$LG" verify --spec "$T/r.spec" --elf "$T/short.elf"
check_run "generate into an unwritable place: exit 3" 3 "$LG" generate --spec "$T/r.spec" -o /proc/linkgen

check_run "check --format json" 0 "$LG" check --spec "$T/r.spec" --format json
check_eq "check --format json: keys" "spec anchor insert load_region sections pulled files " \
  "$(printf '%s\n' "$OUT" | grep -o '^  "[a-z_]*"' | tr -d ' "' | tr '\n' ' ')"

# ---- a firmware linkgen did not link ------------------------------------------------
if [ -z "$FIX" ] || [ ! -f "$FIX/m7.elf" ]; then
  ok "# SKIP m7 fixture: not built (make fixtures)"
  done_testing; exit
fi
cat >"$T/m7.spec" <<EOF
regions ld $FIX/m7.ld
place symbol crc8 code in ITCM
place symbol crc32 in FLASH
place archive libdrivers.a code in FLASH
place archive libdriver.a data in DTCM
place symbol crc32_fast code in ITCM callees=allow
EOF
check_run "m7: verify fails" 1 "$LG" verify --spec "$T/m7.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map"
check_has() { case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1" "expected to find: $2
     in: $3" ;; esac; }
check_has "m7: a function the script left in flash" \
  "m7.spec:2: crc8 (.text.crc8 of $FIX/obj/m7/lib/crc.o) is at 0x080008a4 in FLASH, not in ITCM" "$OUT"
check_has "m7: a mistyped archive" \
  "m7.spec:5: place archive libdriver.a data in DTCM: matched nothing: no archive named libdriver.a in the link" "$OUT"
check_has "m7: the archive it meant" "did you mean 'libdrivers.a'?" "$OUT"
check_has "m7: a function in a section the source named" \
  "m7.spec:6: place symbol crc32_fast code in ITCM callees=allow: matched nothing: crc32_fast is in input section .itcm_text of $FIX/obj/m7/lib/crc.o, named by the source (__attribute__((section))): place it with 'place section .itcm_text'" "$OUT"
check_eq "m7: 3 violations" "5 rules, 3 violations, 0 warnings" "$(printf '%s\n' "$OUT" | tail -1)"
check_run "m7: verify --format csv" 1 "$LG" verify --spec "$T/m7.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map" --format csv
check_eq "m7: csv header" "kind,severity,line,symbol,message" "$(printf '%s\n' "$OUT" | head -1)"
check_run "m7: explain crc32" 0 "$LG" explain --spec "$T/m7.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map" crc32
check_has "m7: explain crc32 names its rule" "placed by $T/m7.spec:3: place symbol crc32 in FLASH  [symbol tier]" "$OUT"
check_run "m7: explain helper (two statics)" 0 "$LG" explain --spec "$T/m7.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map" --format json helper
check_eq "m7: explain helper: both statics" "2" "$(printf '%s\n' "$OUT" | grep -c '"input_section": ".text.helper"')"
printf 'regions ld %s\nplace section .itcm_text in ITCM callees=allow\nplace section .ramfunc in ITCM\n' "$FIX/m7.ld" >"$T/m7sec.spec"
check_run "m7: section rules" 1 "$LG" verify --spec "$T/m7sec.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map"
check_has "m7: the section the hand-written script moved is in ITCM" \
  "   2  place section .itcm_text in ITCM callees=allow  symbol  ITCM    early       1     40  ok         crc32_fast" "$OUT"
check_has "m7: a section that is not there" \
  "m7sec.spec:3: place section .ramfunc in ITCM: matched nothing: no input section named .ramfunc in the link" "$OUT"
check_has "m7: crc32_fast (ITCM) reads its table in flash through a literal pool" \
  "crc32_fast  ITCM  literal  crc32_table  0x08003380  FLASH          allowed     2" "$OUT"
printf 'regions ld %s\nplace section .itcm_text in ITCM\n' "$FIX/m7.ld" >"$T/m7ref.spec"
check_run "m7: a flash reference is a warning, not a violation" 0 "$LG" verify --spec "$T/m7ref.spec" --elf "$FIX/m7.elf" --map "$FIX/m7.map"
check_has "m7: the warning" "warning: flash-ref: $T/m7ref.spec:2: crc32_fast (ITCM) references crc32_table at 0x08003380 in FLASH" "$OUT"
printf 'regions ld %s\nplace symbol crc32 in FLASH\nplace symbol main code in FLASH\n' "$FIX/m7.ld" >"$T/m7sym.spec"
check_run "m7: verify of symbol rules without a map" 0 "$LG" verify --spec "$T/m7sym.spec" --elf "$FIX/m7.elf"
check_has "m7: without a map" "(no map: symbol rules only)" "$OUT"
done_testing
