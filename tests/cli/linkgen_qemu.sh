#!/bin/sh
# linkgen end to end: a firmware for QEMU's mps2-an385 (Cortex-M3), linked
# with the scripts linkgen generates from tests/linkgen/fw/good.spec into a
# vendor-style script, run under qemu-system-arm with semihosting.  The spec
# moves a hot function (and its data and bss) to the SSRAM, a lookup table
# and a library member to the FPGA block RAM (the "DTCM"), a buffer and a
# pattern to the PSRAM bank in the late phase, and pins the rest of the
# library in flash.  The hot function calls libgcc's __aeabi_uldivmod and
# a helper in flash: the first link must fail verify, and the closure must
# pull them in for the second.  The firmware itself reports that the
# function ran from SRAM, its data was copied and its bss zeroed.  Then
# wrong specs: a typo in a name, a mistyped archive, a region too small, an
# inlined function, a call into flash: verify fails naming rule and symbol.
. tests/lib.sh
LG=$FWMEM_BIN/linkgen
FW=tests/linkgen/fw
CC=arm-none-eabi-gcc
command -v $CC >/dev/null 2>&1 || skip_all "$CC not installed"
command -v qemu-system-arm >/dev/null 2>&1 || skip_all "qemu-system-arm not installed"
W=$(mktemp -d "${TMPDIR:-/tmp}/linkgen_qemu.XXXXXX")
trap 'rm -rf "$W"' EXIT

check_has() { # check_has NAME NEEDLE TEXT
  case "$3" in *"$2"*) ok "$1" ;; *) not_ok "$1" "expected to find: $2
     in: $(printf '%s\n' "$3" | head -20)" ;; esac
}

CF="-mcpu=cortex-m3 -mthumb -O2 -g -std=c11 -ffunction-sections -fdata-sections -ffreestanding -Wall -Wextra -Werror -Itarget-agent/include"
mkdir -p "$W/dsp"
log=$( { for f in main hot startup semihost; do $CC $CF -c $FW/$f.c -o "$W/$f.o" || exit 1; done
         $CC $CF -c target-agent/src/reloc_init.c -o "$W/reloc_init.o" &&
         $CC $CF -c $FW/dsp/window.c -o "$W/dsp/window.o" &&
         $CC $CF -c $FW/dsp/gain.c -o "$W/dsp/gain.o" &&
         arm-none-eabi-ar rcs "$W/libdsp.a" "$W/dsp/window.o" "$W/dsp/gain.o"; } 2>&1 )
if [ $? -ne 0 ]; then not_ok "firmware compiles" "$log"; done_testing; exit 1; fi
ok "firmware compiles (fwm_reloc_init from target-agent/src/reloc_init.c)"

# link NAME SPEC [generate options...]: generate into $W/NAME.gen, link $W/NAME.elf
link() {
  _n=$1 _s=$2; shift 2
  "$LG" generate --spec "$_s" -o "$W/$_n.gen" "$@" >"$W/$_n.gen.out" 2>&1 || return 2
  $CC -mcpu=cortex-m3 -mthumb -nostdlib -nostartfiles $(cat "$W/$_n.gen/ldflags") \
    -Wl,-Map,"$W/$_n.map" -o "$W/$_n.elf" "$W/main.o" "$W/hot.o" "$W/startup.o" "$W/semihost.o" \
    "$W/reloc_init.o" -L"$W" -ldsp -lgcc >"$W/$_n.ld.out" 2>&1
}
qemu() { # qemu ELF: output in $QOUT, status in $QRC
  QOUT=$(timeout 30 qemu-system-arm -M mps2-an385 -cpu cortex-m3 -nographic -monitor none -serial none \
         -semihosting-config enable=on,target=native -kernel "$1" 2>&1); QRC=$?
}

# ---- pass 1: the callees are still in flash ------------------------------------
link first $FW/good.spec
check_eq "pass 1: generate and link" "0" "$?"
check_eq "pass 1: no ld warnings" "" "$(cat "$W/first.ld.out")"
check_run "pass 1: verify fails (callees in flash)" 1 "$LG" verify --spec $FW/good.spec --elf "$W/first.elf" --map "$W/first.map"
check_has "pass 1: names the libgcc helper and its veneer" \
  "hot_filter (RAM) calls __aeabi_uldivmod at" "$OUT"
check_has "pass 1: the call goes through a linker veneer into FLASH" "in FLASH through the veneer" "$OUT"
check_has "pass 1: says how to pull it in" "callees=pull: run linkgen generate --closure" "$OUT"
check_run "pass 1: closure report" 0 "$LG" closure --spec $FW/good.spec --elf "$W/first.elf" --map "$W/first.map" --format csv
check_has "pass 1: closure lists the tail call to fw_clip" "hot_filter,RAM,branch,fw_clip" "$OUT"

# ---- pass 2: pull the closure in, link, verify, run ----------------------------------
link fw $FW/good.spec --closure "$W/first.elf" --map "$W/first.map"
check_eq "pass 2: generate --closure and link" "0" "$?"
check_has "pass 2: pulled libgcc's __udivmoddi4 (transitively)" \
  "pulled in: __aeabi_uldivmod calls __udivmoddi4 (.text of libgcc.a(_udivmoddi4.o))" "$(cat "$W/fw.gen/linkgen.ld")"
check_run "pass 2: verify passes" 0 "$LG" verify --spec $FW/good.spec --elf "$W/fw.elf" --map "$W/fw.map"
check_eq "pass 2: verify summary" "7 rules, 0 violations, 0 warnings" "$(printf '%s\n' "$OUT" | tail -1)"
check_run "pass 2: verify --format json" 0 "$LG" verify --spec $FW/good.spec --elf "$W/fw.elf" --map "$W/fw.map" --format json
check_has "pass 2: JSON ok" '"ok": true' "$OUT"
"$LG" generate --spec $FW/good.spec --closure "$W/fw.elf" --map "$W/fw.map" -o "$W/again.gen" >/dev/null 2>&1
if cmp -s "$W/fw.gen/linkgen.ld" "$W/again.gen/linkgen.ld"; then ok "closure is stable: generating from the pass-2 link keeps what was pulled"
else not_ok "closure is stable: generating from the pass-2 link keeps what was pulled" "$(diff "$W/fw.gen/linkgen.ld" "$W/again.gen/linkgen.ld" | head -20)"; fi
check_run "explain hot_filter" 0 "$LG" explain --spec $FW/good.spec --elf "$W/fw.elf" --map "$W/fw.map" hot_filter
check_has "explain: the rule that placed it" "placed by $FW/good.spec:8: place symbol hot_filter code in RAM callees=pull  [symbol tier]" "$OUT"
check_run "explain __udivmoddi4" 0 "$LG" explain --spec $FW/good.spec --elf "$W/fw.elf" --map "$W/fw.map" __udivmoddi4
check_has "explain: pulled in as a callee" "[symbol tier, pulled in as a callee]" "$OUT"
check_run "explain window_apply" 0 "$LG" explain --spec $FW/good.spec --elf "$W/fw.elf" --map "$W/fw.map" window_apply
check_has "explain: member outranks archive" "outranks $FW/good.spec:12: place archive libdsp.a in FLASH" "$OUT"

qemu "$W/fw.elf"
check_eq "qemu: firmware exits through SYS_EXIT with ApplicationExit" "0" "$QRC"
check_has "qemu: hot_filter executed from SRAM" "PASS hot_filter executed from RAM: pc (0x200" "$QOUT"
check_has "qemu: its data was copied" "PASS coeff (data) was copied to RAM" "$QOUT"
check_has "qemu: its bss was zeroed" "PASS hot_calls (bss) was zeroed over the 0xa5 fill" "$QOUT"
check_has "qemu: lookup table copied to the block RAM" "PASS lut was copied: 64 of 64 entries right" "$QOUT"
check_has "qemu: library member ran from the block RAM" "PASS libdsp.a(window.o) executed from the block RAM: pc (0x010" "$QOUT"
check_has "qemu: late phase zeroed the PSRAM buffer" "PASS rx_buf (bss) was zeroed" "$QOUT"
check_has "qemu: late phase copied the PSRAM pattern" "PASS tx_pattern (data) was copied to PSRAM" "$QOUT"
check_eq "qemu: no check failed" "" "$(printf '%s\n' "$QOUT" | grep FAIL)"
check_has "qemu: every check ran" "fw: all passed, passed 0x00000011" "$QOUT"

# ---- wrong specs ----------------------------------------------------------------------
mkspec() { # mkspec NAME SED-EXPR: a copy of good.spec, changed, next to its ld script
  sed "$2" $FW/good.spec >"$W/$1.spec"; cp $FW/mps2_an385.ld "$W/"
}

mkspec typo 's/symbol hot_filter code/symbol hot_fitler code/'
link typo "$W/typo.spec"
check_eq "typo: links (the rule matches nothing)" "0" "$?"
check_run "typo: verify fails" 1 "$LG" verify --spec "$W/typo.spec" --elf "$W/typo.elf" --map "$W/typo.map"
check_has "typo: names the rule and the symbol, suggests the right one" \
  "typo.spec:8: place symbol hot_fitler code in RAM callees=pull: matched nothing: no symbol 'hot_fitler' in $W/typo.elf; did you mean 'hot_filter'?" "$OUT"
qemu "$W/typo.elf"
check_eq "typo: the firmware fails too (exit 1)" "1" "$QRC"
check_has "typo: the firmware says the function is not in RAM" "FAIL hot_filter is linked in RAM" "$QOUT"

mkspec archive 's/archive libdsp.a in FLASH/archive libdps.a in FLASH/'
link archive "$W/archive.spec"
check_eq "mistyped archive: links" "0" "$?"
check_run "mistyped archive: verify fails" 1 "$LG" verify --spec "$W/archive.spec" --elf "$W/archive.elf" --map "$W/archive.map"
check_has "mistyped archive: caught, with the archives of the link" \
  "archive.spec:12: place archive libdps.a in FLASH: matched nothing: no archive named libdps.a in the link (archives: " "$OUT"
check_has "mistyped archive: suggests libdsp.a" "did you mean 'libdsp.a'?" "$OUT"

mkspec small 's/length=16K/length=64/'
link small "$W/small.spec" --closure "$W/first.elf" --map "$W/first.map"
check_eq "region too small: ld refuses the link" "1" "$?"
check_has "region too small: ld's message" "region \`DTCM' overflowed by" "$(cat "$W/small.ld.out")"
check_run "region too small: verify fails on the good link" 1 "$LG" verify --spec "$W/small.spec" --elf "$W/fw.elf" --map "$W/fw.map"
check_has "region too small: names the region and the rules" \
  "region DTCM overflows: 348 bytes used, 64 available (by 284 bytes); rules at $W/small.spec lines 10, 11" "$OUT"

mkspec inline '$a place function scale in RAM'
link inline "$W/inline.spec" --closure "$W/first.elf" --map "$W/first.map"
check_eq "inlined function: links" "0" "$?"
check_run "inlined function: verify fails" 1 "$LG" verify --spec "$W/inline.spec" --elf "$W/inline.elf" --map "$W/inline.map"
check_has "inlined function: says where it was inlined" \
  "inline.spec:15: place function scale in RAM: matched nothing: no symbol 'scale' in $W/inline.elf: it was inlined into main (main.c:" "$OUT"
check_run "inlined function: explain says so too" 1 "$LG" explain --spec "$W/inline.spec" --elf "$W/inline.elf" --map "$W/inline.map" scale
check_has "inlined function: explain message" "scale: not in $W/inline.elf: it was inlined into main (main.c:" "$OUT"

mkspec deny 's/ callees=pull//'
link deny "$W/deny.spec"
check_eq "call into flash: links" "0" "$?"
check_run "call into flash: verify fails" 1 "$LG" verify --spec "$W/deny.spec" --elf "$W/deny.elf" --map "$W/deny.map"
check_has "call into flash: names the rule, caller, callee and veneer" \
  "deny.spec:8: hot_filter (RAM) calls __aeabi_uldivmod at" "$OUT"
check_has "call into flash: says what to do" "pull it in (callees=pull), place it, or allow it (callees=allow)" "$OUT"
mkspec allow 's/callees=pull/callees=allow/'
link allow "$W/allow.spec"
check_run "callees=allow: verify passes with the calls listed" 0 "$LG" verify --spec "$W/allow.spec" --elf "$W/allow.elf" --map "$W/allow.map"
check_has "callees=allow: the call is listed as allowed" "allowed" "$OUT"
qemu "$W/allow.elf"
check_eq "callees=allow: the firmware runs (calls to flash through veneers)" "0" "$QRC"
done_testing
