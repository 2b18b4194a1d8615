#!/bin/busybox sh
# /init of the test guest: mount what the tests need, load the 9p modules, mount the
# host's root read-only (and a writable share for results), run the command in it.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /host /out
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t securityfs securityfs /sys/kernel/security
mount -t bpf bpf /sys/fs/bpf
mkdir -p /sys/fs/cgroup
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for m in $(cat /modules.order); do insmod "/modules/$m" || echo "insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host || { echo "no host root"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L out /out || { echo "no out share"; poweroff -f; }
# The host root once more, untouched: the checkout may sit under /tmp or /root, which get tmpfs below.
mkdir -p /hostroot
mount -o bind /host /hostroot
for d in proc sys dev; do mount --rbind /$d /host/$d; done
mount -t tmpfs tmpfs /host/tmp
mkdir -p /host/tmp/out
mount --bind /out /host/tmp/out
mount -t tmpfs tmpfs /host/run
mount -t tmpfs tmpfs /host/root
repo=$(cat /out/repo)
mkdir -p "/host$repo" 2>/dev/null
mount -o bind "/hostroot$repo" "/host$repo" || echo "cannot bind the checkout $repo"
echo "guest: $(uname -r), LSMs: $(cat /sys/kernel/security/lsm)"
chroot /host /bin/sh /tmp/out/guest-command.sh
echo $? > /out/exit-code
sync
poweroff -f
