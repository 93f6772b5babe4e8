#!/bin/sh
# elfmap on bad input: a file that is not an ELF, empty, missing or a
# directory; ELFs truncated anywhere; ELF headers, section headers, string
# and symbol tables made inconsistent or hostile (tests/cli/elfcorrupt.c
# makes them from the fixture firmware and from a host ELF64); a malformed
# map or linker script.  Each must exit 3 with exactly one line on stderr,
# "elfmap: FILE: message", within a time limit: never a crash, a hang or a
# silent answer.  Usage errors exit 2.
# Usage: FWMEM_BIN=build/bin FWMEM_BUILD=build sh tests/cli/elfmap_badinput.sh
. "$(dirname "$0")/../lib.sh"
LC_ALL=C; export LC_ALL

ELFMAP=$FWMEM_BIN/elfmap
CORRUPT=$FWMEM_BUILD/tests/elfcorrupt
FIX=$FWMEM_BUILD/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/elfmap_bad.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
ALL="regions sections symbols tree"
LIMIT=20      # seconds; elfmap takes milliseconds on these files

# run_one FILE_IN_MESSAGE ARGS... : run elfmap (time-limited); sets _why to
# "" when it exited 3 with exactly one stderr line "elfmap: FILE...: msg",
# else to what went wrong.  Shell builtins only after the run: process
# start-up dominates the time of this script.
run_one() {
  _want=$1; shift
  timeout "$LIMIT" "$ELFMAP" --format csv "$@" >/dev/null 2>"$T/err"; _rc=$?
  _n=0 _first=""
  while IFS= read -r _line || [ -n "$_line" ]; do
    [ "$_n" -eq 0 ] && _first=$_line
    _n=$((_n + 1))
  done <"$T/err"
  case "$_first" in
    "elfmap: $_want: "?* | "elfmap: $_want:"[0-9]*) _pfx=1 ;;
    *) _pfx=0 ;;
  esac
  _why=""
  if [ "$_rc" -ne 3 ] || [ "$_n" -ne 1 ] || [ "$_pfx" -ne 1 ]; then
    [ "$_rc" -eq 124 ] && _first="(killed after ${LIMIT}s) $_first"
    _why="exit $_rc, $_n stderr lines: $_first"
  fi
}

# bad NAME FILE COMMAND... : elfmap COMMAND FILE, for each COMMAND, exits 3
# with one stderr line starting "elfmap: FILE: ".
bad() {
  _name=$1 _file=$2; shift 2
  _all=""
  for _cmd in "$@"; do
    run_one "$_file" "$_cmd" "$_file"
    [ -n "$_why" ] && _all="$_all$_cmd: $_why
"
  done
  if [ -z "$_all" ]; then ok "$_name"; else not_ok "$_name" "$_all"; fi
}

# bad_opt NAME BADFILE ELF "OPTIONS COMMAND"... : the same for a broken
# --map/--ld file: exit 3, one line naming BADFILE (and maybe its line).
bad_opt() {
  _name=$1 _file=$2 _elf=$3; shift 3
  _all=""
  for _cmd in "$@"; do
    # shellcheck disable=SC2086  # options and command, split on purpose
    run_one "$_file" $_cmd "$_elf"
    [ -n "$_why" ] && _all="$_all$_cmd: $_why
"
  done
  if [ -z "$_all" ]; then ok "$_name"; else not_ok "$_name" "$_all"; fi
}

# usage NAME ARGS... : exit 2 and something on stderr.
usage() {
  _name=$1; shift
  timeout "$LIMIT" "$ELFMAP" "$@" >/dev/null 2>"$T/err"; _rc=$?
  if [ "$_rc" -eq 2 ] && [ -s "$T/err" ]; then ok "$_name"
  else not_ok "$_name" "exit $_rc (want 2); stderr: $(head -n 2 "$T/err")"; fi
}

# corrupt NAME SRC EDIT... : $T/NAME from SRC with the edits; sets C.
corrupt() {
  _out=$T/$1; _src=$2; shift 2
  if ! "$CORRUPT" "$_src" "$_out" "$@" 2>"$T/cerr"; then
    not_ok "elfcorrupt makes $(basename "$_out")" "$(cat "$T/cerr")"
    C=""; return 1
  fi
  C=$_out
}

# ---------------------------------------------------------------- setup
for _p in "$ELFMAP" "$CORRUPT"; do
  if [ ! -x "$_p" ]; then
    not_ok "$(basename "$_p") is built" "no executable $_p (run make check, or make $_p)"
    done_testing; exit 1
  fi
done
if [ ! -f "$FIX/.stamp" ]; then
  if ! sh "$(dirname "$0")/../fixtures/build.sh" "$FIX" >"$T/build.log" 2>&1; then
    not_ok "fixture firmware builds" "$(tail -20 "$T/build.log")"
    done_testing; exit 1
  fi
fi
# ELF32 little-endian ARM and RISC-V from the fixtures, and an x86-64 ELF64
# (the helper itself, built with -g).
SOURCES=""
for _s in "$FIX/m0plus.elf" "$FIX/rv32.elf" "$CORRUPT"; do
  if [ -f "$_s" ]; then SOURCES="$SOURCES $_s"
  else not_ok "input $_s exists" "missing: build the fixtures"; fi
done

# ---------------------------------------------------------------- usage
GOOD=$FIX/m0plus.elf
usage "usage: no arguments exits 2"
usage "usage: unknown command exits 2" frobnicate "$GOOD"
usage "usage: unknown option exits 2" --frobnicate sections "$GOOD"
usage "usage: unknown --format exits 2" --format xml sections "$GOOD"
usage "usage: missing ELF argument exits 2" sections
usage "usage: --ld without its FILE exits 2" sections --ld
usage "usage: two ELF arguments exit 2" sections "$GOOD" "$GOOD"
usage "usage: --type with a bad value exits 2" --type banana symbols "$GOOD"

# ---------------------------------------------------------------- not ELF
printf 'this is not an ELF file\n' >"$T/text.elf"
bad "a text file" "$T/text.elf" $ALL
: >"$T/empty.elf"
bad "an empty file" "$T/empty.elf" $ALL
bad "a missing file" "$T/no-such-file.elf" $ALL
mkdir "$T/dir.elf"
bad "a directory" "$T/dir.elf" $ALL
printf '\177ELF' >"$T/magic-only.elf"
bad "the ELF magic alone" "$T/magic-only.elf" $ALL

for SRC in $SOURCES; do
  S=$(basename "$SRC" .elf)
  SIZE=$(wc -c <"$SRC" | tr -d ' ')

  # ------------------------------------------------------------ truncation
  for CUT in 1 16 52; do
    corrupt "$S-cut$CUT.elf" "$SRC" truncate $CUT && bad "$S truncated to $CUT bytes" "$C" $ALL
  done
  # At the start and the end of every section's contents.
  "$CORRUPT" list "$SRC" | awk -v size="$SIZE" '
    $1 > 0 && $2 > 0 { if ($2 < size) print $2; if ($4 != 8 && $2 + $3 < size) print $2 + $3 }' |
    sort -n -u >"$T/cuts"
  # (sections reads the headers, tree the symbols and the DWARF: the two
  # cover what a cut can break, at half the cost of all four commands.)
  while read -r CUT; do
    corrupt "$S-cut$CUT.elf" "$SRC" truncate "$CUT" && bad "$S truncated at section boundary $CUT" "$C" sections tree
    rm -f "$T/$S-cut$CUT.elf"
  done <"$T/cuts"

  # ------------------------------------------------------------ ELF header
  corrupt "$S-shoff.elf" "$SRC" ehdr e_shoff filesize+64 &&
    bad "$S: e_shoff past the end of the file" "$C" $ALL
  corrupt "$S-shoff2.elf" "$SRC" ehdr e_shoff filesize-8 &&
    bad "$S: section header table running past the end of the file" "$C" $ALL
  corrupt "$S-phoff.elf" "$SRC" ehdr e_phoff filesize+1 &&
    bad "$S: e_phoff past the end of the file" "$C" $ALL
  corrupt "$S-shnum.elf" "$SRC" ehdr e_shnum 0xffff &&
    bad "$S: e_shnum absurd (65535)" "$C" $ALL
  corrupt "$S-shnum0.elf" "$SRC" ehdr e_shnum 0 shdr '#0' sh_size 0x7fffffff &&
    bad "$S: extended section count absurd (e_shnum 0, sh_size of section 0 huge)" "$C" $ALL
  corrupt "$S-phnum.elf" "$SRC" ehdr e_phnum 0xffff &&
    bad "$S: e_phnum absurd (65535)" "$C" $ALL
  corrupt "$S-shentsize.elf" "$SRC" ehdr e_shentsize 7 &&
    bad "$S: e_shentsize wrong" "$C" $ALL
  corrupt "$S-shstrndx.elf" "$SRC" ehdr e_shstrndx 0x7fff &&
    bad "$S: e_shstrndx out of range" "$C" $ALL
  corrupt "$S-class.elf" "$SRC" poke 4 9 &&
    bad "$S: EI_CLASS invalid" "$C" $ALL

  # ------------------------------------------------------------ section headers
  corrupt "$S-symsize.elf" "$SRC" shdr .symtab sh_size 0x7ffffff0 &&
    bad "$S: sh_size of .symtab huge" "$C" $ALL
  corrupt "$S-symoff.elf" "$SRC" shdr .symtab sh_offset filesize+4096 &&
    bad "$S: sh_offset of .symtab past the end of the file" "$C" $ALL
  corrupt "$S-textsize.elf" "$SRC" shdr .text sh_size filesize &&
    bad "$S: .text running past the end of the file" "$C" $ALL
  corrupt "$S-symlink.elf" "$SRC" shdr .symtab sh_link '#.symtab' &&
    bad "$S: sh_link loop (.symtab names itself as its string table)" "$C" $ALL
  corrupt "$S-linkloop.elf" "$SRC" shdr .symtab sh_link '#.shstrtab' shdr .shstrtab sh_link '#.symtab' \
      ehdr e_shstrndx '#.symtab' &&
    bad "$S: sh_link loop (.symtab -> .shstrtab -> .symtab, e_shstrndx -> .symtab)" "$C" $ALL
  corrupt "$S-xindex.elf" "$SRC" ehdr e_shstrndx 0xffff shdr '#0' sh_link 0x7ffffff &&
    bad "$S: SHN_XINDEX string table index (in section 0) out of range" "$C" $ALL
  corrupt "$S-symlinkrange.elf" "$SRC" shdr .symtab sh_link 0x7fff &&
    bad "$S: .symtab sh_link out of range" "$C" $ALL
  corrupt "$S-overlap.elf" "$SRC" shdr .rodata sh_offset @.text+4 &&
    bad "$S: overlapping sections (.rodata inside .text in the file)" "$C" $ALL
  corrupt "$S-overlap-hdr.elf" "$SRC" shdr .strtab sh_offset 0 &&
    bad "$S: a string table overlapping the ELF header" "$C" $ALL
  corrupt "$S-shname.elf" "$SRC" shdr .text sh_name 0x7ffffff &&
    bad "$S: a section name past the end of .shstrtab" "$C" $ALL

  # ------------------------------------------------------------ string tables
  corrupt "$S-strnul.elf" "$SRC" lastbyte .strtab 0x41 &&
    bad "$S: .strtab without its final NUL" "$C" symbols tree
  corrupt "$S-strfill.elf" "$SRC" fill .strtab 0x41 &&
    bad "$S: .strtab without any NUL" "$C" symbols tree
  corrupt "$S-shstrnul.elf" "$SRC" lastbyte .shstrtab 0x41 &&
    bad "$S: .shstrtab without its final NUL" "$C" $ALL

  # ------------------------------------------------------------ symbols
  # Symbol 1 (index 0 is the null symbol): name offset and section index
  # out of range.  st_name is at 0, st_shndx at 14 (ELF32) or 6 (ELF64).
  case "$(od -An -tx1 -j4 -N1 "$SRC" | tr -d ' ')" in
    02) SYMENT=24 SHNDX=6 ;;
    *)  SYMENT=16 SHNDX=14 ;;
  esac
  corrupt "$S-stname.elf" "$SRC" poke @.symtab+$((SYMENT + 3)) 0x7f &&
    bad "$S: a symbol name past the end of .strtab" "$C" symbols
  corrupt "$S-stshndx.elf" "$SRC" poke @.symtab+$((SYMENT + SHNDX)) 0xf0 poke @.symtab+$((SYMENT + SHNDX + 1)) 0x7e &&
    bad "$S: a symbol in a section that does not exist" "$C" symbols

  # ------------------------------------------------------------ DWARF
  if "$CORRUPT" list "$SRC" | awk '$5 == ".debug_info" { f = 1 } END { exit !f }'; then
    corrupt "$S-dwarf.elf" "$SRC" fill .debug_info 0xff &&
      bad "$S: .debug_info of garbage" "$C" tree
    corrupt "$S-dwarfsize.elf" "$SRC" shdr .debug_info sh_size filesize &&
      bad "$S: .debug_info running past the end of the file" "$C" $ALL
  fi
  rm -f "$T/$S"-*.elf
done

# ---------------------------------------------------------------- map, ld script
if [ -f "$FIX/m0plus.elf" ]; then
  E=$FIX/m0plus.elf
  bad_opt "--map: a missing file" "$T/no-such.map" "$E" "--map $T/no-such.map regions" "--map $T/no-such.map tree"
  : >"$T/empty.map"
  bad_opt "--map: an empty file" "$T/empty.map" "$E" "--map $T/empty.map regions" "--map $T/empty.map tree"
  cp "$E" "$T/binary.map"
  bad_opt "--map: an ELF given as the map" "$T/binary.map" "$E" "--map $T/binary.map regions" "--map $T/binary.map tree"
  # A map whose Memory Configuration stops in the middle of a line.
  sed -n '1,/^Memory Configuration/p' "$FIX/m0plus.map" >"$T/cut.map"
  printf 'Name             Origin             Length             Attributes\nRAM              0x2000' >>"$T/cut.map"
  bad_opt "--map: a map cut inside its Memory Configuration" "$T/cut.map" "$E" "--map $T/cut.map regions"
  bad_opt "--ld: a missing file" "$T/no-such.ld" "$E" "--ld $T/no-such.ld regions"
  : >"$T/empty.ld"
  bad_opt "--ld: a script without a MEMORY block" "$T/empty.ld" "$E" "--ld $T/empty.ld regions"
  printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 128K\n  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 16K\n' >"$T/open.ld"
  bad_opt "--ld: a MEMORY block that is never closed" "$T/open.ld" "$E" "--ld $T/open.ld regions"
  printf 'MEMORY\n{\n  /* a comment that never ends\n  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 128K\n}\n' >"$T/comment.ld"
  bad_opt "--ld: an unterminated comment" "$T/comment.ld" "$E" "--ld $T/comment.ld regions"
  printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 128K +\n}\n' >"$T/expr.ld"
  bad_opt "--ld: an expression cut short" "$T/expr.ld" "$E" "--ld $T/expr.ld regions"
  printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 128K / 0\n}\n' >"$T/div0.ld"
  bad_opt "--ld: a division by zero" "$T/div0.ld" "$E" "--ld $T/div0.ld regions"
  printf 'MEMORY\n{\n  FLASH (rx) : ORIGIN = ORIGIN(NOWHERE), LENGTH = 128K\n}\n' >"$T/undef.ld"
  bad_opt "--ld: ORIGIN() of an undefined region" "$T/undef.ld" "$E" "--ld $T/undef.ld regions"
  cp "$E" "$T/binary.ld"
  bad_opt "--ld: an ELF given as the linker script" "$T/binary.ld" "$E" "--ld $T/binary.ld regions"
fi

done_testing
