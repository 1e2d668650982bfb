#!/usr/bin/env bash
# Booted-guest move test (adapters-conformance/libvirt-lab/move-boot.test.ts): a bootable FAT disk is
# made with SYSLINUX (syslinux, syslinux-common), mtools (mcopy: files into the image, nothing
# mounted) and dosfstools (mkfs.vfat). Idempotent; quick when everything is present. Without root it
# only says what is missing.
set -euo pipefail
need=()
command -v syslinux >/dev/null 2>&1 || need+=(syslinux syslinux-common)
command -v mcopy >/dev/null 2>&1 || need+=(mtools)
command -v mkfs.vfat >/dev/null 2>&1 || need+=(dosfstools)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "75-move-boot: missing ${need[*]} (needs root to install); the booted-guest move test skips" >&2
  exit 0
fi
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
