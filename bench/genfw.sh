#!/bin/sh
# Generate and build the firmware-like ELF that elfmap's benchmark reads.
#
#   sh bench/genfw.sh OUTDIR [large|small]
#
# large: 200 units in 15 directories, 30,000 functions, 10,000 data objects,
#        about 15 MB of ELF with about 9 MB of DWARF 5 (issue 3, "Speed").
# small: 14 units in 4 directories, about 1 MB of ELF.
# bench/genfw.c writes the C project (deterministic, fixed seed) and this
# script compiles it with arm-none-eabi-gcc (Cortex-M4F, -g -O1,
# -ffunction-sections -fdata-sections, --gc-sections, newlib-nano) using
# make -j$JOBS (default 2).  The result is OUTDIR/fw.elf and OUTDIR/fw.map;
# OUTDIR/genfw.time says how long generation and build took, and under what
# load (the machine may be shared).
# Nothing is done when OUTDIR/fw.elf exists and was built by the same
# generator, script, preset and compiler (OUTDIR/genfw.stamp).
set -eu

usage() { echo "usage: sh bench/genfw.sh OUTDIR [large|small]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
out=$1
preset=${2:-large}
#            NTU NDIR NFUNC NOBJ  SEED
case $preset in
  large) sizes="200 15 30000 10000 1" ;;
  small) sizes="14 4 1800 660 1" ;;
  *) usage ;;
esac
set -- $sizes
nfunc=$3 nobj=$4

here=$(cd "$(dirname "$0")" && pwd)
cross=${CROSS:-arm-none-eabi-}
command -v "${cross}gcc" >/dev/null 2>&1 ||
  { echo "genfw.sh: ${cross}gcc not found (sh scripts/deps.sh bench)" >&2; exit 1; }

key="$(cat "$here/genfw.c" "$here/genfw.sh" | cksum | awk '{print $1 "-" $2}')"
key="$key $preset $sizes $("${cross}gcc" -dumpfullversion 2>/dev/null || "${cross}gcc" -dumpversion)"
stamp=$out/genfw.stamp
if [ -f "$out/fw.elf" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
  touch "$out/fw.elf" # newer than its sources again, for make
  echo "genfw.sh: $out/fw.elf is up to date"
  exit 0
fi

mkdir -p "$out"
# Only what this script made before; OUTDIR may hold other files.
rm -rf "$out/src" "$out/include" "$out/obj"
rm -f "$out/fw.elf" "$out/fw.map" "$out/fw.ld" "$out/Makefile" "$out/genfw" \
  "$out/genfw.time" "$out/build.log" "$stamp"

echo "genfw.sh: generating and building $preset firmware in $out (make -j${JOBS:-2})" >&2
start=$(date +%s)
load=$(cut -d" " -f1 /proc/loadavg 2>/dev/null || echo "?")
${HOSTCC:-cc} -std=c11 -O2 -o "$out/genfw" "$here/genfw.c"
"$out/genfw" "$out" $sizes
if ! (unset MAKEFLAGS MFLAGS MAKELEVEL; cd "$out" &&
      make -s -j"${JOBS:-2}" CC="${cross}gcc") >"$out/build.log" 2>&1; then
  tail -n 30 "$out/build.log" >&2
  echo "genfw.sh: building $out/fw.elf failed (log: $out/build.log)" >&2
  exit 1
fi
end=$(date +%s)
load_end=$(cut -d" " -f1 /proc/loadavg 2>/dev/null || echo "?")

# --gc-sections must have kept every generated function and object.
"${cross}readelf" -sW "$out/fw.elf" | awk -v nf="$nfunc" -v no="$nobj" -v f="$out/fw.elf" '
  $4 == "FUNC" { fn++ } $4 == "OBJECT" { ob++ }
  END {
    if (fn < nf || ob < no) {
      printf "genfw.sh: %s has %d functions and %d objects, expected at least %d and %d\n", f, fn, ob, nf, no > "/dev/stderr"
      exit 1
    }
  }'

echo "$((end - start)) s (load average $load at the start, $load_end at the end)" >"$out/genfw.time"
echo "$key" >"$stamp"
echo "genfw.sh: built $out/fw.elf ($(wc -c <"$out/fw.elf" | tr -d ' ') bytes) in $((end - start)) s" >&2
