#!/bin/sh
# elfmap's speed benchmark (issue 3, "Speed").
#
#   sh bench/elfmap_bench.sh [-e ELFMAP] [-o RESULTS.md] [-w WORKDIR] [-c HOW] LARGE_ELF SMALL_ELF
#
# Times, in ONE hyperfine run, `cat`, `readelf -sW` and `nm -S --size-sort
# --plugin /dev/null` on LARGE_ELF side by side with `elfmap symbols|sections|
# regions|tree` on LARGE_ELF and SMALL_ELF (output to /dev/null), measures
# each elfmap subcommand's peak RSS with bench/peakrss.c, and writes the
# `## elfmap` section of RESULTS.md (default bench/RESULTS.md), leaving every
# other section as it is.  The ELFs come from bench/genfw.sh.
#   -e ELFMAP   elfmap to measure (default build/bin/elfmap); when it is
#               missing only the binutils rows are measured
#   -w WORKDIR  scratch files (default: the directory above LARGE_ELF's)
#   -c HOW      the command to record as having produced the figures
#               (default: this script's own command line)
# Exit status: 0 when everything ran (targets missed are reported, not
# failed: wall time is never asserted), 1 when a command failed, 2 on usage.
set -eu

usage() {
  echo "usage: sh bench/elfmap_bench.sh [-e ELFMAP] [-o RESULTS.md] [-w WORKDIR] [-c HOW] LARGE_ELF SMALL_ELF" >&2
  exit 2
}
here=$(dirname "$0")
elfmap=build/bin/elfmap
results=$here/RESULTS.md
work=
how=
while getopts e:o:w:c: opt; do
  case $opt in
    e) elfmap=$OPTARG ;;
    o) results=$OPTARG ;;
    w) work=$OPTARG ;;
    c) how=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
big=$1
small=$2
[ -n "$how" ] || how="sh $0 $*"
[ -n "$work" ] || work=$(dirname "$(dirname "$big")")

die() { echo "elfmap_bench.sh: $*" >&2; exit 1; }
for f in "$big" "$small"; do
  [ -r "$f" ] || die "$f: no such file (make it with: sh bench/genfw.sh DIR large|small)"
  case $f in *[[:space:]]*) die "$f: paths with blanks are not supported" ;; esac
done
for t in hyperfine readelf nm cat awk; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found (sh scripts/deps.sh bench)"
done
if command -v arm-none-eabi-size >/dev/null 2>&1; then sizetool=arm-none-eabi-size; else sizetool=size; fi
mkdir -p "$work"
tmp=$work/elfmap-bench
mkdir -p "$tmp"

peakrss=$work/peakrss
if [ ! -x "$peakrss" ] || [ "$here/peakrss.c" -nt "$peakrss" ]; then
  ${HOSTCC:-cc} -std=c11 -O2 -o "$peakrss" "$here/peakrss.c" || die "cannot build $peakrss"
fi

subs="symbols sections regions tree"
status=0
notes=""
note() { notes="$notes- $*
"; }

# ---- which elfmap subcommands can be measured ---------------------------
ok_subs=""
if [ -x "$elfmap" ]; then
  for s in $subs; do
    good=1
    for f in "$big" "$small"; do
      rc=0
      "$elfmap" "$s" "$f" >/dev/null 2>"$tmp/err" || rc=$?
      if [ $rc -ne 0 ]; then
        note "\`$elfmap $s $f\` failed (exit $rc: $(head -n 1 "$tmp/err")); left out"
        echo "elfmap_bench.sh: $elfmap $s $f failed with exit $rc" >&2
        good=0
        status=1
      fi
    done
    if [ $good -eq 1 ]; then ok_subs="$ok_subs $s"; fi
  done
  elfmap_version=$("$elfmap" --version 2>/dev/null | head -n 1 || true)
else
  note "elfmap was not found at \`$elfmap\`: only the reference tools were measured"
  echo "elfmap_bench.sh: $elfmap not found; measuring the reference tools only" >&2
  elfmap_version="elfmap (not built)"
fi
if command -v bloaty >/dev/null 2>&1; then
  have_bloaty=1
else
  have_bloaty=0
  note "bloaty is not packaged in Debian 12 and is not installed, so its rows (issue 3 quotes 455 ms for \`bloaty -d symbols\` and 499 ms for \`bloaty -d compileunits\` on its machine) are left out"
fi

# ---- the commands, one per line -----------------------------------------
c_cat="cat $big"
c_readelf="readelf -sW $big"
c_nm="nm -S --size-sort --plugin /dev/null $big"
cmds="$c_cat
$c_readelf
$c_nm"
if [ $have_bloaty -eq 1 ]; then
  cmds="$cmds
bloaty -d symbols $big
bloaty -d compileunits $big"
fi
for f in "$big" "$small"; do
  for s in $ok_subs; do
    cmds="$cmds
$elfmap $s $f"
  done
done
# elfmap, part 2 (issue 9): stack analysis and a self-diff, timed beside nm -S
part2=""
if [ -x "$elfmap" ]; then
  for f in "$big" "$small"; do
    for c in "stack $f" "diff $f $f"; do
      if "$elfmap" $c >/dev/null 2>&1; then part2="$part2
$elfmap $c"; else note "\`elfmap $c\` failed; left out"; fi
    done
  done
  cmds="$cmds$part2"
fi

set --
while IFS= read -r c; do set -- "$@" "$c"; done <<EOF
$cmds
EOF
hf_opts="-N --warmup 3 --min-runs 10 --output=null --time-unit millisecond --style basic"
hf_cmd="hyperfine $hf_opts --export-markdown $tmp/hyperfine.md --export-csv $tmp/hyperfine.csv"
for c in "$@"; do hf_cmd="$hf_cmd '$c'"; done

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "elfmap_bench.sh: $hf_cmd" >&2
# shellcheck disable=SC2086
hyperfine $hf_opts --export-markdown "$tmp/hyperfine.md" --export-csv "$tmp/hyperfine.csv" "$@" ||
  die "hyperfine failed"
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# mean wall time and CPU time (ms) of one command, from hyperfine's CSV (seconds)
mean_ms() { awk -F, -v c="$1" '$1 == c { printf "%.1f", $2 * 1000; exit }' "$tmp/hyperfine.csv"; }
cpu_ms() { awk -F, -v c="$1" '$1 == c { printf "%.1f", ($5 + $6) * 1000; exit }' "$tmp/hyperfine.csv"; }
ratio() {
  awk -F, -v a="$1" -v b="$2" '$1 == a { x = $2 } $1 == b { y = $2 }
    END { if (x != "" && y > 0) printf "%.2f", x / y; else printf "n/a" }' "$tmp/hyperfine.csv"
}
# the same with CPU time (user + system): steadier than wall time on a busy machine
cpu_ratio() {
  awk -F, -v a="$1" -v b="$2" '$1 == a { x = $5 + $6; hx = 1 } $1 == b { y = $5 + $6 }
    END { if (hx && y > 0) printf "%.2f", x / y; else printf "n/a" }' "$tmp/hyperfine.csv"
}
# "1.23×", or "n/a"
fmt_x() { case $1 in n/a) printf 'n/a' ;; *) printf '%s×' "$1" ;; esac; }

# ---- peak memory -------------------------------------------------------------
# Largest of three runs, in KiB; for the reference tools too.
peak() {
  best=0
  for i in 1 2 3; do
    k=$("$peakrss" "$@" 2>/dev/null) || { echo "failed"; return 0; }
    if [ "$k" -gt "$best" ]; then best=$k; fi
  done
  echo "$best"
}
mem_rows=""
mem_row() { # ELF label command...
  f=$1; label=$2; shift 2
  k=$(peak "$@")
  bytes=$(wc -c <"$f" | tr -d ' ')
  if [ "$k" = failed ]; then
    mem_rows="$mem_rows| \`$*\` | $label | failed | |
"
  else
    mem_rows="$mem_rows$(awk -v k="$k" -v b="$bytes" -v c="$*" -v l="$label" 'BEGIN {
      printf "| `%s` | %s | %.1f MiB | %.2f× |\n", c, l, k / 1024, k * 1024 / b }')
"
  fi
}
lbig="$(awk -v b="$(wc -c <"$big")" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
lsmall="$(awk -v b="$(wc -c <"$small")" 'BEGIN { printf "%.2f MB", b / 1e6 }')"
mem_row "$big" "$lbig" readelf -sW "$big"
mem_row "$big" "$lbig" nm -S --size-sort --plugin /dev/null "$big"
for f in "$big" "$small"; do
  [ "$f" = "$big" ] && l=$lbig || l=$lsmall
  for s in $ok_subs; do mem_row "$f" "$l" "$elfmap" "$s" "$f"; done
done
if [ -x "$elfmap" ]; then
  base_kib=$(peak "$elfmap" --version)
else
  base_kib=n/a
fi
# worst elfmap peak on the large ELF, as a multiple of its size
worst_mem=$(printf '%s' "$mem_rows" | awk -F'|' -v l="$lbig" -v e="$elfmap" '
  index($2, e) && $3 ~ l { x = $5; gsub(/[ ×]/, "", x); if (x + 0 > m) m = x + 0; n++ }
  END { if (n) printf "%.2f", m; else printf "n/a" }')

# ---- fixture properties --------------------------------------------------------
props() { # ELF -> one markdown row fragment per property, in a fixed order
  f=$1
  d=$(dirname "$f")
  bytes=$(wc -c <"$f" | tr -d ' ')
  "$sizetool" -A "$f" | awk -v b="$bytes" '
    $1 ~ /^\.debug_/ { dw += $2 }
    $1 == ".text" { t = $2 } $1 == ".rodata" { r = $2 } $1 == ".data" { da = $2 } $1 == ".bss" { bs = $2 }
    END { printf "%d|%d|%d|%d|%d|%d", b, dw, t, r, da, bs }'
  printf '|'
  readelf -sW "$f" | awk '
    /^Symbol table .\.symtab. contains/ { n = $5 }
    $4 == "FUNC" { fn++ } $4 == "OBJECT" { ob++ }
    $8 ~ /^\$[atd](\.|$)/ { m++ }
    END { printf "%d|%d|%d|%d", fn, ob, n, m }'
  printf '|'
  readelf --debug-dump=info --dwarf-depth=1 "$f" 2>/dev/null | awk '
    /Compilation Unit @/ { cu++ } /^ *Version: *[0-9]+/ { v[$2]++ }
    END { s = ""; for (k in v) s = s (s == "" ? "" : ", ") "v" k ": " v[k]; printf "%d|%s", cu, s }'
  printf '|'
  if [ -d "$d/src" ]; then printf '%s' "$(find "$d/src" -name '*.c' | wc -l | tr -d ' ')"; else printf 'n/a'; fi
  printf '|'
  if [ -r "$d/genfw.time" ]; then printf '%s' "$(cat "$d/genfw.time")"; else printf 'n/a'; fi
}
pbig=$(props "$big")
psmall=$(props "$small")
fixture_table=$(awk -v a="$pbig" -v b="$psmall" 'BEGIN {
  n = split(a, x, "|"); split(b, y, "|")
  split("file size|DWARF (all .debug_* sections)|.text|.rodata|.data|.bss|FUNC symbols|OBJECT symbols|.symtab entries (readelf -sW)|of which ARM mapping symbols ($t/$d)|compile units|DWARF versions (CUs)|C files compiled|generation + build time (make -j2)", lab, "|")
  print "| | large | small |"
  print "|---|---:|---:|"
  for (i = 1; i <= n; i++) {
    u = x[i]; v = y[i]
    if (i <= 6) { u = sprintf("%.2f MB (%d)", u / 1e6, u); v = sprintf("%.2f MB (%d)", v / 1e6, v) }
    printf "| %s | %s | %s |\n", lab[i], u, v
  }
}')

# ---- ratios and targets ----------------------------------------------------------
verdict() { # value op limit -> met / missed / n/a
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a" || v == "") { print "n/a"; exit }
    ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0)
    print ok ? "met" : "missed" }'
}
r_sym=$(ratio "$elfmap symbols $big" "$c_readelf")
r_tree=$(ratio "$elfmap tree $big" "$c_nm")
c_sym=$(cpu_ratio "$elfmap symbols $big" "$c_readelf")
c_tree=$(cpu_ratio "$elfmap tree $big" "$c_nm")
r_bloaty=$(ratio "$elfmap tree $big" "bloaty -d compileunits $big")
slow_small=n/a
slow_small_cmd=
slow_small_cpu=
for s in $ok_subs; do
  m=$(mean_ms "$elfmap $s $small")
  if [ "$slow_small" = n/a ] || awk -v a="$m" -v b="$slow_small" 'BEGIN { exit !(a > b) }'; then
    slow_small=$m
    slow_small_cmd="elfmap $s"
    slow_small_cpu=$(cpu_ms "$elfmap $s $small")
  fi
done

section=$tmp/section.md
{
  echo "## elfmap"
  echo
  echo "Produced by \`$how\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "The fixtures are firmware-like Cortex-M4F ELFs that \`bench/genfw.sh\` generates (bench/genfw.c, fixed seed) and"
  echo "compiles with arm-none-eabi-gcc \`-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -g -O1"
  echo "-ffunction-sections -fdata-sections -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Wl,-Map\`."
  echo
  echo "Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo),"
  echo "$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr);"
  echo "load average $load_before before the run and $load_after after it (the machine is shared, so"
  echo "absolute figures are noisy; the ratios come from one run, side by side)."
  echo "Tools: $(hyperfine --version), $(readelf --version | head -n 1), $(nm --version | head -n 1),"
  echo "$(arm-none-eabi-gcc --version 2>/dev/null | head -n 1), $elfmap_version."
  echo
  echo "### Fixtures"
  echo
  echo "$fixture_table"
  echo
  echo "FUNC and OBJECT counts include newlib-nano's; the generator makes exactly 30,000 functions and 10,000"
  echo "objects (large) and 1,800 and 660 (small), all kept by \`--gc-sections\`. The symbol table has more"
  echo "entries than that because ARM ELF marks code and data inside sections with \`\$t\`/\`\$d\` mapping symbols."
  echo
  echo "### Time"
  echo
  echo "One hyperfine run, every command's output to /dev/null, no shell (\`-N\`):"
  echo
  echo '```'
  echo "$hf_cmd"
  echo '```'
  echo
  cat "$tmp/hyperfine.md"
  echo
  echo "### Ratios and targets"
  echo
  echo "| measure | wall time (mean) | CPU time (user + sys) | target | |"
  echo "|---|---:|---:|---|---|"
  echo "| \`elfmap symbols\` / \`readelf -sW\` ($lbig) | $(fmt_x "$r_sym") | $(fmt_x "$c_sym") | ≤ 1 (no slower) | $(verdict "$r_sym" "<=" 1) |"
  echo "| \`elfmap tree\` / \`nm -S --size-sort\` ($lbig) | $(fmt_x "$r_tree") | $(fmt_x "$c_tree") | ≤ 2 | $(verdict "$r_tree" "<=" 2) |"
  echo "| slowest subcommand on the $lsmall ELF (${slow_small_cmd:-none}) | $slow_small ms | ${slow_small_cpu:-n/a} ms | < 20 ms | $(verdict "$slow_small" "<" 20) |"
  if [ $have_bloaty -eq 1 ]; then
    echo "| \`elfmap tree\` / \`bloaty -d compileunits\` ($lbig) | $(fmt_x "$r_bloaty") | | ≤ 0.25 (four times faster) | $(verdict "$r_bloaty" "<=" 0.25) |"
  fi
  echo "| worst peak RSS / file size ($lbig) | $(fmt_x "$worst_mem") | | a small multiple (read here as ≤ 4×) | $(verdict "$worst_mem" "<=" 4) |"
  echo
  echo "The verdicts use wall time, as the issue states its targets; the CPU-time column shows how much"
  echo "of a ratio survives the machine's load."
  if [ -n "$part2" ]; then
    echo
    echo "### elfmap stack and diff (part 2), against nm -S of the $lbig ELF in the same run"
    echo
    echo "| command | wall time (mean) | / \`nm -S\` |"
    echo "|---|---:|---:|"
    printf '%s\n' "$part2" | while IFS= read -r c; do
      [ -n "$c" ] || continue
      echo "| \`${c#"$elfmap "}\` | $(mean_ms "$c") ms | $(fmt_x "$(ratio "$c" "$c_nm")") |"
    done
  fi
  echo
  echo "Means: cat $(mean_ms "$c_cat") ms, readelf -sW $(mean_ms "$c_readelf") ms, nm -S $(mean_ms "$c_nm") ms."
  echo "Issue 3's reference machine: cat 6 ms, readelf -sW 64 ms, nm -S --size-sort 99 ms (with \`--plugin /dev/null\`)."
  echo
  echo "### Peak memory"
  echo
  echo "Largest ru_maxrss of three runs (\`bench/peakrss.c\`, output to /dev/null); file-backed pages of the"
  echo "mapped ELF count as resident. \`elfmap --version\` alone peaks at $(awk -v k="$base_kib" 'BEGIN { if (k ~ /^[0-9]+$/) printf "%.1f MiB", k / 1024; else print k }'), the cost of starting the process."
  echo
  echo "| command | ELF | peak RSS | × file size |"
  echo "|---|---|---:|---:|"
  printf '%s' "$mem_rows"
  if [ -n "$notes" ]; then
    echo
    echo "### Notes"
    echo
    printf '%s' "$notes"
  fi
} >"$section"

# ---- replace only our section of RESULTS.md ----------------------------------
new=$results.tmp.$$
if [ -f "$results" ]; then
  # Our section replaces the old one where it stood (or goes last); a blank
  # line keeps it apart from the heading that follows.
  awk -v secfile="$section" '
    function emit(  l) { while ((getline l < secfile) > 0) print l; close(secfile); done = 1 }
    /^## / {
      if (skip) { print ""; skip = 0 }
      if ($0 == "## elfmap") { emit(); skip = 1; next }
    }
    !skip { print }
    END { if (!done) { if (NR) print ""; emit() } }' "$results" >"$new"
else
  { echo "# Benchmark results"; echo; cat "$section"; } >"$new"
fi
mv "$new" "$results"
echo "elfmap_bench.sh: wrote the '## elfmap' section of $results" >&2
echo "symbols/readelf: $r_sym×  tree/nm: $r_tree×  slowest on 1 MB: $slow_small ms  worst RSS/size: $worst_mem×" >&2
exit $status
