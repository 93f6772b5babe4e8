#!/bin/sh
# make install PREFIX=...: programs, man pages, the agent's headers and sources.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/fwm_install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
check_run "make install PREFIX=$T" 0 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$(dirname "$0")/../.." install PREFIX="$T" BUILD="$FWMEM_BUILD"
for p in "$(dirname "$0")"/../../cmd/*.c; do
  n=$(basename "$p" .c)
  check_run "installed $n runs" 0 "$T/bin/$n" --version
  if [ -f "$T/share/man/man1/$n.1" ]; then ok "man page of $n installed"; else not_ok "man page of $n installed"; fi
done
if [ -d "$(dirname "$0")/../../target-agent/include" ]; then
  if [ -n "$(ls "$T/include/fwmem-agent")" ]; then ok "agent headers under include/fwmem-agent"; else not_ok "agent headers"; fi
  if [ -n "$(ls "$T/share/fwmem/target-agent")" ]; then ok "agent sources under share/fwmem"; else not_ok "agent sources"; fi
fi
done_testing
