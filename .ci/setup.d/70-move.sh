#!/usr/bin/env bash
# Move lane (@vmshift/move): qemu-img (qemu-utils) copies and converts disk bytes, nbdcopy/nbdinfo
# (libnbd-bin) are there for NBD exports, and libvirt's storage driver (dir pools) lets the lab's
# daemons create target volumes (`virsh vol-create-as`). From bookworm-backports, matching the
# libvirt 11 that 40-libvirt.sh installs. Idempotent; quick when everything is present. Without root
# it only says what is missing. Lab daemons started before the storage driver was installed must
# be restarted (adapters-conformance/libvirt-lab/lab.sh stop && start) to load it.
set -euo pipefail
need=()
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
command -v nbdcopy >/dev/null 2>&1 || need+=(libnbd-bin)
[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_storage.so ] || need+=(libvirt-daemon-driver-storage)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "70-move: missing ${need[*]} (needs root to install); the move tests that need them skip" >&2
  exit 0
fi
apt-get update -q >/dev/null
if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  apt-get install -y -q --no-install-recommends -t bookworm-backports "${need[@]}" >/dev/null
else
  apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
