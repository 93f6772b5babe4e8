#!/bin/sh
# The Cortex-M port (target-agent/port/cortex-m/) on every CPU it supports:
#  - it builds freestanding with -Werror for cortex-m0plus, cortex-m3,
#    cortex-m4 (hard float, fpv4-sp-d16) and cortex-m7, and calls nothing
#    outside the port but the agent, the telemetry, main, the linker
#    script's symbols and the compiler's helpers;
#  - its test firmware ($FWMEM_BUILD/cortexm/ktest-<cpu>.elf, tests/cm/ktest.c)
#    passes in QEMU on a machine with that core: microbit (Cortex-M0,
#    ARMv6-M), mps2-an385 (M3), mps2-an386 (M4F), mps2-an500 (M7, with its
#    FPU). Its own TAP lines are relayed, prefixed with the CPU;
#  - a thread that executes an undefined instruction gets a fault report
#    naming it, and the firmware exits with status 3.
. tests/lib.sh
BUILD=${FWMEM_BUILD:-build}
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip_all "arm-none-eabi-gcc not installed"
HAVE_QEMU=$(command -v qemu-system-arm)
allowed='^(fwm_stack_.*|fwm_tel_.*|fwm_port_.*|fwm_heap_.*|main|memcpy|memset|memmove|__msp_limit|__msp_top|__data_load|__data_start|__data_end|__bss_start|__bss_end|__aeabi_.*|__gnu_.*|__[a-z]*div[a-z0-9]*|__[a-z]*mod[a-z0-9]*)$'

machine() {
  case $1 in
    cortex-m0plus) echo microbit ;; cortex-m3) echo mps2-an385 ;;
    cortex-m4f) echo mps2-an386 ;; cortex-m7) echo mps2-an500 ;;
  esac
}
# -icount ties the guest's clock to the instructions it runs (and skips idle
# time at once), so tick counts do not depend on how busy the host is.
qemu() { # qemu CPU [APPEND]: semihosting output in $QOUT, status in $QRC
  QOUT=$(timeout 60 qemu-system-arm -M "$(machine "$1")" -icount shift=3,sleep=off \
         -nographic -monitor none -serial none \
         -semihosting-config enable=on,target=native -kernel "$BUILD/cortexm/ktest-$1.elf" \
         ${2:+-append "$2"} 2>&1); QRC=$?
}

for cpu in cortex-m0plus cortex-m3 cortex-m4f cortex-m7; do
  log=$(make -s BUILD="$BUILD" "cortexm-cross-$cpu" 2>&1)
  if [ $? -ne 0 ]; then
    not_ok "$cpu: the port builds freestanding" "$(printf '%s\n' "$log" | tail -15)"
    continue
  fi
  objs=$(find "$BUILD/cortexm-cross/$cpu" -name '*.o' | sort)
  defined=$(arm-none-eabi-nm --defined-only $objs 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
  external=$(arm-none-eabi-nm -u $objs 2>/dev/null | awk '$1=="U" {print $2}' | sort -u |
             while read -r s; do printf '%s\n' "$defined" | grep -qx "$s" || echo "$s"; done)
  bad=$(printf '%s\n' "$external" | grep -Ev "$allowed" | grep .)
  if [ -z "$bad" ]; then
    ok "$cpu: the port builds freestanding ($(printf '%s\n' "$objs" | grep -c .) objects)"
  else
    not_ok "$cpu: the port calls only the agent" "outside: $(echo $bad)"
  fi
  arm-none-eabi-size $objs 2>/dev/null |
    awk -v cpu="$cpu" 'NR>1 {sub(".*/" cpu "/", "", $6); printf "# %-14s %-16s text %5d  data %3d  bss %5d\n", cpu, $6, $1, $2, $3}'

  elf=$BUILD/cortexm/ktest-$cpu.elf
  if [ ! -f "$elf" ]; then
    not_ok "$cpu: test firmware built" "missing $elf (make cortexm-ktest)"
    continue
  fi
  if [ -z "$HAVE_QEMU" ]; then
    ok "# SKIP $cpu: qemu-system-arm not installed"
    continue
  fi
  qemu "$cpu"
  printf '%s\n' "$QOUT" | sed -n 's/^ok [0-9]* - //p' | while read -r t; do echo "ok - $cpu: $t"; done
  printf '%s\n' "$QOUT" | grep '^not ok' | sed "s/^not ok [0-9]* - /not ok - $cpu: /"
  n=$(printf '%s\n' "$QOUT" | grep -c '^ok ')
  nf=$(printf '%s\n' "$QOUT" | grep -c '^not ok')
  plan=$(printf '%s\n' "$QOUT" | sed -n 's/^1\.\.//p')
  TAP_N=$((TAP_N + n + nf)); TAP_FAILED=$((TAP_FAILED + nf))
  check_eq "$cpu on $(machine "$cpu"): the test firmware ran all its checks and exited 0" \
    "$plan checks, exit 0" "$n checks, exit $QRC"
done

# Faults: the report names the thread, ARMv7-M adds the fault status
# registers (UNDEFINSTR), and the exit status is 3.
if [ -n "$HAVE_QEMU" ]; then
  for cpu in cortex-m0plus cortex-m3; do
    [ -f "$BUILD/cortexm/ktest-$cpu.elf" ] || continue
    qemu "$cpu" fault
    check_eq "$cpu: an undefined instruction ends the firmware with status 3" 3 "$QRC"
    case $QOUT in
      *"HardFault in thread crasher: pc="*) ok "$cpu: the fault report names the thread" ;;
      *) not_ok "$cpu: the fault report names the thread" "$QOUT" ;;
    esac
  done
  case $QOUT in
    *"cfsr=0x00010000"*) ok "cortex-m3: the report shows CFSR.UNDEFINSTR" ;;
    *) not_ok "cortex-m3: the report shows CFSR.UNDEFINSTR" "$QOUT" ;;
  esac
fi
done_testing
