#!/usr/bin/env bash
# libvirt lane: QEMU 10 + libvirt 11 + busybox-static from bookworm-backports (bookworm's QEMU 7.2
# loses guest writes during TCG live migration), then the tiny test guest. Idempotent; quick when
# everything is present. See docs/platforms/libvirt.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

have_all() {
  qemu-system-x86_64 --version 2>/dev/null | grep -q 'version 10\.' &&
    command -v libvirtd >/dev/null && command -v virsh >/dev/null &&
    [ -x /bin/busybox ] && command -v gcc >/dev/null && dpkg -s busybox-static >/dev/null 2>&1
}

if ! have_all; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends -t bookworm-backports \
    qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients >/dev/null
  apt-get install -y -q --no-install-recommends busybox-static gcc libc6-dev >/dev/null
fi
qemu-system-x86_64 --version | grep -q 'version 10\.' || { echo "40-libvirt: QEMU 10 is required (found: $(qemu-system-x86_64 --version | head -1))" >&2; exit 1; }

if [ ! -s "$root/.cache/libvirt-lab/guest/vmlinuz" ] && ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
  apt-get update -q >/dev/null
fi
bash "$root/adapters-conformance/libvirt-lab/build-guest.sh"
