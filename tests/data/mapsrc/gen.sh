#!/bin/sh
# Regenerates the map files under tests/data/ from these sources:
#   cd tests/data/mapsrc && sh gen.sh
# Needs gcc-arm-none-eabi with newlib-nano, riscv64-unknown-elf-gcc and a
# host gcc.  Objects go to obj/ so the paths in the maps are stable.
set -e
out=..
rm -rf obj && mkdir obj
trap 'rm -rf obj' EXIT

CM="-mcpu=cortex-m4 -mthumb -Os -g -fcommon -ffunction-sections -fdata-sections"
for f in main util syscalls startup_cm; do
	arm-none-eabi-gcc $CM -c $f.c -o obj/$f.o
done
arm-none-eabi-gcc $CM --specs=nano.specs -nostartfiles -T stm32.ld \
	-Wl,--gc-sections -Wl,-Map=$out/cortexm.map \
	obj/main.o obj/util.o obj/syscalls.o obj/startup_cm.o -o obj/cortexm.elf

# Debian ships no C library for riscv64-unknown-elf: a freestanding link
# with a small archive of our own (libmini.a) and libgcc.
RV="-march=rv32imac -mabi=ilp32 -Os -g -fcommon -ffunction-sections -fdata-sections -ffreestanding"
for f in mini_memcpy mini_memset mini_printf; do
	riscv64-unknown-elf-gcc $RV -c $f.c -o obj/$f.o
done
riscv64-unknown-elf-ar rcs obj/libmini.a obj/mini_memcpy.o obj/mini_memset.o obj/mini_printf.o
riscv64-unknown-elf-gcc $RV -c startup_rv.S -o obj/startup_rv.o
for f in startup_rvc main util; do
	riscv64-unknown-elf-gcc $RV -c $f.c -o obj/rv_$f.o
done
riscv64-unknown-elf-gcc $RV -nostdlib -T sifive.ld \
	-Wl,--gc-sections -Wl,-Map=$out/riscv32.map \
	obj/startup_rv.o obj/rv_startup_rvc.o obj/rv_main.o obj/rv_util.o \
	obj/libmini.a -lgcc -o obj/riscv32.elf

for f in main util; do
	gcc -O1 -fcommon -ffunction-sections -fdata-sections -c $f.c -o obj/host_$f.o
done
gcc -Wl,--gc-sections -Wl,-Map=$out/host64.map obj/host_main.o obj/host_util.o -o obj/host64

# Freestanding x86-64 with MEMORY regions at 64-bit addresses.
KF="-O1 -g -fcommon -ffunction-sections -fdata-sections -ffreestanding -fno-pic -mcmodel=kernel -fno-asynchronous-unwind-tables"
for f in main util mini_memcpy mini_memset mini_printf; do
	gcc $KF -c $f.c -o obj/k_$f.o
done
gcc -nostdlib -static -no-pie -T x86_64.ld -Wl,--gc-sections -Wl,-Map=$out/x86_64-kernel.map \
	obj/k_main.o obj/k_util.o obj/k_mini_memcpy.o obj/k_mini_memset.o obj/k_mini_printf.o -o obj/kernel.elf
