#!/bin/sh
# linkgen golden tests: spec in, ld script fragment, MEMORY block, vendor
# script without MEMORY and the plan out (tests/linkgen/golden/NAME.*);
# every bad spec of tests/linkgen/bad/ fails with exit 3 and the one-line
# message its first line states ("# error: FILE:LINE: ..."); and the golden
# h7 spec, linked for real with arm-none-eabi-gcc against the STM32H7-style
# vendor script (CMake object names, two archives), passes verify.
# FWMEM_UPDATE_GOLDEN=1 rewrites the golden files.
. tests/lib.sh
LG=$FWMEM_BIN/linkgen
G=tests/linkgen/golden
T=$(mktemp -d "${TMPDIR:-/tmp}/linkgen_golden.XXXXXX")
trap 'rm -rf "$T"' EXIT
norm() { sed 's/linkgen [0-9][0-9.]*/linkgen VERSION/' "$1"; }

for spec in $G/*.spec; do
  name=$(basename "$spec" .spec)
  check_run "$name: generate" 0 "$LG" generate --spec "$spec" -o "$T/$name" --format csv
  check_golden "$name: plan (csv)" "$G/$name.plan.csv" "$OUT"
  for f in linkgen.ld memory.ld base.ld; do
    if [ -f "$T/$name/$f" ]; then
      check_golden "$name: $f" "$G/$name.$f" "$(norm "$T/$name/$f")"
    elif [ -f "$G/$name.$f" ]; then
      not_ok "$name: $f" "generate wrote no $f"
    fi
  done
  # same spec, same output: generation is deterministic
  "$LG" generate --spec "$spec" -o "$T/$name.again" --format csv >/dev/null 2>&1
  if cmp -s "$T/$name/linkgen.ld" "$T/$name.again/linkgen.ld"; then ok "$name: deterministic"
  else not_ok "$name: deterministic" "two runs wrote different linkgen.ld"; fi
done

# the JSON plan: documented keys
check_run "h7: generate --format json" 0 "$LG" generate --spec $G/h7.spec -o "$T/json" --format json
keys=$(printf '%s\n' "$OUT" | grep -o '^  "[a-z_]*"' | tr -d ' "' | tr '\n' ' ')
check_eq "h7: JSON plan keys" "spec anchor insert load_region sections pulled files " "$keys"
check_eq "h7: JSON section keys" "section region tier phase init align rules " \
  "$(printf '%s\n' "$OUT" | sed -n '/"sections"/,/}/p' | grep -o '^      "[a-z_]*"' | tr -d ' "' | tr '\n' ' ')"

# bad specs: exit 3, one line naming the spec and the line
for spec in tests/linkgen/bad/*.spec; do
  name=$(basename "$spec" .spec)
  want=$(sed -n '1s/^# error: //p' "$spec")
  check_run "bad/$name: exit 3" 3 "$LG" check --spec "$spec"
  check_eq "bad/$name: message" "linkgen: $want" "$ERR"
done

# the h7 golden, linked and verified
CC=arm-none-eabi-gcc
if ! command -v $CC >/dev/null 2>&1; then
  ok "# SKIP h7 link: $CC not installed"
  done_testing; exit
fi
S=$G/h7src
O=$T/h7obj
mkdir -p "$O/src/dsp" "$O/drivers"
CF="-mcpu=cortex-m7 -mthumb -O2 -ffunction-sections -fdata-sections"
log=$( { $CC $CF -c $S/app.c -o "$O/app.o" &&
         $CC $CF -c $S/fir.c -o "$O/src/dsp/fir.c.obj" &&
         $CC $CF -c $S/uart.c -o "$O/drivers/uart.o" &&
         $CC $CF -c $S/arm_fir_f32.c -o "$O/arm_fir_f32.o" &&
         $CC $CF -c $S/arm_scale.c -o "$O/arm_scale.o" &&
         $CC $CF -c $S/cam.c -o "$O/cam.o" &&
         arm-none-eabi-ar rcs "$O/libarm_cortexM7lfdp_math.a" "$O/arm_fir_f32.o" "$O/arm_scale.o" &&
         arm-none-eabi-ar rcs "$O/libcamera_core.a" "$O/cam.o" &&
         $CC $CF -nostdlib -nostartfiles $(cat "$T/h7/ldflags") -Wl,-Map,"$O/fw.map" -o "$O/fw.elf" \
           "$O/app.o" "$O/src/dsp/fir.c.obj" "$O/drivers/uart.o" -L"$O" -larm_cortexM7lfdp_math -lcamera_core
       } 2>&1 )
if [ $? -eq 0 ] && [ -z "$log" ]; then ok "h7: links with the generated scripts, no ld warnings"
else not_ok "h7: links with the generated scripts, no ld warnings" "$log"; fi
check_run "h7: verify passes" 0 "$LG" verify --spec $G/h7.spec --elf "$O/fw.elf" --map "$O/fw.map"
check_eq "h7: verify summary" "10 rules, 0 violations, 0 warnings" "$(printf '%s\n' "$OUT" | tail -1)"
for s in "SysTick_Handler ITCMRAM" "fir_run ITCMRAM" "arm_fir_f32 ITCMRAM" "arm_scale RAM_D1" \
         "big_table FLASH" "boot_cfg RAM_D2" "uart_count RAM_D2" "frame SDRAM" "dma_isr ITCMRAM"; do
  set -- $s
  "$LG" explain --spec $G/h7.spec --elf "$O/fw.elf" --map "$O/fw.map" --format json "$1" >"$T/x.json" 2>&1
  got=$(sed -n 's/^      "region": "\([A-Z_0-9]*\)",$/\1/p' "$T/x.json" | head -1)
  check_eq "h7: $1 is in $2" "$2" "$got"
done
"$LG" explain --spec $G/h7.spec --elf "$O/fw.elf" --map "$O/fw.map" arm_fir_f32 >"$T/x.txt"
check_eq "h7: explain says the member rule outranks the archive rule" \
  "  outranks $G/h7.spec:18: place archive libarm_cortexM7lfdp_math.a code,rodata in RAM_D1  [archive tier]" \
  "$(grep outranks "$T/x.txt")"
# the copy table: one entry per copied section, read back from the ELF
sym() { arm-none-eabi-nm "$O/fw.elf" | awk -v s="$1" '$3 == s {print $1}'; }
n=$(( (0x$(sym __fwm_copy_table_early_end__) - 0x$(sym __fwm_copy_table_early_start__)) / 12 ))
check_eq "h7: early copy table has 5 entries" "5" "$n"
done_testing
