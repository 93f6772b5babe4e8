#!/bin/sh
# Install the Debian packages fwmem needs when any is missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
# Usage: scripts/deps.sh [build|test|cross|bench|all]   (default: all)
set -e
base="libelf-dev libdw-dev libcapstone-dev libncurses-dev libjansson-dev pkg-config"
test="libcmocka-dev valgrind clang"
cross="gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf qemu-system-arm"
bench="hyperfine valgrind tmux"
fuzz="clang"
case "${1:-all}" in
  build) want="$base" ;;
  test)  want="$base $test $cross" ;;
  cross) want="$cross" ;;
  bench) want="$base $cross $bench" ;;
  fuzz)  want="$base $fuzz" ;;
  all)   want="$base $test $cross $bench $fuzz" ;;
  *) echo "deps.sh: unknown set '$1' (build, test, cross, bench, fuzz or all)" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "fwmem needs these Debian packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 ||
  { apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; }
