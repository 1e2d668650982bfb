#!/usr/bin/env bash
# Builds the libvirt-lab test guest under .cache/libvirt-lab/guest/:
#   vmlinuz            Debian's cloud kernel, extracted from its .deb (never installed)
#   initramfs.cpio.gz  busybox-static + the dirtier (guest/dirtier.c) + guest/init
# Quick when already built: the cache key is the kernel package name + a hash of the guest sources.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.cache/libvirt-lab/guest"
mkdir -p "$out"

src_hash="$(cat "$here/guest/dirtier.c" "$here/guest/init" | sha256sum | cut -c1-16)"
kpkg="$(cat "$out/kernel.pkg" 2>/dev/null || true)"
if [ ! -s "$out/vmlinuz" ] || [ -z "$kpkg" ]; then
  kpkg="$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')"
  [ -n "$kpkg" ] || { echo "libvirt-lab: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2; exit 1; }
  tmp="$(mktemp -d)"; chmod 777 "$tmp"
  (cd "$tmp" && apt-get download "$kpkg" >/dev/null && dpkg-deb -x "$kpkg"_*.deb x)
  cp "$tmp"/x/boot/vmlinuz-* "$out/vmlinuz"
  rm -rf "$tmp"
  echo "$kpkg" > "$out/kernel.pkg"
fi

if [ ! -s "$out/initramfs.cpio.gz" ] || [ "$(cat "$out/initramfs.key" 2>/dev/null)" != "$src_hash" ]; then
  stage="$(mktemp -d)"
  mkdir -p "$stage"/{bin,proc,sys,dev}
  cp /bin/busybox "$stage/bin/busybox"
  file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
    || { echo "libvirt-lab: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }
  gcc -O2 -static -o "$stage/bin/dirtier" "$here/guest/dirtier.c"
  cp "$here/guest/init" "$stage/init"
  chmod 755 "$stage/init" "$stage/bin/dirtier" "$stage/bin/busybox"
  (cd "$stage" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$out/initramfs.cpio.gz.tmp")
  mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
  echo "$src_hash" > "$out/initramfs.key"
  rm -rf "$stage"
fi
echo "libvirt-lab: guest ready in $out ($kpkg)"
