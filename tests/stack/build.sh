#!/bin/sh
# Build the firmware of the `elfmap stack` tests.
#
#   sh tests/stack/build.sh OUTDIR
#
# For every variant NAME it writes OUTDIR/NAME.elf and, in OUTDIR/NAME/, the
# objects with GCC's -fstack-usage (.su) and -fcallgraph-info=su (.ci) files.
# Variants: m4 (Cortex-M4, soft float), m4f (Cortex-M4F, hard float: the
# exception frame holds the FP context), m0plus (Thumb-1: large frames through
# a literal) and rv32 (rv32imac, no C library).  -O1 as in the issue, plus
# -foptimize-sibling-calls so that the tail calls of app.c are real branches.
# Incremental: a variant newer than every source here is left alone.
set -eu

[ $# -eq 1 ] || { echo "usage: sh tests/stack/build.sh OUTDIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CFLAGS="-O1 -foptimize-sibling-calls -ffreestanding -fno-builtin -g -std=gnu11 -Wall -Wextra -Werror -fstack-usage -fcallgraph-info=su"

build() { # build NAME CC "CPU FLAGS" LDSCRIPT SOURCES...
  name=$1 cc=$2 cpu=$3 ld=$4; shift 4
  elf=$OUT/$name.elf
  ldextra=""
  case $cc in riscv*) ldextra="-Wl,--no-warn-rwx-segments" ;; esac
  if [ -f "$elf" ] && [ -z "$(find "$SRC" -type f -newer "$elf" | head -n 1)" ]; then
    return 0
  fi
  command -v "$cc" >/dev/null 2>&1 || { echo "build.sh: $cc not found (scripts/deps.sh cross)" >&2; return 1; }
  rm -rf "${OUT:?}/$name"
  mkdir -p "$OUT/$name"
  objs=""
  for s in "$@"; do
    o=$OUT/$name/${s%.*}.o
    (cd "$SRC" && $cc $cpu $CFLAGS -c "$s" -o "$o") || return 1
    objs="$objs $o"
  done
  $cc $cpu -nostdlib -nostartfiles -T "$SRC/$ld" -Wl,--build-id=sha1 $ldextra -o "$elf.tmp" $objs -lgcc || return 1
  mv "$elf.tmp" "$elf"
}

status=0
build m4 arm-none-eabi-gcc "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft" cm.ld \
  app.c isr.c startup_cm.c || status=1
build m4f arm-none-eabi-gcc "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard" cm.ld \
  app.c isr.c startup_cm.c || status=1
build m0plus arm-none-eabi-gcc "-mcpu=cortex-m0plus -mthumb" cm.ld \
  app.c isr.c startup_cm.c || status=1
build rv32 riscv64-unknown-elf-gcc "-march=rv32imac -mabi=ilp32 -mcmodel=medany" rv.ld \
  app.c isr.c start_rv.S || status=1
exit $status
