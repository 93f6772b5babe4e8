#!/bin/sh
# The newlib recipe of fwmem-agent(3): a firmware that uses plain malloc,
# calloc, realloc and free (tests/wrap/wrapfw.c), linked with
# -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc into
# target-agent/src/wrap_newlib.c, runs in QEMU (mps2-an385) and streams its
# allocations over UART0. Decoded with libfwmem's decoder, the stream has
# exactly the calls the firmware counted (allocs, frees, reallocs, fails),
# the same blocks live at the end, and every alloc event names a call site
# in the application's main (not in the wrapper, not in newlib).
. tests/lib.sh
ELF=$FWMEM_BUILD/wrap/wrapfw.elf
DECODE=$FWMEM_BUILD/tests/demo_decode
command -v qemu-system-arm >/dev/null 2>&1 || skip_all "qemu-system-arm not installed"
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip_all "arm-none-eabi-gcc not installed"
[ -f target-agent/include/fwmem/telemetry.h ] || skip_all "no telemetry in this tree"
for f in "$ELF" "$DECODE"; do
  if [ ! -f "$f" ]; then not_ok "built: $f" "missing (make wrap-firmware)"; done_testing; exit 1; fi
done
W=$(mktemp -d "${TMPDIR:-/tmp}/wrap_qemu.XXXXXX")
trap 'rm -rf "$W"' EXIT
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

nm=$(arm-none-eabi-nm "$ELF")
check_eq "the wrappers are linked in" "__wrap_calloc __wrap_free __wrap_malloc __wrap_realloc" \
  "$(printf '%s\n' "$nm" | awk '$3 ~ /^__wrap_/ { print $3 }' | sort | tr '\n' ' ' | sed 's/ $//')"

timeout 60 qemu-system-arm -M mps2-an385 -nographic -monitor none \
  -semihosting-config enable=on,target=native -kernel "$ELF" \
  -serial file:"$W/uart" >"$W/stdout" 2>"$W/sh"
check_eq "the firmware exits with status 0" 0 "$?"
fw=$(grep -m1 '^wrap ' "$W/sh")
if [ -z "$fw" ]; then not_ok "the firmware reports its counts" "$(cat "$W/sh")"; done_testing; exit 1; fi
ok "the firmware reports its counts: ${fw#wrap }"

check_run "the stream decodes" 0 "$DECODE" "$W/uart"
st=$(printf '%s\n' "$OUT" | grep -m1 '^stream ')
check_eq "stream: no noise, no lost frames, no drops" "0/0/0" \
  "$(field noise "$st")/$(field lost "$st")/$(field dropped_events "$st")"
d=$(printf '%s\n' "$OUT" | grep -m1 '^alloc libc ')
check_eq "stream: newlib's calls, counted as the firmware counted them" \
  "allocs=$(field allocs "$fw") frees=$(field frees "$fw") reallocs=$(field reallocs "$fw") fails=$(field fails "$fw") live=$(field live "$fw")" \
  "allocs=$(field allocs "$d") frees=$(field frees "$d") reallocs=$(field reallocs "$d") fails=$(field fails "$d") live=$(field live "$d")"

# Call sites: main's address range from the symbol table.
set -- $(arm-none-eabi-nm -S "$ELF" | awk '$4 == "main" { print $1, $2 }')
lo=$((0x$1)); hi=$((0x$1 + 0x$2))
callers=$(printf '%s\n' "$OUT" | sed -n 's/^callers libc //p')
bad=""
for c in $callers; do
  [ $((c)) -ge "$lo" ] && [ $((c)) -lt "$hi" ] || bad="$bad $c"
done
if [ -n "$callers" ] && [ -z "$bad" ]; then ok "every alloc names a call site in main ($(echo $callers))"
else not_ok "every alloc names a call site in main" "callers: $callers; outside main: $bad"; fi
done_testing
