#!/usr/bin/env bash
# The virt-v2v lane of the move (issue 18: guest conversion for driver injection), run by hand, not
# in CI: converts one guest disk with Debian's virt-v2v into local files and prints the wall time.
# libguestfs boots its appliance with QEMU: KVM when /dev/kvm is writable, else TCG (as on the CI
# machine). What was measured here and why this is not a CI lane: docs/move.md ("Guest conversion").
#
#   adapters-conformance/libvirt-lab/virt-v2v-lane.sh --make-guest <out.qcow2>   # a small Debian 12 guest
#   adapters-conformance/libvirt-lab/virt-v2v-lane.sh <disk image> [output dir]   # convert it, timed
#
# Needs: apt-get install --no-install-recommends -t bookworm-backports virt-v2v nbdkit linux-image-amd64
# (the kernel is what supermin builds the appliance from); --make-guest needs debootstrap (pulled in
# by virt-v2v) and network access to deb.debian.org. The disk must hold an operating system
# libguestfs can inspect (a root file system with /etc and a kernel); the lab's tiny guest (busybox in
# an initramfs) is not one: virt-v2v stops at inspection ("No root device found").
set -euo pipefail

if [ "${1:-}" = "--make-guest" ]; then
  out=${2:?usage: virt-v2v-lane.sh --make-guest <out.qcow2>}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Debian 12 minbase with the cloud kernel and GRUB's tools, one ext4 file system on the whole disk.
  DEBIAN_FRONTEND=noninteractive debootstrap --variant=minbase --include=linux-image-cloud-amd64,grub-pc,systemd-sysv \
    bookworm "$work/root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  kernel=$(basename "$(ls "$work"/root/boot/vmlinuz-* | head -n 1)" | sed 's/^vmlinuz-//')
  mkdir -p "$work/root/boot/grub"
  printf "set default=0\nset timeout=1\nmenuentry 'Debian GNU/Linux' {\n  linux /boot/vmlinuz-%s root=/dev/sda ro console=ttyS0\n  initrd /boot/initrd.img-%s\n}\n" "$kernel" "$kernel" >"$work/root/boot/grub/grub.cfg"
  echo "/dev/sda / ext4 defaults 0 1" >"$work/root/etc/fstab"
  echo v2v-guest >"$work/root/etc/hostname"
  truncate -s 1536M "$work/disk.raw"
  mkfs.ext4 -q -F -d "$work/root" "$work/disk.raw"
  qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$out"
  echo "virt-v2v-lane: guest disk $out (Debian 12, kernel $kernel)"
  exit 0
fi

disk=${1:?usage: virt-v2v-lane.sh <disk image> [output dir] | --make-guest <out.qcow2>}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
command -v virt-v2v >/dev/null 2>&1 || { echo "virt-v2v-lane: virt-v2v is not installed (see the header)" >&2; exit 2; }
command -v nbdkit >/dev/null 2>&1 || { echo "virt-v2v-lane: nbdkit is not installed (virt-v2v -i disk needs it)" >&2; exit 2; }
export LIBGUESTFS_BACKEND=direct
[ -w /dev/kvm ] || export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
start=$(date +%s%N)
set +e
virt-v2v -i disk "$disk" -o local -os "$out" -of qcow2 -on converted >"$out/virt-v2v.log" 2>&1
rc=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
tail -n 5 "$out/virt-v2v.log"
echo "virt-v2v-lane: exit $rc after ${ms} ms ($([ -w /dev/kvm ] && echo KVM || echo TCG)); log and output in $out"
exit "$rc"
