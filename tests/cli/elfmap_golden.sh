#!/bin/sh
# Golden outputs of elfmap on the fixture firmware, text, JSON, CSV and md.
# Outputs are normalised so that they do not depend on where the tree is
# checked out: the source root becomes <ROOT>, the build-id <BUILD-ID>, and
# only allocated sections are compared (DWARF sizes grow with path lengths).
# The fixtures are compiled by Debian 12's cross compilers; another compiler
# version changes code sizes, and then these files must be regenerated.
# FWMEM_UPDATE_GOLDEN=1 rewrites the golden files.
. "$(dirname "$0")/../lib.sh"
LC_ALL=C; export LC_ALL
E=$(cd "$FWMEM_BIN" && pwd -P)/elfmap
G=$(cd "$(dirname "$0")/../golden/elfmap" && pwd -P)
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
F=$FWMEM_BUILD/fixtures
[ -f "$F/m7.elf" ] || sh "$(dirname "$0")/../fixtures/build.sh" "$F" >/dev/null 2>&1
cd "$F" || exit 1

norm() {
  sed -e "s|$ROOT|<ROOT>|g" -e 's/"build_id": "[0-9a-f]*"/"build_id": "<BUILD-ID>"/'
}
golden() { # NAME FILE ARGS...
  _n=$1 _f=$2; shift 2
  _out=$("$E" "$@" 2>&1 | norm)
  check_golden "$_n" "$G/$_f" "$_out"
}
golden "m7 regions, text" m7-regions.txt regions --ld m7.ld m7.elf
golden "m7 regions, json" m7-regions.json regions --ld m7.ld --format json m7.elf
golden "m7 regions from the map, md" m7-regions-map.md regions --map m7.map --format md m7.elf
golden "m0plus regions from segments, csv" m0plus-regions.csv regions --format csv m0plus.elf
golden "m7 symbols in DTCM, text" m7-symbols-dtcm.txt symbols --ld m7.ld --region DTCM m7.elf
golden "m7 functions named crc*, json" m7-symbols-crc.json symbols --type func --name 'crc*' --format json m7.elf
golden "m0plus objects, md" m0plus-objects.md symbols --type object --format md m0plus.elf
# the text tree pads names to a column, and <ROOT> differs in length from
# the real root: compare it with runs of blanks squeezed
_out=$("$E" tree --ld m7.ld --map m7.map --depth 3 m7.elf | norm | tr -s ' ')
check_golden "m7 tree with the map, text" "$G/m7-tree.txt" "$_out"
golden "m7 tree with the map, json" m7-tree.json tree --ld m7.ld --map m7.map --format json m7.elf
golden "m3 tree (newlib without DWARF), csv" m3-tree.csv tree --map m3.map --format csv m3.elf
golden "rv32 tree, md" rv32-tree.md tree --ld rv32.ld --format md --depth 2 rv32.elf
_out=$("$E" sections --ld m7.ld --format csv m7.elf | awk -F, 'NR == 1 || $4 ~ /A/')
check_golden "m7 allocated sections, csv" "$G/m7-sections.csv" "$_out"
_out=$("$E" sections --ld rv32.ld --format csv rv32.elf | awk -F, 'NR == 1 || $4 ~ /A/'
  "$E" sections rv32.elf | sed -n 's/^\(text .*\)  (all sections [0-9]*)$/\1/p')
check_golden "rv32 allocated sections and Berkeley totals" "$G/rv32-sections.txt" "$_out"
done_testing
