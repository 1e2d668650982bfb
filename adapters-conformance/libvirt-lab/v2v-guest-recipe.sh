#!/usr/bin/env bash
# The virt-v2v lane's guest (virt-v2v-lane.sh): a small Debian 12 disk that libguestfs can inspect
# and convert, and that boots by direct kernel boot. The lane caches the built disk under
# /var/cache/vmshift-ci keyed by this file's sha256, so any change here rebuilds it.
#
#   v2v-guest-recipe.sh <out.qcow2>
#
# Debian 12 minbase (debootstrap from deb.debian.org) with the cloud kernel, GRUB's tools (virt-v2v
# looks for a boot loader configuration) and systemd; one ext4 file system on the whole disk (no
# partition table, no boot loader installed: the lane boots the kernel directly), its root named
# /dev/sda in fstab as on an IDE/SCSI source. A unit of multi-user.target, vmshift-marker.service,
# prints "vmshift-v2v-marker <contents of /etc/vmshift-marker>" on the serial console once the root
# file system is mounted and basic.target reached (it does not wait for the other units of
# multi-user.target: virt-v2v's first-boot script tries to apt-get install the QEMU guest agent,
# which takes ≈ 100 s without a network); the lane writes a fresh /etc/vmshift-marker into its copy
# before each move.
set -euo pipefail
out=${1:?usage: v2v-guest-recipe.sh <out.qcow2>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --include=linux-image-cloud-amd64,grub-pc,systemd-sysv \
  bookworm "$work/root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
kernel=$(basename "$(ls "$work"/root/boot/vmlinuz-* | head -n 1)" | sed 's/^vmlinuz-//')
mkdir -p "$work/root/boot/grub"
printf "set default=0\nset timeout=1\nmenuentry 'Debian GNU/Linux' {\n  linux /boot/vmlinuz-%s root=/dev/sda ro console=ttyS0\n  initrd /boot/initrd.img-%s\n}\n" "$kernel" "$kernel" >"$work/root/boot/grub/grub.cfg"
echo "/dev/sda / ext4 defaults 0 1" >"$work/root/etc/fstab"
echo v2v-guest >"$work/root/etc/hostname"
echo unset >"$work/root/etc/vmshift-marker"
cat >"$work/root/etc/systemd/system/vmshift-marker.service" <<'UNIT'
[Unit]
Description=vmshift virt-v2v lane marker on the serial console

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo "vmshift-v2v-marker $(cat /etc/vmshift-marker)" >/dev/ttyS0'

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$work/root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/vmshift-marker.service "$work/root/etc/systemd/system/multi-user.target.wants/vmshift-marker.service"
rm -rf "$work/root/var/cache/apt/archives/"*.deb
truncate -s 1536M "$work/disk.raw"
mkfs.ext4 -q -F -d "$work/root" "$work/disk.raw"
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$out.tmp"
mv "$out.tmp" "$out"
echo "v2v-guest-recipe: $out (Debian 12, kernel $kernel)"
