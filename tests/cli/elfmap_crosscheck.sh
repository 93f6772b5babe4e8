#!/bin/sh
# Cross-check every number elfmap prints against binutils and ld, on every
# fixture firmware (tests/fixtures/build.sh; built by `make check` into
# $FWMEM_BUILD/fixtures):
#   regions --ld / --map  used and length equal ld's --print-memory-usage
#                         table, percent equal to 2 decimals, origin and
#                         length equal the map's "Memory Configuration"
#   sections              name, size and address equal `size -A`; the
#                         text/data/bss totals, summed from elfmap's rows by
#                         size's own rule, equal `size -B`; VMA and LMA equal
#                         `objdump -h`; with --map, each section's region and
#                         load region follow from the map's MEMORY
#   symbols               name, address and size of every sized symbol equal
#                         `nm -S`; func/object as `readelf -s` types them; the
#                         --type/--name/--section filters; same-named statics
#                         kept apart by file
#   tree --map            per region: leaves add up to the used bytes, every
#                         parent to its children, nothing negative; [fill]
#                         appears, and newlib: as libc_nano.a where it has no
#                         DWARF (m3), by its source files where it has; each of the fixture's own source
#                         files holds, per region, at least the bytes the map
#                         gives its object outside merged-constant sections
#                         and at most all of them; DWARF 4 and DWARF 5 builds
#                         of the same firmware give the same files and sizes
# All output is read as --format csv and parsed with awk.
# Usage: FWMEM_BIN=build/bin FWMEM_BUILD=build sh tests/cli/elfmap_crosscheck.sh
. "$(dirname "$0")/../lib.sh"
LC_ALL=C; export LC_ALL

ELFMAP=$FWMEM_BIN/elfmap
FIX=$FWMEM_BUILD/fixtures
SRCDIR=$(cd "$(dirname "$0")/../fixtures" && pwd -P)
T=$(mktemp -d "${TMPDIR:-/tmp}/elfmap_xcheck.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# ---------------------------------------------------------------- helpers
# awk functions shared by the programs below.
AWK_LIB='
function csv(line, f,    n, i, c, q, fld, L) {   # split one CSV line into f[1..n]
  n = 0; fld = ""; q = 0; L = length(line)
  for (i = 1; i <= L; i++) {
    c = substr(line, i, 1)
    if (q) {
      if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { fld = fld "\""; i++ } else q = 0 }
      else fld = fld c
    } else if (c == "\"") q = 1
    else if (c == ",") { f[++n] = fld; fld = "" }
    else fld = fld c
  }
  f[++n] = fld
  return n
}
function hex(s,    i, v) {                           # "0x1f" or "1f" -> 31
  s = tolower(s); sub(/^0x/, "", s); v = 0
  for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
  return v
}
function unit(u) { return u == "GB" ? 1073741824 : u == "MB" ? 1048576 : u == "KB" ? 1024 : 1 }
'

# csv_select COL,COL,... <CSV : the named columns of every data row,
# tab-separated.  Exit 2 (and a message) when a column is missing.
csv_select() {
  awk -v want="$1" "$AWK_LIB"'
    { sub(/\r$/, "") }
    NR == 1 { n = csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i
              k = split(want, w, ",")
              for (j = 1; j <= k; j++) if (!(w[j] in col)) { print "no column " w[j] " in header: " $0 > "/dev/stderr"; bad = 1; exit 2 }
              next }
    $0 == "" { next }
    { csv($0, f); s = ""
      for (j = 1; j <= k; j++) s = s (j > 1 ? "\t" : "") f[col[w[j]]]
      print s }
    END { if (bad) exit 2 }'
}

# elfmap ARGS... : run elfmap; stdout to $T/out, stderr to $T/err, status in $RC.
run_elfmap() {
  "$ELFMAP" "$@" >"$T/out" 2>"$T/err"; RC=$?
}

# check_ok NAME : the last run_elfmap exited 0 and printed CSV.
check_ok() {
  if [ "$RC" -eq 0 ] && [ -s "$T/out" ]; then ok "$1"
  else not_ok "$1" "exit $RC, $(wc -l <"$T/out") lines; stderr: $(head -3 "$T/err")"; fi
}

# check_same NAME EXPECTED_FILE ACTUAL_FILE : equal files, else a diff.
check_same() {
  if diff "$2" "$3" >"$T/diff" 2>&1; then ok "$1"
  else not_ok "$1" "$(printf '%s\n' "< binutils/ld only, > elfmap only:"; head -30 "$T/diff")"; fi
}

# ---------------------------------------------------------------- setup
if [ ! -x "$ELFMAP" ]; then
  not_ok "elfmap is built" "no executable $ELFMAP (run make)"
  done_testing; exit 1
fi
if [ ! -f "$FIX/.stamp" ]; then
  # Outside `make check`: build the fixtures here (incremental).
  if ! sh "$(dirname "$0")/../fixtures/build.sh" "$FIX" >"$T/build.log" 2>&1; then
    not_ok "fixture firmware builds" "$(tail -20 "$T/build.log")"
    done_testing; exit 1
  fi
fi
ELFS=$(ls "$FIX"/*.elf 2>/dev/null)
# The fixture's own sources, "app/main" etc.
(cd "$SRCDIR" && find . -name '*.[cS]' | sed 's|^\./||; s|\.[cS]$||') >"$T/sources"
if [ -z "$ELFS" ]; then
  not_ok "fixture firmware exists" "no ELF in $FIX"
  done_testing; exit 1
fi

for ELF in $ELFS; do
  B=${ELF%.elf}
  N=$(basename "$B")
  case "$N" in
    rv32*) BU=riscv64-unknown-elf ;;
    *)     BU=arm-none-eabi ;;
  esac

  # ------------------------------------------------------------ regions
  # ld's table: "NAME used length percent", in bytes.
  awk "$AWK_LIB"'
    /^Memory region/ { on = 1; next }
    on && $1 ~ /:$/ && NF == 6 { n = $1; sub(/:$/, "", n); p = $6; sub(/%$/, "", p)
      printf "%s %.0f %.0f %s\n", n, $2 * unit($3), $4 * unit($5), p }' \
    "$B.memusage" >"$T/ld_usage"
  # The map's Memory Configuration: "NAME origin length".
  awk "$AWK_LIB"'
    /^Memory Configuration/ { on = 1; next }
    /^Linker script and memory map/ { on = 0 }
    on && NF >= 3 && $1 != "Name" && $1 != "*default*" { printf "%s %.0f %.0f\n", $1, hex($2), hex($3) }' \
    "$B.map" | sort >"$T/map_memory"
  cp "$T/map_memory" "$T/map_memory_raw"
  [ -s "$T/ld_usage" ] || not_ok "$N: ld printed a memory-usage table" "empty $B.memusage"

  for SRC in ld map; do
    run_elfmap --format csv --$SRC "$B.$SRC" regions "$ELF"
    check_ok "$N: elfmap regions --$SRC exits 0"
    csv_select name,origin,length,used,free,percent <"$T/out" >"$T/regions" 2>"$T/sel_err" ||
      { not_ok "$N: regions --$SRC CSV has name,origin,length,used,free,percent" "$(cat "$T/sel_err")"; continue; }

    awk '{ print $1 }' "$T/ld_usage" | sort >"$T/want"
    awk -F'\t' '{ print $1 }' "$T/regions" | sort >"$T/got"
    check_same "$N: regions --$SRC: the same regions as ld's table" "$T/want" "$T/got"

    # One check per region: used, length and percent as ld printed them.
    while read -r R USED LEN PCT; do
      GOT=$(awk -F'\t' -v r="$R" '$1 == r { print "used=" $4 " length=" $3 " percent=" $6 }' "$T/regions")
      check_eq "$N: regions --$SRC $R: used, length and percent equal ld's" \
        "used=$USED length=$LEN percent=$PCT" "$GOT"
    done <"$T/ld_usage"

    BAD=$(awk -F'\t' '$5 != $3 - $4 { print $1 ": free " $5 " != length " $3 " - used " $4 }' "$T/regions")
    check_eq "$N: regions --$SRC: free = length - used" "" "$BAD"

    awk -F'\t' '{ print $1, $2, $3 }' "$T/regions" | sort >"$T/got"
    check_same "$N: regions --$SRC: origin and length equal the map's Memory Configuration" \
      "$T/map_memory" "$T/got"
  done
  # ld's used bytes per region, for the tree checks: "NAME used".
  awk '{ print $1, $2 }' "$T/ld_usage" >"$T/region_used"

  # ------------------------------------------------------------ sections
  run_elfmap --format csv sections "$ELF"
  check_ok "$N: elfmap sections exits 0"
  if csv_select name,type,flags,vma,size <"$T/out" >"$T/sections" 2>"$T/sel_err"; then
    # size -A: "name size addr" for every section BFD shows (all but the
    # null entry, the symbol table and the string tables).
    $BU-size -A -d "$ELF" | awk 'NR > 2 && NF == 3 && $1 != "Total" { print $1, $2, $3 }' | sort >"$T/want"
    awk -F'\t' '$1 != "" && $2 !~ /^(NULL|SYMTAB|STRTAB)$/ { print $1, $5, $4 }' "$T/sections" | sort >"$T/got"
    check_same "$N: sections: name, size and address equal size -A" "$T/want" "$T/got"

    # size -B's rule (binutils size.c): of the SHF_ALLOC sections, code or
    # read-only counts as text, else with contents as data, else bss.
    WANT=$($BU-size -B -d "$ELF" | awk 'NR == 2 { print "text=" $1 " data=" $2 " bss=" $3 }')
    GOT=$(awk -F'\t' '$3 ~ /A/ { if ($3 ~ /X/ || $3 !~ /W/) t += $5; else if ($2 != "NOBITS") d += $5; else b += $5 }
                      END { printf "text=%.0f data=%.0f bss=%.0f\n", t, d, b }' "$T/sections")
    check_eq "$N: sections: text/data/bss totals equal size -B" "$WANT" "$GOT"
  else
    not_ok "$N: sections CSV has name,type,flags,vma,size" "$(cat "$T/sel_err")"
  fi

  # With the map: LMA as objdump -h gives it, and the region of each
  # allocated section's VMA and (when loaded from another region) LMA, by
  # the map's Memory Configuration.
  run_elfmap --format csv --map "$B.map" sections "$ELF"
  check_ok "$N: elfmap sections --map exits 0"
  if csv_select name,type,flags,vma,lma,size,region,load_region <"$T/out" >"$T/sections" 2>"$T/sel_err"; then
    $BU-objdump -h "$ELF" | awk "$AWK_LIB"'
      $1 ~ /^[0-9]+$/ && NF >= 7 { name = $2; size = hex($3); vma = hex($4); lma = hex($5); next }
      name != "" && /ALLOC/ { printf "%s %.0f %.0f %.0f\n", name, size, vma, lma }
      { name = "" }' | sort >"$T/want"
    awk -F'\t' '$3 ~ /A/ { print $1, $6, $4, $5 }' "$T/sections" | sort >"$T/got"
    check_same "$N: sections: name, size, VMA and LMA of allocated sections equal objdump -h" "$T/want" "$T/got"
    awk -F'\t' '
      FILENAME == ARGV[1] { split($0, m, " "); reg[++nr] = m[1]; org[nr] = m[2]; len[nr] = m[3]; next }
      function region(a,    i) { for (i = 1; i <= nr; i++) if (a >= org[i] && a < org[i] + len[i]) return reg[i]; return "" }
      $3 ~ /A/ && $6 > 0 { r = region($4); l = ($2 == "NOBITS") ? "" : region($5); if (l == r) l = ""
                           print $1, "region=" r, "load_region=" l }' "$T/map_memory" "$T/sections" | sort >"$T/want"
    awk -F'\t' '$3 ~ /A/ && $6 > 0 { print $1, "region=" $7, "load_region=" $8 }' "$T/sections" | sort >"$T/got"
    check_same "$N: sections --map: region and load region of each allocated section by the map's MEMORY" "$T/want" "$T/got"
  else
    not_ok "$N: sections --map CSV has name,type,flags,vma,lma,size,region,load_region" "$(cat "$T/sel_err")"
  fi

  # ------------------------------------------------------------ symbols
  # readelf -s: "address size type name" of sized FUNC/OBJECT symbols, with
  # the Thumb bit cleared as nm and elfmap print them (ARM only).
  $BU-readelf -sW "$ELF" | awk -v arm="$([ "$BU" = arm-none-eabi ] && echo 1)" "$AWK_LIB"'
    $1 ~ /^[0-9]+:$/ && NF >= 8 && $3 != 0 && ($4 == "FUNC" || $4 == "OBJECT") {
      a = hex($2); if (arm && $4 == "FUNC" && a % 2) a -= 1
      printf "%.0f %s %s %s\n", a, $3, ($4 == "FUNC" ? "func" : "object"), $8 }' >"$T/readelf_syms"
  # nm -S: "address size name" of every symbol it gives a size.
  $BU-nm -S --defined-only "$ELF" | awk "$AWK_LIB"'
    NF == 4 { printf "%.0f %.0f %s\n", hex($1), hex($2), $4 }' | sort >"$T/nm_all"
  # nm's sized symbols that readelf types FUNC/OBJECT.
  awk '{ print $1, $2, $4 }' "$T/readelf_syms" | sort >"$T/fo_keys"
  comm -12 "$T/nm_all" "$T/fo_keys" >"$T/nm_fo"

  run_elfmap --format csv symbols "$ELF"
  check_ok "$N: elfmap symbols exits 0"
  if csv_select name,address,size,type,bind,section,file <"$T/out" >"$T/symbols" 2>"$T/sel_err"; then
    awk -F'\t' '$3 > 0 && ($4 == "func" || $4 == "object") { print $2, $3, $1 }' "$T/symbols" | sort >"$T/got"
    check_same "$N: symbols: every func/object nm -S sizes has elfmap's name, address and size" "$T/nm_fo" "$T/got"
    awk -F'\t' '$3 > 0 { print $2, $3, $1 }' "$T/symbols" | sort >"$T/got"
    check_same "$N: symbols: all sized symbols (any type) equal nm -S" "$T/nm_all" "$T/got"
    awk '{ print $1, $2, $4, $3 }' "$T/readelf_syms" | sort >"$T/want"
    awk -F'\t' '$3 > 0 && ($4 == "func" || $4 == "object") { print $2, $3, $1, $4 }' "$T/symbols" | sort >"$T/got"
    check_same "$N: symbols: func/object types equal readelf's FUNC/OBJECT" "$T/want" "$T/got"

    # Same-named statics stay apart, each with its own file.
    for PAIR in counter:app/main.c,app/sensors.c helper:drivers/dma.c,drivers/uart.c calls:drivers/crc.c,lib/crc.c; do
      SYM=${PAIR%%:*}
      WANT=$(awk -v s="$SYM" '$3 == s' "$T/nm_all" | wc -l | tr -d ' ')" ${PAIR#*:}"
      GOT=$(awk -F'\t' -v s="$SYM" '$1 == s && $5 == "local" { f = $7; sub(/^.*\/tests\/fixtures\//, "", f); sub(/^\.\//, "", f); print f }' "$T/symbols" | sort)
      GOT="$(printf '%s\n' "$GOT" | grep -c .) $(printf '%s\n' "$GOT" | paste -sd, -)"
      check_eq "$N: symbols: the two static '$SYM's are listed apart, by file" "$WANT" "$GOT"
    done
  else
    not_ok "$N: symbols CSV has name,address,size,type,bind,section,file" "$(cat "$T/sel_err")"
  fi

  # Filters.
  for TY in func object; do
    run_elfmap --format csv --type $TY symbols "$ELF"
    awk -v t=$TY '$3 == t { print $1, $2, $4 }' "$T/readelf_syms" | sort >"$T/want"
    csv_select name,address,size,type <"$T/out" 2>/dev/null |
      awk -F'\t' '$3 > 0 { print $2, $3, $1 }' | sort >"$T/got"
    [ "$RC" -eq 0 ] || echo "exit status $RC: $(head -1 "$T/err")" >>"$T/got"
    check_same "$N: symbols --type $TY: exactly readelf's sized ${TY}s" "$T/want" "$T/got"
  done
  run_elfmap --format csv --name 'crc*' symbols "$ELF"
  awk '$3 ~ /^crc/ { print $1, $2, $3 }' "$T/nm_all" | sort >"$T/want"
  csv_select name,address,size <"$T/out" 2>/dev/null | awk -F'\t' '$3 > 0 { print $2, $3, $1 }' | sort >"$T/got"
  [ "$RC" -eq 0 ] || echo "exit status $RC: $(head -1 "$T/err")" >>"$T/got"
  check_same "$N: symbols --name 'crc*': the sized crc* symbols of nm -S" "$T/want" "$T/got"
  # --section .rodata (on rv32 the tables are in .rodata too); readelf's
  # section index column tells which symbols are in it.
  RO_NDX=$($BU-readelf -SW "$ELF" | sed 's/^ *\[ *//' | awk '$2 == ".rodata" { sub(/\].*/, "", $1); print $1 }')
  if [ -n "$RO_NDX" ]; then
    run_elfmap --format csv --section .rodata symbols "$ELF"
    $BU-readelf -sW "$ELF" | awk -v ndx="$RO_NDX" "$AWK_LIB"'
      $1 ~ /^[0-9]+:$/ && NF >= 8 && $3 != 0 && $7 == ndx { printf "%.0f %s %s\n", hex($2), $3, $8 }' | sort >"$T/want"
    csv_select name,address,size,section <"$T/out" 2>/dev/null |
      awk -F'\t' '$3 > 0 { print $2, $3, $1 (($4 == ".rodata") ? "" : " in section " $4) }' | sort >"$T/got"
    [ "$RC" -eq 0 ] || echo "exit status $RC: $(head -1 "$T/err")" >>"$T/got"
    check_same "$N: symbols --section .rodata: readelf's sized symbols of .rodata" "$T/want" "$T/got"
  fi

  # ------------------------------------------------------------ tree
  run_elfmap --format csv --map "$B.map" tree "$ELF"
  check_ok "$N: elfmap tree --map exits 0"
  if csv_select region,depth,kind,name,size <"$T/out" >"$T/tree" 2>"$T/sel_err"; then
    # Per region: the depth-0 row's size, and the sum of the leaves.
    awk -F'\t' '
      { reg[NR] = $1; dep[NR] = $2 + 0; kind[NR] = $3; sz[NR] = $5 }
      END {
        for (i = 1; i <= NR; i++) {
          if (dep[i] == 0) { root[reg[i]] = sz[i]; order[++nr] = reg[i] }
          if (i == NR || dep[i + 1] <= dep[i]) leaves[reg[i]] += sz[i]
        }
        for (j = 1; j <= nr; j++) printf "%s %.0f %.0f\n", order[j], root[order[j]], leaves[order[j]]
      }' "$T/tree" >"$T/tree_sums"
    while read -r R USED; do
      GOT=$(awk -v r="$R" '$1 == r { print "root=" $2 " leaves=" $3 }' "$T/tree_sums")
      [ "$USED" -eq 0 ] && [ -z "$GOT" ] && GOT="root=0 leaves=0"   # an empty region may be left out
      check_eq "$N: tree $R: the region row and the sum of its leaves equal the used bytes" \
        "root=$USED leaves=$USED" "$GOT"
    done <"$T/region_used"

    BAD=$(awk -F'\t' '$5 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ { print NR ": " $0 }' "$T/tree" | head -5)
    check_eq "$N: tree: every size and depth is a non-negative integer" "" "$BAD"

    # Every row with children: its size is the sum of its children's.
    BAD=$(awk -F'\t' '
      { dep[NR] = $2 + 0; sz[NR] = $5; row[NR] = $0 }
      END {
        for (i = 1; i <= NR; i++) {
          if (i == NR || dep[i + 1] <= dep[i]) continue
          s = 0
          for (j = i + 1; j <= NR && dep[j] > dep[i]; j++) if (dep[j] == dep[i] + 1) s += sz[j]
          if (s != sz[i]) printf "%s: children add up to %.0f\n", row[i], s
        }
      }' "$T/tree" | head -5)
    check_eq "$N: tree: every parent equals the sum of its children" "" "$BAD"

    BAD=$(awk -F'\t' 'NR > 1 && $2 > prev + 1 { print NR ": depth " $2 " after " prev } { prev = $2 }
                      $2 == 0 && $3 != "region" { print NR ": depth 0 of kind " $3 }
                      $2 > 0 && $3 !~ /^(dir|file|archive|object|bucket)$/ { print NR ": kind " $3 }' "$T/tree" | head -5)
    check_eq "$N: tree: pre-order rows, depth steps of one, known kinds" "" "$BAD"

    GOT=$(awk -F'\t' '$3 == "bucket" && $4 == "[fill]"' "$T/tree" | head -1 | cut -f4)
    check_eq "$N: tree: the [fill] bucket appears" "[fill]" "$GOT"
    if [ "$BU" = arm-none-eabi ]; then
      # newlib-nano is in every ARM image.  Its code has no CU when its
      # libc_nano.a carries no DWARF (the m3 fixture links a stripped copy):
      # then the map names the archive.  Debian's own libc_nano.a carries
      # DWARF: then newlib's source files must show instead.
      if $BU-readelf --debug-dump=info "$ELF" 2>/dev/null | grep -q 'DW_AT_name.*newlib/libc/'; then
        GOT=$(awk -F'\t' '$3 == "file" { f[$2 + 0] = 1 } $3 == "dir" && $4 ~ /newlib\/libc/ { print "newlib/libc files"; exit }' "$T/tree")
        check_eq "$N: tree: newlib-nano (with DWARF) appears by its source files" "newlib/libc files" "$GOT"
      else
        GOT=$(awk -F'\t' '$3 == "archive" && $4 ~ /(^|\/)libc_nano\.a$/ { print "libc_nano.a"; exit }' "$T/tree")
        check_eq "$N: tree: the newlib archive libc_nano.a (no DWARF) appears" "libc_nano.a" "$GOT"
      fi
    fi

    # Files by path (the dir rows above a file row name its directories).
    awk -F'\t' '
      { d = $2 + 0; p[d] = $4; k[d] = $3
        if ($3 == "file") { s = ""
          for (i = 1; i <= d; i++) if (k[i] == "dir" || i == d) s = s (s == "" ? "" : "/") p[i]
          gsub(/\/\/+/, "/", s); print $1 "\t" s "\t" $5 } }' "$T/tree" >"$T/tree_files"
    for F in app/main.c app/sensors.c drivers/uart.c drivers/dma.c drivers/crc.c lib/crc.c; do
      GOT=$(awk -F'\t' -v f="$F" '{ n = length($2) - length(f) }
                 n >= 0 && substr($2, n + 1) == f && (n == 0 || substr($2, n, 1) == "/") { print f; exit }' "$T/tree_files")
      check_eq "$N: tree: file $F has its own row" "$F" "$GOT"
    done
    cp "$T/tree_files" "$T/tree_files.$N"

    # The map says which object each input section came from; each fixture
    # source file must get, per region, its object's bytes: at least the
    # sections that are not merged constants (string literals are merged
    # across objects, so the map may count them twice), at most all of them.
    # Sections are counted at their VMA, and at their LMA too when they are
    # loaded from elsewhere (not NOBITS).
    $BU-readelf -SW "$ELF" | sed -n 's/^ *\[ *[0-9]*\] //p' |
      awk 'NF == 10 && $7 ~ /A/ { print $1, $2 }' >"$T/alloc_sections"
    awk -v fixdir="$(cd "$FIX" && pwd -P)/obj/$N/" "$AWK_LIB"'
      FILENAME == ARGV[1] { reg[++nr] = $1; org[nr] = $2; len[nr] = $3; next }
      FILENAME == ARGV[2] { alloc[$1] = 1; nobits[$1] = ($2 == "NOBITS"); next }
      FILENAME == ARGV[3] { source[$1] = 1; next }
      function region(a,    i) { for (i = 1; i <= nr; i++) if (a >= org[i] && a < org[i] + len[i]) return reg[i]; return "" }
      function add(r, f, sz, merged) { if (r == "") return; hi[r SUBSEP f] += sz; if (!merged) lo[r SUBSEP f] += sz; seen[r SUBSEP f] = 1 }
      /^Linker script and memory map/ { on = 1; next }
      !on { next }
      /^\/DISCARD\// { on = 0; next }
      /^[^ ]/ { outsec = $1; vma = -1; lma = -1; pend = (NF == 1)
                if (NF >= 2 && $2 ~ /^0x/) vma = hex($2)
                if ($0 ~ /load address/) lma = hex($NF)
                next }
      pend && /^ +0x/ { pend = 0; vma = hex($1); if ($0 ~ /load address/) lma = hex($NF); next }
      { pend = 0 }
      /^ [^ *]/ && NF == 1 { insec = $1; next }
      /^ [^ *]/ && NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/ { insec = $1; a = $2; z = $3; o = $4; take(); next }
      insec != "" && /^ +0x/ && NF >= 3 && $2 ~ /^0x/ { a = $1; z = $2; o = $3; take(); next }
      { insec = "" }
      function take(    f, sec, addr, size, merged) {
        sec = insec; insec = ""
        if (!(outsec in alloc) || index(o, fixdir) != 1) return
        size = hex(z); addr = hex(a); if (size == 0) return
        f = substr(o, length(fixdir) + 1)
        if (f ~ /^libdrivers\.a\(.*\)$/) { sub(/^libdrivers\.a\(/, "drivers/", f); sub(/\)$/, "", f) }
        sub(/\.o$/, "", f)
        if (!(f in source)) return
        # Merged constants, and the build-id note ld creates in the first
        # input file: the map may give them to this object, DWARF never does.
        merged = (sec ~ /\.str[0-9]|\.cst[0-9]/ || sec == ".note.gnu.build-id")
        add(region(addr), f, size, merged)
        if (lma >= 0 && lma != vma && !nobits[outsec]) add(region(lma - vma + addr), f, size, merged)
      }
      END { for (k in seen) { split(k, p, SUBSEP); printf "%s\t%s\t%.0f\t%.0f\n", p[1], p[2], lo[k], hi[k] } }' \
      "$T/map_memory_raw" "$T/alloc_sections" "$T/sources" "$B.map" | sort >"$T/map_objects"
    # tree_files paths are "DW_AT_comp_dir/app/main.c"; match "app/main" at
    # a "/" boundary, ignoring the extension.
    BAD=$(awk -F'\t' -v srcdir="$SRCDIR/" '
      function key(r, f) { return r SUBSEP f }
      FILENAME == ARGV[1] { lo[key($1, $2)] = $3; hi[key($1, $2)] = $4; next }
      { path = $2; sub(/\.[cS]$/, "", path)
        if (index(path, srcdir) != 1) next          # not a fixture source file
        f = substr(path, length(srcdir) + 1); got[key($1, f)] += $3 }
      END {
        for (k in got) if (!(k in lo)) { lo[k] = 0; hi[k] = 0 }
        for (k in lo) { split(k, p, SUBSEP); g = got[k] + 0
          if (g < lo[k] || g > hi[k]) printf "%s %s: tree %.0f, map %.0f..%.0f\n", p[1], p[2], g, lo[k], hi[k] } }' \
      "$T/map_objects" "$T/tree_files" | sort)
    check_eq "$N: tree: each fixture source file holds its object's bytes per region, as the map places them" "" "$BAD"
  else
    not_ok "$N: tree CSV has region,depth,kind,name,size" "$(cat "$T/sel_err")"
  fi
done

# DWARF 4 (.debug_ranges) and DWARF 5 (.debug_rnglists) builds of the same
# firmware: the same code, so the same files with the same sizes.
if [ -f "$T/tree_files.m4f-dwarf4" ] && [ -f "$T/tree_files.m4f-dwarf5" ]; then
  V4=$(arm-none-eabi-readelf --debug-dump=info "$FIX/m4f-dwarf4.elf" 2>/dev/null | awk '/Version:/ { print $2; exit }')
  V5=$(arm-none-eabi-readelf --debug-dump=info "$FIX/m4f-dwarf5.elf" 2>/dev/null | awk '/Version:/ { print $2; exit }')
  check_eq "fixtures: m4f-dwarf4 and m4f-dwarf5 carry DWARF 4 and 5" "4 5" "$V4 $V5"
  check_same "tree: m4f-dwarf4 and m4f-dwarf5 attribute the same bytes to the same files" \
    "$T/tree_files.m4f-dwarf4" "$T/tree_files.m4f-dwarf5"
fi

done_testing
