#!/bin/sh
# The target agent builds freestanding (-ffreestanding -nostdlib -Os -Werror)
# for every supported CPU, and calls nothing outside itself but memcpy,
# memset, memmove, the port, the instrumentation hooks, the FreeRTOS kernel
# (heap_N), the C library heap (heap_3 only, by definition; wrap_newlib.c:
# newlib's own, through ld --wrap, under its malloc lock) and the
# compiler's runtime helpers. One TAP line per CPU; the
# code and data each source adds are printed as diagnostics.
. tests/lib.sh
BUILD=${FWMEM_BUILD:-build}
allowed='^(memcpy|memset|memmove|fwm_port_.*|fwm_hook_.*|vTaskSuspendAll|xTaskResumeAll|vApplicationMallocFailedHook|malloc|free|realloc|__real_(malloc|free|realloc|calloc)|__malloc_lock|__malloc_unlock|_impure_ptr|__aeabi_.*|__gnu_.*|__[a-z]*div[a-z0-9]*|__[a-z]*mod[a-z0-9]*|__mul[a-z0-9]*|__ashl[a-z0-9]*|__lshr[a-z0-9]*|__clz[a-z0-9]*|__ctz[a-z0-9]*)$'
for cpu in cortex-m0plus cortex-m3 cortex-m4f cortex-m7 rv32imac; do
  case $cpu in rv32*) nm=riscv64-unknown-elf-nm size=riscv64-unknown-elf-size ;;
               *)     nm=arm-none-eabi-nm size=arm-none-eabi-size ;; esac
  log=$(make -s BUILD="$BUILD" "agent-cross-$cpu" 2>&1)
  if [ $? -ne 0 ]; then
    not_ok "$cpu: freestanding build" "$(printf '%s\n' "$log" | tail -15)"
    continue
  fi
  objs=$(find "$BUILD/agent-cross/$cpu" -name '*.o' | sort)
  n=$(printf '%s\n' "$objs" | grep -c .)
  defined=$($nm --defined-only $objs 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
  external=$($nm -u $objs 2>/dev/null | awk '$1=="U" {print $2}' | sort -u |
             while read -r s; do printf '%s\n' "$defined" | grep -qx "$s" || echo "$s"; done)
  bad=$(printf '%s\n' "$external" | grep -Ev "$allowed" | grep . )
  if [ -z "$bad" ]; then
    ok "$cpu: $n agent sources build freestanding; external calls: $(echo $external)"
  else
    not_ok "$cpu: freestanding build" "calls outside the agent: $(echo $bad)"
  fi
  $size $objs 2>/dev/null | awk -v cpu="$cpu" 'NR>1 {sub(".*/" cpu "/", "", $6); printf "# %-14s %-24s text %6d  data %4d  bss %6d\n", cpu, $6, $1, $2, $3}'
done
done_testing
