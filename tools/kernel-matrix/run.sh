#!/usr/bin/env bash
# The kernel matrix: runs the BPF test suite with the lsm and fentry backends inside qemu
# (software emulation) on stock Debian kernels 6.1 and 6.12, fetched as Debian packages.
# These backends cannot load on the development machines (EPERM; kernel-notes.md).
#   bash tools/kernel-matrix/run.sh [6.1|6.12 ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
cache=$repo/.cache/kernels
mkdir -p "$cache"
# --bench: instead of the tests, the detector's overhead per backend (emulated: compare ratios).
mode=test
if [ "${1:-}" = "--bench" ]; then mode=bench; shift; fi
series=("${@:-6.1 6.12}")
series=(${series[@]})

package_for() {
  case "$1" in
    6.1) apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | cut -d' ' -f1 | sort -V | tail -1 ;;
    6.12) apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' | cut -d' ' -f1 | sort -V | tail -1 ;;
    *) echo "unknown kernel series $1" >&2; exit 2 ;;
  esac
}

# Modules that give the guest 9p over virtio, in load order (built-in elsewhere).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

build_initramfs() {
  local root=$1 out=$2 dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/modules"
  cp /bin/busybox "$dir/bin/busybox"
  cp tools/kernel-matrix/init.sh "$dir/init"
  chmod +x "$dir/init"
  : > "$dir/modules.order"
  for m in $MODULES; do
    local f
    f=$(find "$root/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
    [ -n "$f" ] || continue
    case "$f" in *.xz) xz -dc "$f" > "$dir/modules/$m.ko" ;; *) cp "$f" "$dir/modules/$m.ko" ;; esac
    echo "$m.ko" >> "$dir/modules.order"
  done
  (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
  rm -rf "$dir"
}

failed=0
for s in "${series[@]}"; do
  pkg=$(package_for "$s")
  [ -n "$pkg" ] || { echo "no Debian package for kernel $s" >&2; exit 1; }
  root=$cache/$pkg
  if [ ! -d "$root/boot" ]; then
    # A stale package index names versions the mirror no longer has: refresh once and retry.
    (cd "$cache" && { apt-get download -qq "$pkg" || { apt-get update -qq && pkg=$(package_for "$s") && apt-get download -qq "$pkg"; }; } && dpkg-deb -x "$pkg"_*.deb "$pkg" && rm -f "$pkg"_*.deb)
    root=$cache/$(package_for "$s")
  fi
  vmlinuz=$(ls "$root"/boot/vmlinuz-*)
  # Named after what goes into it, so a changed /init or module list builds a new one.
  initrd=$cache/$pkg.$( (cat tools/kernel-matrix/init.sh; echo "$MODULES") | sha256sum | cut -c1-12).initrd.gz
  [ -s "$initrd" ] || build_initramfs "$root" "$initrd"
  out=$(mktemp -d)
  echo "$repo" > "$out/repo"
  cat > "$out/guest-command.sh" <<GUEST
set -e
cd $repo
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root CI=true BEESTING_VITEST_CACHE=/tmp/vite BEESTING_TEST_SLOWDOWN=8
for backend in lsm fentry; do
  echo "== kernel \$(uname -r), backend \$backend"
  if [ $mode = bench ]; then BEESTING_BENCH_BACKEND=\$backend BENCH_OPENS=200000 node bench/bpf-overhead.mjs; continue; fi
  BEESTING_TEST_REPORTS=/tmp/out/reports-\$backend BEESTING_TEST_BACKEND=\$backend node node_modules/vitest/vitest.mjs run --configLoader runner --root libs/bpf-native test/detection.spec.ts test/io-uring.spec.ts
done
GUEST
  echo "== kernel $s ($pkg) under qemu (TCG)"
  timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2G -smp 2 -nographic -nic none -no-reboot \
    -kernel "$vmlinuz" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$out",mount_tag=out,security_model=none </dev/null || true
  code=$(cat "$out/exit-code" 2>/dev/null || echo "none")
  # The guest's test reports join the others for the closing summary of npm test.
  mkdir -p reports/vitest
  for backend in lsm fentry; do
    [ -f "$out/reports-$backend/bpf-native.json" ] && cp "$out/reports-$backend/bpf-native.json" "reports/vitest/kernel-$s-$backend.json"
  done
  rm -rf "$out"
  echo "== kernel $s: exit code $code"
  [ "$code" = "0" ] || failed=1
done
exit $failed
