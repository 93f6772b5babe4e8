#!/bin/sh
# Run every test program and script given as arguments.  Each prints TAP
# ("ok N - name" / "not ok N - name"); cmocka programs are switched to TAP
# through CMOCKA_MESSAGE_OUTPUT.  A program that exits non-zero without
# reporting a failure (a crash, a sanitizer report) counts as one failure;
# a script that prints "1..0 # SKIP reason" is skipped and says why.
# Ends with the line "N passed, N failed".
pass=0; fail=0
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$@"; do
  case "$t" in
    *.sh) sh "$t" >"$log" 2>&1 ;;
    *)    "$t" >"$log" 2>&1 ;;
  esac
  rc=$?
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1; echo "not ok - $t exited with status $rc" >>"$log"
  fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    if grep -q '^1\.\.0 # SKIP' "$log"; then   # a whole script skipped, saying why
      echo "skip $t ($(sed -n 's/^1\.\.0 # SKIP *//p' "$log" | head -n 1))"
      continue
    fi
    f=1; echo "not ok - $t reported no tests" >>"$log"
  fi
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$f" -gt 0 ]; then
    echo "FAIL $t ($p passed, $f failed)"
    sed 's/^/    /' "$log"
  else
    echo "ok   $t ($p)"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
