#!/bin/sh
# The demo firmware end to end: $FWMEM_BUILD/demo/fwmem-demo-test.elf (the
# demo built by make with a short run time) runs in qemu-system-arm
# (mps2-an385) with its UART0 going to a file; it must end through
# semihosting SYS_EXIT with status 0. Its own semihosting summary is the
# ground truth: per allocator allocs - frees = live (live as the allocator
# itself counts it where it can), the heaps' statistics agree with the
# demo's counts, the blocking k_heap and slab allocations timed out, every
# stack's high-water mark is within its size with the recursion thread's
# the deepest, and no stack overflowed. Then the UART stream, decoded with
# libfwmem's decoder (tests/demo/demo_decode.c), must tell the same story:
# no noise, no lost frames, no drops, the ELF's build-id in HELLO, the same
# counts per allocator, the same live blocks, heap and pool figures, stack
# sizes, and a SUMMARY frame matching the encoder's counters.
. tests/lib.sh
ELF=$FWMEM_BUILD/demo/fwmem-demo-test.elf
DECODE=$FWMEM_BUILD/tests/demo_decode
command -v qemu-system-arm >/dev/null 2>&1 || skip_all "qemu-system-arm not installed"
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip_all "arm-none-eabi-gcc not installed"
if [ ! -f "$ELF" ]; then
  not_ok "demo firmware built" "missing $ELF (make demo-firmware)"
  done_testing; exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/demo_qemu.XXXXXX")
trap 'rm -rf "$W"' EXIT

# field KEY LINE: the value of KEY=... in LINE
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
# line PREFIX FILE: the first line starting with PREFIX
line() { grep -m1 "^$1" "$2"; }

timeout 60 qemu-system-arm -M mps2-an385 -nographic -monitor none \
  -semihosting-config enable=on,target=native -kernel "$ELF" \
  -serial file:"$W/uart" >"$W/stdout" 2>"$W/summary"
rc=$?
check_eq "demo exits through SYS_EXIT with status 0" 0 "$rc"
S=$W/summary
if ! grep -q '^fwmem-demo: end' "$S"; then
  not_ok "demo prints its summary" "$(tail -20 "$S")"
  done_testing; exit 1
fi
ok "demo prints its summary ($(line 'fwmem-demo: summary' "$S" | sed 's/^fwmem-demo: //'))"

# ---- the summary's invariants ----------------------------------------------------
ALLOCATORS="msg_slab net_heap system history rtos dma sg_pool"
for a in $ALLOCATORS; do
  l=$(line "alloc $a " "$S")
  al=$(field allocs "$l"); fr=$(field frees "$l"); lv=$(field live "$l")
  if [ -n "$al" ] && [ "$al" -gt 0 ] && [ $((al - fr)) -eq "$lv" ]; then
    ok "$a ($(field kind "$l")): allocs - frees = live ($al - $fr = $lv)"
  else
    not_ok "$a: allocs - frees = live" "$l"
  fi
done

# The heaps' own counters agree with the demo's.
for h in net_heap system history; do
  a=$(line "alloc $h " "$S"); s=$(line "heap $h " "$S")
  check_eq "$h: the heap counted the demo's allocs, frees and reallocs" \
    "$(field allocs "$a")/$(field frees "$a")/$(field reallocs "$a")" \
    "$(field allocs "$s")/$(field frees "$s")/$(field reallocs "$s")"
done
a=$(line "alloc rtos " "$S"); s=$(line "heap rtos " "$S")
check_eq "rtos (heap_4): vPortGetHeapStats counted the demo's allocs and frees" \
  "$(field allocs "$a")/$(field frees "$a")" "$(field allocs "$s")/$(field frees "$s")"
check_eq "msg_slab: blocks in use = live" "$(field live "$(line 'alloc msg_slab ' "$S")")" \
  "$(field used "$(line 'pool msg_slab ' "$S")")"
l=$(line "alloc net_heap " "$S")
t=$(field timeouts "$l")
if [ -n "$t" ] && [ "$t" -gt 0 ]; then ok "k_heap: blocking allocations timed out ($t)"
else not_ok "k_heap: blocking allocations timed out" "$l"; fi
l=$(line "alloc msg_slab " "$S")
t=$(field timeouts "$l")
if [ -n "$t" ] && [ "$t" -gt 0 ]; then ok "k_mem_slab: blocking allocations timed out ($t)"
else not_ok "k_mem_slab: blocking allocations timed out" "$l"; fi
l=$(line "alloc system " "$S")
check_eq "k_malloc: the leak site leaked one block every 25 lines" \
  "$(( $(field log_lines "$(line 'demo ' "$S")") / 25 ))" "$(field live "$l")"

# Stacks.
grep '^stack ' "$S" >"$W/stacks"
n=$(grep -c . "$W/stacks")
bad=$(awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
             if (v["hwm"] + 0 > v["size"] + 0 || v["hwm"] + 0 <= 0 || v["overflow"] != 0) print $2 }' "$W/stacks")
check_eq "every stack ($n) has 0 < high-water <= size and no overflow" "" "$bad"
rec=$(field hwm "$(line 'stack recurse ' "$W/stacks")")
deeper=$(awk -v r="$rec" '$2 != "recurse" { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                                            if (v["hwm"] + 0 >= r + 0) print $2 }' "$W/stacks")
check_eq "the recursion thread's high-water mark ($rec) is the deepest" "" "$deeper"

# The encoder saw every event the demo counted, and dropped none.
T=$(line "telemetry " "$S")
if [ -n "$T" ]; then
  sum() { for a in $ALLOCATORS; do field "$1" "$(line "alloc $a " "$S")"; done | awk '{ s += $1 } END { print s }'; }
  check_eq "telemetry: the hooks saw the demo's allocs/frees/reallocs/fails" \
    "$(sum allocs)/$(sum frees)/$(sum reallocs)/$(sum fails)" \
    "$(field allocs "$T")/$(field frees "$T")/$(field reallocs "$T")/$(field fails "$T")"
  check_eq "telemetry: no events dropped" 0 "$(field dropped_events "$T")"
fi

# ---- the stream, decoded -------------------------------------------------------------
if [ -z "$T" ]; then
  ok "# SKIP stream checks: the demo was built without the telemetry"
  done_testing; exit $?
fi
if [ ! -x "$DECODE" ]; then
  not_ok "decoder tool built" "missing $DECODE"
  done_testing; exit 1
fi
check_run "the stream decodes" 0 "$DECODE" "$W/uart"
D=$W/decoded
printf '%s\n' "$OUT" >"$D"
st=$(line "stream " "$D")
check_eq "stream: no noise, no lost frames, no drops, one boot" "0/0/0/1" \
  "$(field noise "$st")/$(field lost "$st")/$(field dropped_events "$st")/$(field boots "$st")"
id=$(arm-none-eabi-readelf -n "$ELF" 2>/dev/null | sed -n 's/.*Build ID: *//p')
check_eq "stream: HELLO carries the ELF's build-id" "$id" "$(field build_id "$st")"
check_eq "stream: HELLO's tick rate" 1000 "$(field tick_hz "$st")"

# The demo's names; the FreeRTOS heap and the shared multi-heap register
# themselves unnamed, so the stream names them by kind.
sname() { case $1 in rtos) echo freertos ;; dma) echo shared_multi_heap ;; *) echo "$1" ;; esac; }
for a in $ALLOCATORS; do
  l=$(line "alloc $a " "$S"); d=$(line "alloc $(sname $a) " "$D")
  check_eq "stream: $a events and live blocks match the summary" \
    "allocs=$(field allocs "$l") frees=$(field frees "$l") reallocs=$(field reallocs "$l") fails=$(field fails "$l") live=$(field live "$l")" \
    "allocs=$(field allocs "$d") frees=$(field frees "$d") reallocs=$(field reallocs "$d") fails=$(field fails "$d") live=$(field live "$d")"
done
for h in net_heap system history; do
  l=$(line "heap $h " "$S"); d=$(line "heap $h " "$D")
  check_eq "stream: $h's last statistics match the summary" \
    "$(field allocated "$l")/$(field max_allocated "$l")/$(field free "$l")/$(field largest_free "$l")" \
    "$(field allocated "$d")/$(field max_allocated "$d")/$(field free "$d")/$(field largest_free "$d")"
done
for p in msg_slab sg_pool; do
  l=$(line "pool $p " "$S"); d=$(line "pool $p " "$D")
  check_eq "stream: $p's last usage matches the summary" \
    "$(field used "$l")/$(field max_used "$l")" "$(field used "$d")/$(field max_used "$d")"
done
# Stacks: the same threads and sizes; the idle thread's scans report a
# high-water mark no deeper than the final full scan, and not 0.
check_eq "stream: the same stacks, ids and sizes" \
  "$(awk '{ print $2, $3, $4 }' "$W/stacks" | sort)" \
  "$(grep '^stack ' "$D" | awk '{ print $2, $3, $4 }' | sort)"
bad=$(grep '^stack ' "$D" | while read -r _ name _ _ h _; do
  sh_h=$(field hwm "$(line "stack $name " "$W/stacks")"); h=${h#hwm=}
  [ "$h" -gt 0 ] && [ "$h" -le "$sh_h" ] || echo "$name: stream $h, summary $sh_h"; done)
check_eq "stream: stack high-water marks reported, none beyond the summary's" "" "$bad"
# The leak: k_malloc's alloc events come from two call sites, the logger's
# loop and the one that leaks, which addr2line names.
sites=$(arm-none-eabi-addr2line -f -e "$ELF" $(sed -n 's/^callers system //p' "$D") 2>/dev/null |
        awk 'NR % 2 == 1' | sort | tr '\n' ' ' | sed 's/ $//')
check_eq "stream: k_malloc's call sites, the leaking one by name" "log_remember_context logger_main" "$sites"
sm=$(line "summary " "$D")
check_eq "stream: SUMMARY frame with status 0 and the encoder's counts" \
  "status=0 allocs=$(field allocs "$T") frees=$(field frees "$T") reallocs=$(field reallocs "$T") fails=$(field fails "$T") dropped_events=0" \
  "status=$(field status "$sm") allocs=$(field allocs "$sm") frees=$(field frees "$sm") reallocs=$(field reallocs "$sm") fails=$(field fails "$sm") dropped_events=$(field dropped_events "$sm")"
done_testing
