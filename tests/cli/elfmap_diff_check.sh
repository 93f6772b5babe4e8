#!/bin/sh
# elfmap snapshot, diff and check on the fixture firmware: self-diffs are all
# zeros, a saved snapshot diffs like its ELF, region deltas equal the change
# in used bytes, and budgets trip at exactly the byte over their limit.
. "$(dirname "$0")/../lib.sh"
LC_ALL=C; export LC_ALL
E=$FWMEM_BIN/elfmap
F=$FWMEM_BUILD/fixtures
[ -f "$F/m7.elf" ] || sh "$(dirname "$0")/../fixtures/build.sh" "$F" >/dev/null 2>&1
T=$(mktemp -d "${TMPDIR:-/tmp}/elfmap_diff.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

used() { # used ELF REGION [ld]  -> used bytes of a region
  "$E" regions ${3:+--ld "$3"} --format csv "$1" | awk -F, -v r="$2" '$1 == r { print $4 }'
}

for n in m0plus m3 m4f m7 rv32; do
  check_run "$n: self-diff runs" 0 "$E" diff --format csv "$F/$n.elf" "$F/$n.elf"
  check_eq "$n: self-diff is all zeros" "kind,name,old,new,delta" "$OUT"
  check_run "$n: snapshot" 0 "$E" snapshot "$F/$n.elf"
  printf '%s\n' "$OUT" >"$T/$n.json"
  check_run "$n: a saved snapshot diffs like its ELF" 0 "$E" diff --format csv "$T/$n.json" "$F/$n.elf"
  check_eq "$n: snapshot against ELF is all zeros" "kind,name,old,new,delta" "$OUT"
  check_run "$n: --all shows unchanged rows" 0 "$E" diff --all --format csv "$F/$n.elf" "$F/$n.elf"
  rows=$(printf '%s\n' "$OUT" | awk -F, 'NR > 1 && $5 != 0' | wc -l)
  check_eq "$n: --all rows have zero deltas" 0 "$rows"
done

check_run "DWARF 4 against DWARF 5 of one firmware" 0 "$E" diff --format csv "$F/m4f-dwarf4.elf" "$F/m4f-dwarf5.elf"
check_eq "DWARF 4 and 5 builds: no size changed" "kind,name,old,new,delta" "$OUT"

# m0plus -> m3: each region delta is the change in used bytes
check_run "diff m0plus m3" 0 "$E" diff --format csv "$F/m0plus.elf" "$F/m3.elf"
printf '%s\n' "$OUT" >"$T/d.csv"
for r in LOAD0 LOAD1 LOAD2; do
  a=$(used "$F/m0plus.elf" $r); b=$(used "$F/m3.elf" $r)
  got=$(awk -F, -v r=$r '$1 == "region" && $2 == r { print $5 }' "$T/d.csv")
  want=$((${b:-0} - ${a:-0})); [ "$want" = 0 ] && want=""
  check_eq "diff m0plus m3: $r delta" "$want" "$got"
done
check_run "diff --format md" 0 "$E" diff --format md "$F/m0plus.elf" "$F/m3.elf"
case $OUT in *"### elfmap diff"*"| Region | Old | New | Delta | % |"*"<details>"*) ok "md diff has the summary and the details" ;;
  *) not_ok "md diff has the summary and the details" "$OUT" ;; esac
check_run "diff --format json" 0 "$E" diff --format json "$F/m0plus.elf" "$F/m3.elf"
case $OUT in *'"changes": ['*'"delta": '*) ok "json diff has changes with deltas" ;; *) not_ok "json diff" "$OUT" ;; esac
check_run "diff of a non-snapshot JSON" 3 "$E" diff "$T/d.csv" "$F/m3.elf"
check_eq "diff of a bad baseline: one line naming it" 1 "$(printf '%s\n' "$ERR" | grep -c "^elfmap: $T/d.csv:")"
printf '{"a": 1}\n' >"$T/other.json"
check_run "diff of another JSON document" 3 "$E" diff "$T/other.json" "$F/m3.elf"
check_eq "another JSON: named as not a snapshot" "elfmap: $T/other.json: not an elfmap snapshot (write one with 'elfmap snapshot ELF')" "$ERR"
check_run "diff wants two files" 2 "$E" diff "$F/m3.elf"

# budgets trip at the right byte
U=$(used "$F/m7.elf" FLASH "$F/m7.ld")
printf 'region FLASH - %s\n' "$U" >"$T/b1"
check_run "budget at the used size holds" 0 "$E" check --ld "$F/m7.ld" --budget "$T/b1" "$F/m7.elf"
printf 'region FLASH - %s\n' $((U - 1)) >"$T/b2"
check_run "budget one byte under the used size fails" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b2" "$F/m7.elf"
check_eq "the failure names the region, size and limit" \
  "FAIL  region FLASH uses $U bytes, over the fail limit of $((U - 1)) ($((U - 1))) ($T/b2:1)" \
  "$(printf '%s\n' "$OUT" | head -1)"
printf '# warn only\nregion FLASH %s -\n' $((U - 1)) >"$T/b3"
check_run "a warning alone exits 0" 0 "$E" check --ld "$F/m7.ld" --budget "$T/b3" "$F/m7.elf"
check_eq "the warning is listed" "warn" "$(printf '%s\n' "$OUT" | head -1 | cut -c1-4)"
L=$("$E" regions --ld "$F/m7.ld" --format csv "$F/m7.elf" | awk -F, '$1 == "DTCM" { print $3 }')
D=$(used "$F/m7.elf" DTCM "$F/m7.ld")
printf 'region DTCM - %s%%\n' "$(awk -v u="$D" -v l="$L" 'BEGIN { printf "%.6f", (u - 1) * 100 / l }')" >"$T/b4"
check_run "a percentage just under the use fails" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b4" "$F/m7.elf"
printf 'symbol rx_storage - 512\nsymbol counter - 4\n' >"$T/b5"
check_run "symbol budgets at their sizes hold" 0 "$E" check --budget "$T/b5" "$F/m7.elf"
printf 'symbol rx_storage - 511\n' >"$T/b6"
check_run "a symbol one byte over fails" 1 "$E" check --budget "$T/b6" "$F/m7.elf"
printf 'file FLASH:lib/crc.c - 100\n' >"$T/b7"
check_run "a file budget by path suffix" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b7" "$F/m7.elf"
case $OUT in *"file FLASH:"*"/lib/crc.c uses"*) ok "the file is named by its full path" ;; *) not_ok "file named" "$OUT" ;; esac
printf 'symbol * - 4K\n' >"$T/b8"
check_run "a glob budget checks every symbol" 0 "$E" check --budget "$T/b8" --format json "$F/m7.elf"
n=$(printf '%s\n' "$OUT" | grep -c '"kind": "symbol"')
want=$("$E" symbols --format csv "$F/m7.elf" | tail -n +2 | wc -l)
check_eq "the glob matched every symbol" "$want" "$n"

# growth against a baseline
a=$(used "$F/m0plus.elf" LOAD2); b=$(used "$F/m3.elf" LOAD2); g=$((b - a))
printf 'growth region LOAD2 - %s\n' "$g" >"$T/g1"
check_run "growth equal to the limit holds" 0 "$E" check --budget "$T/g1" --baseline "$F/m0plus.elf" "$F/m3.elf"
printf 'growth region LOAD2 - %s\n' $((g - 1)) >"$T/g2"
check_run "growth one byte over the limit fails" 1 "$E" check --budget "$T/g2" --baseline "$T/m0plus.json" "$F/m3.elf"
check_run "growth without --baseline" 3 "$E" check --budget "$T/g2" "$F/m3.elf"
check_eq "growth without --baseline: the message" "elfmap: $T/g2:1: a growth rule needs --baseline" "$ERR"

# output formats
check_run "junit" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b2" --format junit "$F/m7.elf"
check_eq "junit: one failure" 1 "$(printf '%s\n' "$OUT" | grep -c '<failure message="region FLASH uses')"
check_run "github annotations" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b2" --format github "$F/m7.elf"
check_eq "github: an error annotation with file and line" 1 "$(printf '%s\n' "$OUT" | grep -c "^::error file=$T/b2,line=1,")"
check_run "md" 1 "$E" check --ld "$F/m7.ld" --budget "$T/b2" --format md "$F/m7.elf"
case $OUT in *"### elfmap size budgets: failed"*"| :x: fail | region | FLASH |"*) ok "md names the failure" ;; *) not_ok md "$OUT" ;; esac

# bad budget files: exit 3, one line with file:line
bad_budget() { # NAME CONTENT EXPECTED_MESSAGE
  printf '%s\n' "$2" >"$T/bad"
  check_run "bad budget: $1" 3 "$E" check --ld "$F/m7.ld" --budget "$T/bad" "$F/m7.elf"
  check_eq "bad budget: $1: message" "elfmap: $T/bad:$3" "$ERR"
}
bad_budget "typo in a region" "region FLSH 1 2" "1: no region matches 'FLSH' in $F/m7.elf"
bad_budget "unknown kind" "# c
regoin FLASH 1 2" "2: unknown kind 'regoin' (region, section, dir, file, archive, object or symbol)"
bad_budget "bad size" "region FLASH 12Q -" "1: '12Q' is not a size (bytes, 12K, 1M, 90% or 5%REGION)"
bad_budget "too few fields" "region FLASH 12K" "1: expected '[growth] KIND PATTERN WARN FAIL'"
bad_budget "percentage without region" "symbol main 5% -" "1: '5%': a percentage needs a region here, as in 5%FLASH"
bad_budget "percentage of an unknown region" "symbol main 5%FLSH -" "1: no region named 'FLSH'"
bad_budget "a file without its region" "file app/main.c 1 2" "1: a file pattern is REGION:PATH, as in FLASH:app/main.c"
check_run "missing budget file" 3 "$E" check --budget "$T/nope" "$F/m7.elf"
check_run "check without --budget" 2 "$E" check "$F/m7.elf"
done_testing
