#!/usr/bin/env bash
# The virt-v2v lane of the move (issue 18: guest conversion for driver injection), run by hand, not
# in CI: converts one guest disk with Debian's virt-v2v into local files and prints the wall time.
# libguestfs boots its appliance with QEMU: KVM when /dev/kvm is writable, else TCG (as on the CI
# machine). What was measured here and why this is not a CI lane: docs/move.md ("Guest conversion").
#
#   adapters-conformance/libvirt-lab/virt-v2v-lane.sh --make-guest <out.qcow2>   # a small Debian 12 guest
#   adapters-conformance/libvirt-lab/virt-v2v-lane.sh <disk image> [output dir]   # convert it, timed
#   adapters-conformance/libvirt-lab/virt-v2v-lane.sh --move <disk image>         # a real `vmshift move
#       --convert always` of a domain on that disk from lab host a to lab host b (virt-v2v-in-place on
#       the target's volume at cutover, then the target started), timed; prints the move's and the
#       conversion's wall time from the move's --json progress. Needs root (the lab) and
#       virt-v2v-in-place; the lab is stopped again when this started it.
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

if [ "${1:-}" = "--move" ]; then
  disk=${2:?usage: virt-v2v-lane.sh --move <disk image>}
  command -v virt-v2v-in-place >/dev/null 2>&1 || { echo "virt-v2v-lane: virt-v2v-in-place is not installed (apt-get install virt-v2v)" >&2; exit 2; }
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  root="$(cd "$here/../.." && pwd)"
  lab="${VMSHIFT_LIBVIRT_LAB_DIR:-$root/.cache/libvirt-lab}"
  work="$lab/v2v-move"
  # vmshift runs from its TypeScript sources: the project's Node toolchain (Node 24) when it is there.
  [ -d "$root/.cache/toolchain/node_modules/.bin" ] && PATH="$root/.cache/toolchain/node_modules/.bin:$PATH"
  vm=vmshift-v2v-guest
  uri() { echo "qemu+unix:///system?socket=$lab/hosts/$1/sock/libvirt-sock"; }
  was_up=$("$here/lab.sh" status 2>/dev/null | grep -c ' up$' || true)
  "$here/lab.sh" start >/dev/null
  a() { virsh -q -c "$(uri a)" "$@"; }
  b() { virsh -q -c "$(uri b)" "$@"; }
  remove_vm() (
    set +e
    b destroy "$vm" >/dev/null 2>&1; b undefine "$vm" --nvram >/dev/null 2>&1 || b undefine "$vm" >/dev/null 2>&1
    a undefine "$vm" >/dev/null 2>&1
    for h in a b; do for p in vmshift-v2v-src vmshift-v2v-dst; do $h pool-destroy "$p" >/dev/null 2>&1; $h pool-undefine "$p" >/dev/null 2>&1; done; done
    rm -rf "$work/src" "$work/dst"
    exit 0
  )
  # The lab is stopped again only when this started it and nothing else defined a domain there since.
  cleanup() {
    remove_vm
    if [ "$was_up" = 0 ] && [ -z "$(a list --all --name 2>/dev/null)$(b list --all --name 2>/dev/null)" ]; then "$here/lab.sh" stop >/dev/null 2>&1 || true; fi
  }
  remove_vm # what an interrupted run left
  trap cleanup EXIT
  mkdir -p "$work/src" "$work/dst"
  cp --sparse=always "$disk" "$work/src/$vm.qcow2"
  a pool-define-as vmshift-v2v-src dir --target "$work/src" >/dev/null && a pool-start vmshift-v2v-src >/dev/null
  b pool-define-as vmshift-v2v-dst dir --target "$work/dst" >/dev/null && b pool-start vmshift-v2v-dst >/dev/null
  # The guest as a libvirt domain, stopped, its one disk on IDE (the lane's guest names its root /dev/sda), no NIC.
  cat >"$work/domain.xml" <<XML
<domain type='qemu'>
  <name>$vm</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$work/src/$vm.qcow2'/><target dev='sda' bus='ide'/></disk>
    <serial type='file'><source path='$work/serial.log'/></serial>
  </devices>
</domain>
XML
  a define "$work/domain.xml" >/dev/null
  printf 'profiles:\n  v2v-a:\n    platform: libvirt\n    hosts: [{ id: a, uri: "%s" }]\n  v2v-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: "%s" }]\n' "$(uri a)" "$(uri b)" >"$work/config.yaml"
  start=$(date +%s%N)
  set +e
  NODE_OPTIONS="--import=$root/tools/workspace-sources.mjs ${NODE_OPTIONS:-}" node "$root/packages/cli/src/bin.ts" move "$vm" --from v2v-a --to v2v-b \
    --storage-map vmshift-v2v-src=vmshift-v2v-dst --convert always --json --config "$work/config.yaml" >"$work/move.jsonl" 2>"$work/move.err"
  rc=$?
  set -e
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  # The conversion's span: from its first progress message to the one saying it converted (observedAt of each).
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const conv = lines.filter((l) => l.event === "progress" && /^converting |converted by/.test(l.message ?? ""));
    for (const l of conv) console.log(`  ${l.observedAt} ${l.message}`);
    const done = conv.find((l) => /converted by/.test(l.message));
    if (conv.length && done) console.log(`virt-v2v-lane: conversion ${Date.parse(done.observedAt) - Date.parse(conv[0].observedAt)} ms (first to last conversion message)`);
    const result = lines.find((l) => l.event === "result");
    if (result) console.log(`virt-v2v-lane: move ${result.outcome}${result.error ? ` (${result.error.code}: ${result.error.message})` : ""}; target ${JSON.stringify(result.vmLocation)}`);
  ' "$work/move.jsonl" || true
  tail -n 3 "$work/move.err" >&2 || true
  state=$(b domstate "$vm" 2>/dev/null || echo absent)
  # The converted guest's disks on the target (virtio when the guest got virtio drivers; the source's were IDE).
  b dumpxml "$vm" 2>/dev/null | grep -o "<target dev='[^']*' bus='[^']*'/>" | sed 's/^/virt-v2v-lane: target disk /' || true
  echo "virt-v2v-lane: vmshift move --convert always exit $rc after ${ms} ms ($([ -w /dev/kvm ] && echo KVM || echo TCG)); target domain $state; output in $work"
  exit "$rc"
fi

disk=${1:?usage: virt-v2v-lane.sh <disk image> [output dir] | --make-guest <out.qcow2> | --move <disk image>}
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
