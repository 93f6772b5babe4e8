# Shell helpers for CLI tests: source it, call the checks, then `done_testing`.
# Every check prints one TAP line; failures say what was expected and what came.
: "${FWMEM_BIN:=build/bin}"
: "${FWMEM_BUILD:=build}"
TAP_N=0
TAP_FAILED=0
ok() {   # ok NAME        -- a passing check
  TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"
}
not_ok() { # not_ok NAME DETAIL
  TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
  echo "not ok $TAP_N - $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/#   /'
  return 0
}
check_eq() { # check_eq NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2
     got: $3"; fi
}
check_run() { # check_run NAME EXPECTED_STATUS CMD...   (output in $OUT, $ERR)
  _name=$1 _want=$2; shift 2
  OUT=$("$@" 2>"${TMPDIR:-/tmp}/fwm_err.$$"); _rc=$?
  ERR=$(cat "${TMPDIR:-/tmp}/fwm_err.$$"); rm -f "${TMPDIR:-/tmp}/fwm_err.$$"
  if [ "$_rc" -eq "$_want" ]; then ok "$_name"; else not_ok "$_name" "expected exit $_want, got $_rc: $ERR"; fi
}
check_golden() { # check_golden NAME GOLDEN_FILE ACTUAL_TEXT  (FWMEM_UPDATE_GOLDEN=1 rewrites)
  if [ "${FWMEM_UPDATE_GOLDEN:-}" = 1 ]; then printf '%s\n' "$3" >"$2"; ok "$1 (golden updated)"; return; fi
  if printf '%s\n' "$3" | diff -u "$2" - >"${TMPDIR:-/tmp}/fwm_diff.$$" 2>&1; then ok "$1"
  else not_ok "$1" "$(head -40 "${TMPDIR:-/tmp}/fwm_diff.$$")"; fi
  rm -f "${TMPDIR:-/tmp}/fwm_diff.$$"
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }
