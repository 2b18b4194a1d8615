#!/usr/bin/env bash
# Builds bpf/build/beesting.bpf.o: one CO-RE object for every supported kernel.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p build
btf=${BEESTING_VMLINUX_BTF:-/sys/kernel/btf/vmlinux}
[ -s build/vmlinux.h ] || bpftool btf dump file "$btf" format c > build/vmlinux.h
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I build -I . -c beesting.bpf.c -o build/beesting.bpf.o
