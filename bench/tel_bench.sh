#!/bin/sh
# The telemetry encoder's cost (issue 5): replays every trace through
# sys_heap with the telemetry hooks (bench/tel_bench.c), counts the
# instructions of the hooks and of the drain with callgrind, and writes the
# "## telemetry encoder" section of bench/RESULTS.md (other sections kept).
# Usage: bench/tel_bench.sh TEL_BENCH_BINARY [TRACES_DIR]
# The code size table compiles the telemetry sources itself, freestanding,
# with the flags of mk/agent.mk's cross builds (left out without the cross
# compilers).
set -e
bin=$1
traces=${2:-../shared/traces}
out=bench/RESULTS.md
[ -x "$bin" ] || { echo "tel_bench.sh: $bin: not built" >&2; exit 2; }
ls "$traces"/*.trace >/dev/null 2>&1 || { echo "tel_bench.sh: no traces in $traces" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "tel_bench.sh: valgrind missing" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Figures: trace ops alloc_calls free_calls realloc_calls fail_calls frames
# wire_bytes alloc_mean alloc_min alloc_max alloc_under16_pct free_mean
# realloc_mean drops
"$bin" "$traces"/*.trace >"$tmp/figures"

# Instructions of a function, callees included, over a whole run.
ir() { # ir FUNCTION TRACE
  valgrind --tool=callgrind --toggle-collect="$1" --callgrind-out-file="$tmp/cg" \
    "$bin" "$2" >/dev/null 2>&1
  awk '/^(summary|totals):/ {print $2; exit}' "$tmp/cg"
}
for t in "$traces"/*.trace; do
  name=$(basename "$t")
  [ -t 2 ] && printf 'callgrind %s\r' "$name" >&2
  echo "$name $(ir fwm_hook_alloc "$t") $(ir fwm_hook_free "$t") $(ir fwm_tel_drain "$t") $(ir to_memory "$t")" >>"$tmp/ir"
done
[ -t 2 ] && printf '%60s\r' '' >&2

verdict() { awk -v v="$1" -v lim="$2" 'BEGIN {print (v < lim) ? "met" : "missed"}'; }

{
  echo "## telemetry encoder"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo),"
  echo "$(${CC:-cc} --version | head -1), agent built with the project's -O2 flags (x86-64)."
  echo "Command: \`make bench-telemetry\` (\`sh bench/tel_bench.sh $bin $traces\`)."
  echo "Each trace is replayed through sys_heap (\`fwm_heap_*\`, no hooks inside) and every"
  echo "alloc, free, realloc and failure is reported through the real \`fwm_hook_*\`, as an"
  echo "instrumented firmware does: the heap registered with its base, callers at 64 call sites"
  echo "in 192 KiB of flash after \`code_base\`, thread ids 1..6, a tick every 8 operations,"
  echo "\`fwm_tel_drain\` every 64 operations into memory; the stream is then decoded by lib's"
  echo "decoder for the byte counts."
  echo
  echo "- instr/alloc: \`valgrind --tool=callgrind --toggle-collect=fwm_hook_alloc $bin TRACE\`,"
  echo "  the collected Ir divided by the \`fwm_hook_alloc\` calls: the whole producer side of an"
  echo "  alloc event (cache look-up of the heap, the time and thread-id callbacks, the critical"
  echo "  section, the raw record's stores); likewise instr/free."
  echo "- drain instr/frame: the same for \`fwm_tel_drain\`, less the bench's transport"
  echo "  (\`to_memory\`, a memcpy), divided by the frames: varints, CRC-16 and COBS, done in the"
  echo "  low-priority thread that drains, not in the allocating one."
  echo "- bytes: on the wire per frame, COBS byte and 0x00 delimiter included."
  echo
  echo "| trace | alloc events | instr/alloc | instr/free | drain instr/frame | alloc frame bytes: mean | min | max | < 16 | free frame bytes (mean) | drops |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  while read -r trace ops na nf nr nfail frames wire amean amin amax au16 fmean rmean drops; do
    set -- $(awk -v t="$trace" '$1==t {print $2, $3, $4, $5}' "$tmp/ir")
    [ $# -eq 4 ] || continue
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s %% | %s | %s |\n' "${trace%.trace}" "$na" \
      "$(awk -v i="$1" -v n="$na" 'BEGIN {printf "%.1f", i / n}')" \
      "$(awk -v i="$2" -v n="$nf" 'BEGIN {printf "%.1f", i / n}')" \
      "$(awk -v i="$3" -v x="$4" -v n="$frames" 'BEGIN {printf "%.0f", (i - x) / n}')" \
      "$amean" "$amin" "$amax" "$au16" "$fmean" "$drops"
  done <"$tmp/figures"
  echo
  worst_i=$(awk 'NR==FNR {n[$1]=$3; next} {v=$2/n[$1]; if (v>m) m=v} END {printf "%.1f", m}' "$tmp/figures" "$tmp/ir")
  worst_b=$(awk '{if ($9>m) m=$9} END {printf "%.2f", m}' "$tmp/figures")
  echo "| target (issue 5) | measured | |"
  echo "|---|---:|---|"
  echo "| < 100 instructions per alloc event | worst trace $worst_i | $(verdict "$worst_i" 100) |"
  echo "| < 16 bytes for a typical alloc event | worst trace mean $worst_b; the typical event of proto.h (64 B from a heap of up to 64 KiB, caller within 2 MiB, dt < 128) 15 | $(verdict "$worst_b" 16) |"
  echo
  echo "An alloc frame is 9 bytes of framing and header (COBS byte, type, sequence number, dt,"
  echo "heap id, thread, CRC-16, delimiter) plus the pointer (2 bytes in heaps up to 64 KiB: it is"
  echo "sent in 8-byte grains from the heap's base), the size (1 byte below 128) and the caller"
  echo "(3 bytes within 2 MiB of \`code_base\`). The producer stores alloc and free events raw"
  echo "(32 and 24 bytes of ring on a 32-bit target, 48 and 32 on this 64-bit host) and the drain"
  echo "encodes them: a ring holds fewer events than it would holding encoded ones, for a hook"
  echo "that does not run the varint encoder (encoding in the hook measured about 150"
  echo "instructions per alloc event on this machine while the encoder was being written)."
  if command -v arm-none-eabi-gcc >/dev/null && command -v riscv64-unknown-elf-gcc >/dev/null; then
    echo
    echo "Code and data of the telemetry sources, freestanding \`-ffreestanding -nostdlib -Os\` as"
    echo "\`make agent-cross\` builds them (text bytes by CPU; bss: the frame, record and wire"
    echo "buffers, 16 registration slots, the state; \`_fwm_ring\` for the RAM ring):"
    echo
    cpus="cortex-m0plus cortex-m3 cortex-m4f cortex-m7 rv32imac"
    for c in $cpus; do
      case $c in
        cortex-m0plus) cc=arm-none-eabi-gcc; arch="-mthumb -mcpu=cortex-m0plus" ;;
        cortex-m3)     cc=arm-none-eabi-gcc; arch="-mthumb -mcpu=cortex-m3" ;;
        cortex-m4f)    cc=arm-none-eabi-gcc; arch="-mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard" ;;
        cortex-m7)     cc=arm-none-eabi-gcc; arch="-mthumb -mcpu=cortex-m7" ;;
        rv32imac)      cc=riscv64-unknown-elf-gcc; arch="-march=rv32imac -mabi=ilp32" ;;
      esac
      mkdir -p "$tmp/$c"
      for f in target-agent/src/tel_*.c target-agent/src/transport_*.c; do
        o=$(basename "$f" .c)
        $cc $arch -ffreestanding -nostdlib -Os -Wall -Wextra -Werror -std=c11 \
          -Itarget-agent/include -c "$f" -o "$tmp/$c/$o.o"
      done
    done
    printf '| source |'; for c in $cpus; do printf ' %s |' "$c"; done; printf ' bss |\n'
    printf '|---|'; for c in $cpus; do printf -- '---:|'; done; printf -- '---:|\n'
    for o in $(cd "$tmp/cortex-m3" && ls *.o); do
      printf '| %s |' "${o%.o}"
      for c in $cpus; do
        case $c in rv32*) sz=riscv64-unknown-elf-size ;; *) sz=arm-none-eabi-size ;; esac
        printf ' %s |' "$($sz "$tmp/$c/$o" | awk 'NR==2 {print $1}')"
      done
      arm-none-eabi-size "$tmp/cortex-m3/$o" | awk 'NR==2 {printf " %s |\n", $3}'
    done
  fi
} >"$tmp/section"

if [ -f "$out" ]; then
  awk 'BEGIN {skip = 0} /^## / {skip = ($0 == "## telemetry encoder")} !skip' "$out" >"$tmp/rest"
else
  printf '# Benchmark results\n\n' >"$tmp/rest"
fi
{ cat "$tmp/rest"; [ -s "$tmp/rest" ] && tail -c1 "$tmp/rest" | grep -q . && echo; cat "$tmp/section"; } >"$out"
echo "tel_bench.sh: wrote the telemetry encoder section of $out" >&2
