#!/usr/bin/env bash
# virt-v2v lane (adapters-conformance/libvirt-lab/virt-v2v-lane.sh --ci, run by .ci/check.sh beside
# vitest): Debian's virt-v2v (virt-v2v-in-place, the mover's guest converter) with nbdkit, a kernel
# in /boot (linux-image-amd64: supermin builds libguestfs's appliance from the installed kernel),
# debootstrap (builds the lane's Debian 12 guest) and e2fsprogs (debugfs: the marker in, the kernel
# and initrd out). With -t bookworm-backports where 40-libvirt.sh added it (packages that backports
# lacks come from bookworm). Idempotent; quick when everything is present. Without root it only
# says what is missing (the lane then fails, saying so).
set -euo pipefail
need=()
command -v virt-v2v-in-place >/dev/null 2>&1 || need+=(virt-v2v)
command -v nbdkit >/dev/null 2>&1 || need+=(nbdkit)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v debugfs >/dev/null 2>&1 || need+=(e2fsprogs)
compgen -G '/boot/vmlinuz-*' >/dev/null || need+=(linux-image-amd64)
if [ ${#need[@]} -eq 0 ]; then
  echo "virt-v2v: $(virt-v2v-in-place --version 2>/dev/null | head -n 1), kernel $(basename "$(compgen -G '/boot/vmlinuz-*' | sort -V | tail -n 1)")"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "72-virt-v2v: missing ${need[*]} (needs root to install); the virt-v2v lane fails without them" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  apt-get install -y -q --no-install-recommends -t bookworm-backports "${need[@]}" >/dev/null
else
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
echo "virt-v2v: installed ${need[*]}"
