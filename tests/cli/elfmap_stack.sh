#!/bin/sh
# elfmap stack on the stack fixture (tests/stack/, built for Cortex-M4,
# Cortex-M4F, Cortex-M0+ and RV32 with -fstack-usage -fcallgraph-info=su):
# the worst case of main and of each handler equals the one computed here
# from GCC's .ci files (the longest path over their call graph, summing each
# function's "N bytes", plus the exception frame for a handler); recursion,
# function pointers and a variable-length array are flagged UNBOUNDED with the
# chain or the call site; an annotations file resolves them; bad annotation
# files exit 3 naming FILE:LINE; hostile ELFs never crash it.
. "$(dirname "$0")/../lib.sh"
LC_ALL=C; export LC_ALL
E=$FWMEM_BIN/elfmap
S=$FWMEM_BUILD/stack
CORRUPT=$FWMEM_BUILD/tests/elfcorrupt
command -v arm-none-eabi-gcc >/dev/null 2>&1 || skip_all "arm-none-eabi-gcc not installed (scripts/deps.sh cross)"
sh "$(dirname "$0")/../stack/build.sh" "$S" >/dev/null 2>&1 || { not_ok "build the stack fixture"; done_testing; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/elfmap_stack.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

# ci_worst DIR FUNC: FUNC's worst case from GCC's .ci files in DIR: the
# longest path from FUNC over their edges, summing each node's "N bytes"
# (a function called from another file is a node without bytes there).
ci_worst() {
  cat "$1"/*.ci | awk -v want="$2" '
    function q(s, key,   i, r) {
      i = index(s, key "\""); if (!i) return ""
      r = substr(s, i + length(key) + 1); return substr(r, 1, index(r, "\"") - 1)
    }
    function worst(f,   best, n, c, i, w) {
      if (f in memo) return memo[f]
      if (f in busy) { cycle = 1; return 0 }
      busy[f] = 1; best = 0
      n = split(adj[f], c, " ")
      for (i = 1; i <= n; i++) { w = worst(c[i]); if (w > best) best = w }
      delete busy[f]
      return memo[f] = su[f] + best
    }
    /^node:/ { t = q($0, "title: "); n = split(q($0, "label: "), p, /\\n/)
               if (n >= 3) { split(p[3], b, " "); su[t] = b[1] } }
    /^edge:/ { adj[q($0, "sourcename: ")] = adj[q($0, "sourcename: ")] " " q($0, "targetname: ") }
    END { w = worst(want); print (cycle || ("__indirect_call" in memo)) ? "unbounded" : w }'
}
# ci_su DIR FUNC: FUNC's own "N bytes"
ci_su() {
  cat "$1"/*.ci | awk -v want="$2" '/^node:/ && index($0, "title: \"" want "\"") {
    sub(/.*\\n/, ""); print $1 + 0; exit }'
}
# stack_of ELF ENTRY [OPTIONS...]: "BYTES STATUS" of ENTRY
stack_of() {
  _elf=$1 _ent=$2; shift 2
  "$E" stack --entry "$_ent" "$@" --format csv "$_elf" | awk -F, -v e="$_ent" '$1 == e { print $4, $5 }'
}

for v in m4 m4f m0plus rv32; do
  elf=$S/$v.elf
  case $v in m4f) exc=104 ;; rv32) exc=0 ;; *) exc=32 ;; esac
  check_run "$v: elfmap stack runs" 0 "$E" stack --entry 'worker_*' "$elf"
  check_eq "$v: main equals GCC's .ci worst case" "$(ci_worst "$S/$v" main) bounded" "$(stack_of "$elf" main)"
  for h in TIMER0_IRQHandler SysTick_Handler UART0_IRQHandler; do
    want=$(( $(ci_worst "$S/$v" $h) + exc ))
    check_eq "$v: $h equals the .ci worst case + $exc" "$want bounded" "$(stack_of "$elf" $h)"
  done
  # the same with GCC's files merged: nothing changes, nothing disagrees
  check_run "$v: --su and --ci merge" 0 "$E" stack --su "$S/$v" --ci "$S/$v" --format json "$elf"
  case $OUT in *'"su_mismatches": []'*) ok "$v: the .su frames equal the disassembly" ;;
    *) not_ok "$v: the .su frames equal the disassembly" "$(printf '%s\n' "$OUT" | grep -A12 su_mismatches)" ;; esac
  check_eq "$v: main with the .su files" "$(ci_worst "$S/$v" main) bounded" \
    "$(stack_of "$elf" main --su "$S/$v" --ci "$S/$v")"

  # what cannot be bounded
  check_run "$v: threads" 0 "$E" stack --entry 'worker_*' --worst 0 "$elf"
  line=$(printf '%s\n' "$OUT" | grep '^worker_slow ')
  case $line in *UNBOUNDED*"recursion p"*"ng -> p"*"ng -> p"*"ng"*) ok "$v: recursion is flagged with its chain" ;;
    *) not_ok "$v: recursion is flagged with its chain" "$line" ;; esac
  line=$(printf '%s\n' "$OUT" | grep '^worker_fast ')
  case $line in *UNBOUNDED*"indirect call in dispatch at 0x"*) ok "$v: the function pointer call is flagged" ;;
    *) not_ok "$v: the function pointer call is flagged" "$line" ;; esac
  at=$(printf '%s\n' "$line" | sed -n 's/.*indirect call in dispatch at \(0x[0-9a-f]*\).*/\1/p')
  lo=$("$E" symbols --name dispatch --format csv "$elf" | awk -F, 'NR == 2 { print $2 }')
  sz=$("$E" symbols --name dispatch --format csv "$elf" | awk -F, 'NR == 2 { print $3 }')
  if [ -n "$at" ] && [ $((at)) -ge "$lo" ] && [ $((at)) -lt $((lo + sz)) ]; then ok "$v: the call site is inside dispatch"
  else not_ok "$v: the call site is inside dispatch" "$at not in [$lo, +$sz)"; fi
  line=$(printf '%s\n' "$OUT" | grep '^worker_vla ')
  case $line in *UNBOUNDED*"unbounded sp adjustment in vla_user at 0x"*) ok "$v: the VLA's sp adjustment is flagged" ;;
    *) not_ok "$v: the VLA's sp adjustment is flagged" "$line" ;; esac

  # annotations resolve them
  printf '# targets of ops[]\nindirect dispatch op_double,op_square\nframe vla_user 96\n' >"$T/ann"
  d=$(ci_su "$S/$v" op_double); q=$(ci_su "$S/$v" op_square); [ "$d" -gt "$q" ] || d=$q
  want=$(( $(ci_su "$S/$v" worker_fast) + $(ci_su "$S/$v" dispatch) + d ))
  check_eq "$v: the annotated indirect call is bounded" "$want bounded" \
    "$(stack_of "$elf" worker_fast --annotations "$T/ann")"
  check_eq "$v: the annotated frame bounds the VLA" "$(( $(ci_su "$S/$v" worker_vla) + 96 )) bounded" \
    "$(stack_of "$elf" worker_vla --annotations "$T/ann")"
  check_eq "$v: recursion stays unbounded" "UNBOUNDED" \
    "$(stack_of "$elf" worker_slow --annotations "$T/ann" | cut -d' ' -f2)"

  # the tail call: tail_popper frees its frame before branching
  check_run "$v: json" 0 "$E" stack --entry worker_tail --format json "$elf"
  if printf '%s\n' "$OUT" | sed -n '/"entries"/,/"functions"/p' | grep -q '"via": "tail"'; then
    want=$(( $(ci_su "$S/$v" worker_tail) + $(ci_worst "$S/$v" tail_target) ))
    check_eq "$v: a tail call runs at the caller's caller's depth" "$want bounded" "$(stack_of "$elf" worker_tail)"
  else
    check_eq "$v: worker_tail without tail calls" "$(ci_worst "$S/$v" worker_tail) bounded" "$(stack_of "$elf" worker_tail)"
  fi
done

# the exception frame follows Tag_FP_arch; the vector table gives the handlers
check_run "m4f: exception frame" 0 "$E" stack "$S/m4f.elf"
case $OUT in *"exception frame 104 bytes (FP context: Tag_FP_arch)"*) ok "m4f: 26 words with the FP context" ;;
  *) not_ok "m4f: 26 words with the FP context" "$(printf '%s\n' "$OUT" | head -1)" ;; esac
check_run "m0plus: exception frame" 0 "$E" stack "$S/m0plus.elf"
case $OUT in *"vector table __isr_vector at 0x"*"exception frame 32 bytes (no FPU)"*) ok "m0plus: 8 words without an FPU" ;;
  *) not_ok "m0plus: 8 words without an FPU" "$(printf '%s\n' "$OUT" | head -1)" ;; esac
check_eq "handlers sharing Default_Handler are one entry" 1 "$(printf '%s\n' "$OUT" | grep -c '^Default_Handler ')"
check_eq "the reset handler is an entry without an exception frame" \
  "$(( $(ci_worst "$S/m0plus" Reset_Handler) )) bounded" "$(stack_of "$S/m0plus.elf" Reset_Handler)"
check_run "m4: json" 0 "$E" stack --format json "$S/m4.elf"
case $OUT in *'"vectors": ['*'18'*'],'*) ok "json lists the vector numbers" ;; *) not_ok "json lists the vector numbers" "" ;; esac
# the veneer to the RAM function is followed
case $OUT in *'"name": "__ram_scale_veneer"'*'"function": "ram_scale"'*) ok "the linker veneer leads to ram_scale" ;;
  *) not_ok "the linker veneer leads to ram_scale" "$(printf '%s\n' "$OUT" | grep -A8 '"name": "__ram_scale_veneer"')" ;; esac
# --worst
check_run "--worst 2" 0 "$E" stack --worst 2 "$S/m4.elf"
check_eq "--worst 2 prints two paths" 2 "$(printf '%s\n' "$OUT" | grep -c '^[A-Za-z_0-9]*: .*bytes$')"
check_run "--format md" 0 "$E" stack --worst 1 --format md "$S/m4.elf"
case $OUT in *"| Entry | Kind | Address | Stack | Status | Reason | Worst path |"*"| Bytes | Function | Address | Via |"*)
  ok "md has the table and a path" ;; *) not_ok "md has the table and a path" "$OUT" ;; esac

# a .su that disagrees overrides the disassembly and is reported
sed 's/big_locals\t200/big_locals\t400/' "$S/m4/app.su" >"$T/app.su"
[ "$(grep -c 'big_locals	400' "$T/app.su")" = 1 ] || not_ok "make a disagreeing .su" ""
check_run "a disagreeing .su" 0 "$E" stack --su "$T/app.su" --format json "$S/m4.elf"
case $OUT in *'"su_mismatches": ['*'"function": "big_locals",'*'"disassembly": 200,'*'"su": 400,'*)
  ok "the disagreement is in the JSON" ;; *) not_ok "the disagreement is in the JSON" "$(printf '%s\n' "$OUT" | grep -A8 su_mismatches)" ;; esac
check_eq "the .su frame is used" "$(( $(ci_worst "$S/m4" main) + 200 )) bounded" "$(stack_of "$S/m4.elf" main --su "$T/app.su")"

# bad annotation files: exit 3, FILE:LINE
bad() { # bad NAME TEXT EXPECTED_MESSAGE
  printf "$2" >"$T/bad"
  check_run "bad annotations: $1" 3 "$E" stack --annotations "$T/bad" "$S/m4.elf"
  check_eq "bad annotations: $1: the message" "elfmap stack: $T/bad:$3" "$ERR"
}
bad "unknown directive" '# ok\nstack main 10\n' "2: unknown annotation 'stack' (indirect, frame or entry)"
bad "frame without bytes" 'frame main\n' "1: frame wants FUNCTION BYTES"
bad "frame with a bad number" '\n\nframe main 12x\n' "3: '12x' is not a frame size in bytes (0 to 16777216)"
bad "indirect without targets" 'indirect dispatch\n' "1: indirect wants CALLER TARGET[,TARGET...]"
bad "an unknown function" 'entry main\nindirect dispatch op_double,nosuch\n' "2: no function 'nosuch' in $S/m4.elf"
check_run "a missing annotations file" 3 "$E" stack --annotations "$T/nonexistent" "$S/m4.elf"
printf 'not a su line\n' >"$T/x.su"
check_run "a bad .su file" 3 "$E" stack --su "$T/x.su" "$S/m4.elf"
check_eq "a bad .su file: the message" "elfmap stack: $T/x.su:1: not a -fstack-usage line (FILE:LINE:COL:FUNCTION, bytes, static or dynamic)" "$ERR"
printf 'graph: { title: "x"\nnode: { title: "f" }\n}\n' >"$T/x.ci"
check_run "a bad .ci file" 3 "$E" stack --ci "$T/x.ci" "$S/m4.elf"
check_eq "a bad .ci file: the message" "elfmap stack: $T/x.ci:2: a node without a title and a label" "$ERR"

# usage
check_run "--entry is for stack only" 2 "$E" symbols --entry main "$S/m4.elf"
check_eq "--entry is for stack only: the message" "elfmap: symbols does not take --entry (see elfmap --help)" "$ERR"
check_run "--worst wants a number" 2 "$E" stack --worst x "$S/m4.elf"
check_run "an --entry that names nothing" 3 "$E" stack --entry nosuch "$S/m4.elf"
check_run "an --entry glob that matches nothing" 0 "$E" stack --entry 'nosuch*' "$S/m4.elf"
check_run "another machine" 3 "$E" stack "$E"
case $ERR in "elfmap stack: $E: x86-64 is not supported (ARM Thumb and RISC-V)") ok "another machine: the message" ;;
  *) not_ok "another machine: the message" "$ERR" ;; esac

# hostile input: never a crash
if [ -x "$CORRUPT" ]; then
  info=$("$CORRUPT" list "$S/m4.elf")
  off() { printf '%s\n' "$info" | awk -v n="$1" '$5 == n { print $2 }'; }
  size() { printf '%s\n' "$info" | awk -v n="$1" '$5 == n { print $3 }'; }
  awk -v n="$(size .text)" 'BEGIN { srand(7); for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }' >"$T/noise"
  cp "$S/m4.elf" "$T/garbage.elf"
  dd if="$T/noise" of="$T/garbage.elf" bs=1 seek="$(off .text)" conv=notrunc 2>/dev/null
  check_run "garbage code" 0 "$E" stack --entry '*' --format json "$T/garbage.elf"
  "$CORRUPT" "$S/m4.elf" "$T/vectors.elf" fill .isr_vector 0x55 >/dev/null 2>&1
  check_run "a vector table of garbage" 0 "$E" stack "$T/vectors.elf"
  case $OUT in *"warning: vector 1 of __isr_vector: 0x55555555 is not the start of a function"*) ok "bad vectors are warned about" ;;
    *) not_ok "bad vectors are warned about" "$OUT" ;; esac
  # every symbol's size made huge: clipped to its section
  edits=""
  n=$(( $(size .symtab) / 16 ))
  i=1; while [ $i -lt $n ]; do
    o=$(( $(off .symtab) + 16 * i + 8 ))
    edits="$edits poke $o 0xff poke $((o + 1)) 0xff poke $((o + 2)) 0xff poke $((o + 3)) 0x7f"
    i=$((i + 1))
  done
  "$CORRUPT" "$S/m4.elf" "$T/sizes.elf" $edits >/dev/null 2>&1
  check_run "function sizes past their section" 0 "$E" stack --entry '*' "$T/sizes.elf"
  "$CORRUPT" "$S/m4.elf" "$T/attr.elf" fill .ARM.attributes 0x41 >/dev/null 2>&1
  check_run "corrupt .ARM.attributes" 0 "$E" stack "$T/attr.elf"
  case $OUT in *"exception frame 104 bytes (FP context: bad .ARM.attributes)"*) ok "corrupt attributes: assume the FP context" ;;
    *) not_ok "corrupt attributes: assume the FP context" "$(printf '%s\n' "$OUT" | head -1)" ;; esac
  "$CORRUPT" "$S/rv32.elf" "$T/rvnoise.elf" fill .text 0xff >/dev/null 2>&1
  check_run "RISC-V: undecodable code" 0 "$E" stack --entry '*' "$T/rvnoise.elf"
  "$CORRUPT" "$S/m4.elf" "$T/trunc.elf" truncate 2000 >/dev/null 2>&1
  check_run "a truncated ELF" 3 "$E" stack "$T/trunc.elf"
else
  not_ok "elfcorrupt is built (make fixtures)" ""
fi

done_testing
