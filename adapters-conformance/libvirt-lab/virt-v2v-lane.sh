#!/usr/bin/env bash
# The virt-v2v lane of the move (issue 18: guest conversion for driver injection). CI runs `--ci`
# (.ci/check.sh starts it in the background, beside vitest); the other modes are for hand runs.
# What was measured here: docs/move.md ("Guest conversion").
#
#   virt-v2v-lane.sh --ci
#       The whole lane: the small Debian 12 guest (v2v-guest-recipe.sh; cached, see below), then
#       --move with it. Fails when anything it needs is missing.
#   virt-v2v-lane.sh --move <guest.qcow2>
#       A fresh marker is written into a copy of the guest (/etc/vmshift-marker, with debugfs), the
#       copy becomes a Nutanix VM's SCSI disk on the Prism-like server (adapters-conformance/
#       prism-server, a real file it serves), and the real `vmshift move --convert auto` takes it
#       cold into host b of the lane's own libvirt lab (v2v-prism-move.ts): auto decides to convert
#       (a Nutanix guest on SCSI), virt-v2v-in-place converts the target's volume at cutover, the
#       target is defined on virtio. Then the converted guest boots under QEMU from the moved
#       volume on virtio (direct kernel boot with the kernel and initrd read out of the moved disk,
#       root=/dev/vda as virt-v2v rewrote fstab, serial console) and must print the marker.
#   virt-v2v-lane.sh --make-guest <out.qcow2>      the guest, built now (v2v-guest-recipe.sh)
#   virt-v2v-lane.sh <disk image> [output dir]     a plain `virt-v2v -i disk -o local`, timed
#
# The lane's lab is a second instance of lab.sh (VMSHIFT_LIBVIRT_LAB_DIR=.cache/libvirt-lab-v2v,
# override with VMSHIFT_V2V_LAB_DIR): its own daemons, sockets and state, so it never waits for or
# disturbs the lab that vitest's tests lock (.cache/libvirt-lab); it is stopped when the lane ends.
# The built guest is cached in /var/cache/vmshift-ci (VMSHIFT_V2V_CACHE) as
# v2v-guest-<sha256 of v2v-guest-recipe.sh, 16 hex>.qcow2, outside the clone, so later runs skip the
# build; it is rebuilt when missing. Work files and logs: .cache/virt-v2v-lane/.
#
# Needs root (the lab), and from Debian (.ci/setup.d/72-virt-v2v.sh installs them): virt-v2v and
# nbdkit and linux-image-amd64 (supermin builds libguestfs's appliance from the installed kernel)
# from bookworm-backports, debootstrap, e2fsprogs (debugfs), QEMU and libvirt (40-libvirt.sh), and
# network access to deb.debian.org when the guest is built. libguestfs and the boot use KVM when
# /dev/kvm is writable, else TCG (as on the CI machine). The lab's tiny busybox guest cannot be
# converted (virt-v2v stops at inspection: "No root device found"): hence this Debian guest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
accel() { [ -w /dev/kvm ] && echo KVM || echo TCG; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }
die() { echo "virt-v2v-lane: $*" >&2; exit 2; }

if [ "${1:-}" = "--make-guest" ]; then
  exec bash "$here/v2v-guest-recipe.sh" "${2:?usage: virt-v2v-lane.sh --make-guest <out.qcow2>}"
fi

# The guest disk from the cache, built when missing; prints its path.
cached_guest() {
  local cache="${VMSHIFT_V2V_CACHE:-/var/cache/vmshift-ci}" key
  key=$(sha256sum "$here/v2v-guest-recipe.sh" | cut -c1-16)
  local guest="$cache/v2v-guest-$key.qcow2"
  if [ ! -s "$guest" ]; then
    mkdir -p "$cache"
    local t0; t0=$(now_ms)
    bash "$here/v2v-guest-recipe.sh" "$guest" >&2
    echo "virt-v2v-lane: timing build $(secs $(( $(now_ms) - t0 ))) s (debootstrap of the guest, cached as $guest)" >&2
    # Guests of earlier recipes are not used again.
    find "$cache" -maxdepth 1 -name 'v2v-guest-*.qcow2' ! -name "v2v-guest-$key.qcow2" -delete
  else
    echo "virt-v2v-lane: timing build 0 s (cached: $guest)" >&2
  fi
  echo "$guest"
}

run_move() {
  local disk="$1" t_start="$2"
  [ "$(id -u)" = 0 ] || die "--move needs root (the libvirt lab)"
  for tool in virt-v2v-in-place nbdkit debugfs qemu-img qemu-system-x86_64 virsh libvirtd; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (.ci/setup.d/40-libvirt.sh, 70-move.sh, 72-virt-v2v.sh)"
  done
  ls /boot/vmlinuz-* >/dev/null 2>&1 || die "no kernel in /boot: libguestfs's appliance is built from it (apt-get install linux-image-amd64)"
  # vmshift runs from its TypeScript sources: the project's Node toolchain (Node 24) when it is there.
  [ -d "$root/.cache/toolchain/node_modules/.bin" ] && PATH="$root/.cache/toolchain/node_modules/.bin:$PATH"
  export VMSHIFT_LIBVIRT_LAB_DIR="${VMSHIFT_V2V_LAB_DIR:-$root/.cache/libvirt-lab-v2v}"
  # Globals: the EXIT trap uses them after this function returned.
  work="$root/.cache/virt-v2v-lane" vm=vmshift-v2v-guest pool=vmshift-v2v-dst
  uri_b="qemu+unix:///system?socket=$VMSHIFT_LIBVIRT_LAB_DIR/hosts/b/sock/libvirt-sock"
  b() { virsh -q -c "$uri_b" "$@"; }
  boot_pid=""
  lane_cleanup() {
    set +e
    [ -n "$boot_pid" ] && kill "$boot_pid" 2>/dev/null
    b destroy "$vm" >/dev/null 2>&1 # a running domain outlives its daemon
    "$here/lab.sh" stop >/dev/null 2>&1
  }
  trap lane_cleanup EXIT
  trap 'exit 143' TERM INT
  "$here/lab.sh" start >/dev/null
  # What an interrupted run left on the lane's own lab.
  b destroy "$vm" >/dev/null 2>&1 || true
  b undefine "$vm" --nvram >/dev/null 2>&1 || b undefine "$vm" >/dev/null 2>&1 || true
  b pool-destroy "$pool" >/dev/null 2>&1 || true
  b pool-undefine "$pool" >/dev/null 2>&1 || true
  rm -rf "$work"
  mkdir -p "$work/dst"
  b pool-define-as "$pool" dir --target "$work/dst" >/dev/null && b pool-start "$pool" >/dev/null

  # The source disk: the guest with a fresh marker in /etc/vmshift-marker (debugfs writes into the
  # ext4 file system of a raw copy; the Prism VM gets it back as qcow2).
  local t0 marker
  marker="v2v-$(date +%s)-$$-$RANDOM"
  t0=$(now_ms)
  qemu-img convert -O raw "$disk" "$work/source.raw"
  echo "$marker" >"$work/marker"
  debugfs -w -R "rm /etc/vmshift-marker" "$work/source.raw" >/dev/null 2>&1 || true
  debugfs -w -R "write $work/marker /etc/vmshift-marker" "$work/source.raw" >"$work/debugfs.log" 2>&1
  [ "$(debugfs -R "cat /etc/vmshift-marker" "$work/source.raw" 2>/dev/null)" = "$marker" ] || die "could not write the marker into the source disk (see $work/debugfs.log)"
  qemu-img convert -f raw -O qcow2 "$work/source.raw" "$work/source.qcow2"
  rm -f "$work/source.raw"
  echo "virt-v2v-lane: timing source $(secs $(( $(now_ms) - t0 ))) s (marker $marker written into a copy of $disk)"

  # The move: Prism VM (SCSI disk) → libvirt host b, --convert auto.
  t0=$(now_ms)
  local rc=0
  node --import="$root/tools/workspace-sources.mjs" "$here/v2v-prism-move.ts" "$work/source.qcow2" "$work" "$uri_b" "$pool" || rc=$?
  local move_ms=$(( $(now_ms) - t0 ))
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { raw: l }; } });
    const conv = lines.filter((l) => l.event === "progress" && /^converting |converted by/.test(l.message ?? ""));
    for (const l of conv) console.log(`  ${l.observedAt} ${l.message}`);
    const done = conv.find((l) => /converted by/.test(l.message));
    if (conv.length && done) console.log(`virt-v2v-lane: timing conversion ${((Date.parse(done.observedAt) - Date.parse(conv[0].observedAt)) / 1000).toFixed(1)} s (first to last conversion message)`);
    const result = lines.find((l) => l.event === "result");
    if (result) console.log(`virt-v2v-lane: move ${result.outcome}${result.error ? ` (${result.error.code}: ${result.error.message})` : ""}; target ${JSON.stringify(result.vmLocation)}`);
    // --convert auto converts only when it decides the guest needs it: conversion messages are that decision.
    console.log(`virt-v2v-lane: convert auto ${conv.length ? "decided to convert the guest" : "did NOT convert the guest"}`);
    if (!done || result?.outcome !== "completed") process.exitCode = 1;
  ' "$work/move.jsonl" || { [ "$rc" != 0 ] || rc=1; }
  echo "virt-v2v-lane: timing move $(secs "$move_ms") s (vmshift move --convert auto, Nutanix → libvirt, exit $rc, $(accel))"
  if [ "$rc" != 0 ]; then
    tail -n 20 "$work/move.err" >&2 || true
    echo "virt-v2v-lane: FAILED: the move (output in $work)" >&2
    exit 1
  fi

  # The target as defined: its disk on virtio, the volume's file and format.
  local xml; xml=$(b dumpxml "$vm")
  echo "$xml" | grep -o "<target dev='[^']*' bus='[^']*'/>" | sed 's/^/virt-v2v-lane: target disk /'
  echo "$xml" | grep -q "bus='virtio'" || { echo "virt-v2v-lane: FAILED: the target's disk is not on virtio" >&2; exit 1; }
  local vol fmt
  vol=$(echo "$xml" | grep -o "<source file='[^']*'" | head -n 1 | sed "s/^<source file='//;s/'$//")
  fmt=$(echo "$xml" | grep -o "<driver name='qemu' type='[^']*'" | head -n 1 | sed "s/.*type='//;s/'$//")
  [ -n "$vol" ] && [ -f "$vol" ] || { echo "virt-v2v-lane: FAILED: the target's volume file is not found ($vol)" >&2; exit 1; }
  # The target started with no boot loader on its disk (the guest has none): stop it, then boot the
  # moved volume directly with the kernel and initrd read out of it.
  b destroy "$vm" >/dev/null 2>&1 || true
  local img="$vol"
  if [ "$fmt" != raw ]; then img="$work/moved.raw"; qemu-img convert -O raw "$vol" "$img"; fi
  echo "virt-v2v-lane: moved /etc/fstab: $(debugfs -R "cat /etc/fstab" "$img" 2>/dev/null | grep -v '^#' | tr '\n' ' ')"
  local kernel initrd
  kernel=$(debugfs -R "ls -p /boot" "$img" 2>/dev/null | awk -F/ '$6 ~ /^vmlinuz-/ { print $6 }' | sort -V | tail -n 1)
  [ -n "$kernel" ] || { echo "virt-v2v-lane: FAILED: no kernel in the moved disk's /boot" >&2; exit 1; }
  initrd="initrd.img-${kernel#vmlinuz-}"
  debugfs -R "dump /boot/$kernel $work/vmlinuz" "$img" >/dev/null 2>&1
  debugfs -R "dump /boot/$initrd $work/initrd.img" "$img" >/dev/null 2>&1
  [ -s "$work/vmlinuz" ] && [ -s "$work/initrd.img" ] || { echo "virt-v2v-lane: FAILED: could not read /boot/$kernel and /boot/$initrd from the moved disk" >&2; exit 1; }
  [ "$img" = "$vol" ] || rm -f "$img"

  t0=$(now_ms)
  local serial="$work/boot-serial.log" boot_timeout="${VMSHIFT_V2V_BOOT_TIMEOUT:-360}"
  local accel_opt=tcg; [ -w /dev/kvm ] && accel_opt=kvm
  : >"$serial"
  qemu-system-x86_64 -machine "pc,accel=$accel_opt" -m 1024 -smp 1 -nodefaults -display none -no-reboot \
    -drive "file=$vol,format=$fmt,if=virtio,snapshot=on" -kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
    -append "root=/dev/vda ro console=ttyS0" -serial "file:$serial" >"$work/boot-qemu.log" 2>&1 &
  boot_pid=$!
  local booted=0
  while [ $(( $(now_ms) - t0 )) -lt $(( boot_timeout * 1000 )) ]; do
    if grep -q "vmshift-v2v-marker $marker" "$serial"; then booted=1; break; fi
    kill -0 "$boot_pid" 2>/dev/null || break
    sleep 2
  done
  local boot_ms=$(( $(now_ms) - t0 ))
  kill "$boot_pid" 2>/dev/null || true
  wait "$boot_pid" 2>/dev/null || true
  boot_pid=""
  grep -a -m 3 -E "Reached target.*Multi-User|vmshift-v2v-marker|Kernel panic|Cannot open root|ALERT!" "$serial" | sed 's/^/  console: /' || true
  if [ "$booted" != 1 ]; then
    tail -n 30 "$serial" | sed 's/^/  console: /' >&2
    echo "virt-v2v-lane: FAILED: the converted guest did not print its marker within ${boot_timeout} s (console in $serial)" >&2
    exit 1
  fi
  echo "virt-v2v-lane: timing boot $(secs "$boot_ms") s (converted guest on virtio printed marker $marker; $(accel))"
  echo "virt-v2v-lane: timing total $(secs $(( $(now_ms) - t_start ))) s; OK"
}

# What --ci needs from the machine; prints the first thing missing, nothing when all is there.
lane_missing() {
  [ "$(id -u)" = 0 ] || { echo "it needs root (the libvirt lab)"; return; }
  local tool
  for tool in virt-v2v-in-place nbdkit debugfs qemu-img qemu-system-x86_64 virsh libvirtd; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed (.ci/setup.d/40-libvirt.sh, 70-move.sh, 72-virt-v2v.sh)"; return; }
  done
  ls /boot/vmlinuz-* >/dev/null 2>&1 || { echo "no kernel in /boot for libguestfs's appliance (apt-get install linux-image-amd64)"; return; }
  local key; key=$(sha256sum "$here/v2v-guest-recipe.sh" | cut -c1-16)
  [ -s "${VMSHIFT_V2V_CACHE:-/var/cache/vmshift-ci}/v2v-guest-$key.qcow2" ] || command -v debootstrap >/dev/null 2>&1 || echo "no cached guest and no debootstrap to build one (.ci/setup.d/72-virt-v2v.sh)"
}

if [ "${1:-}" = "--ci" ]; then
  # As the lab's vitest tests do: a machine that cannot run the lane skips it with the reason; in CI
  # (CI=true) a missing piece fails the run instead.
  missing=$(lane_missing)
  if [ -n "$missing" ]; then
    [ "${CI:-}" = true ] && die "cannot run in CI: $missing"
    echo "virt-v2v-lane: SKIPPED: $missing"
    exit 0
  fi
  t_start=$(now_ms)
  echo "virt-v2v-lane: start $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
  guest=$(cached_guest)
  run_move "$guest" "$t_start"
  exit 0
fi

if [ "${1:-}" = "--move" ]; then
  run_move "${2:?usage: virt-v2v-lane.sh --move <guest.qcow2>}" "$(now_ms)"
  exit 0
fi

disk=${1:?usage: virt-v2v-lane.sh --ci | --move <guest.qcow2> | --make-guest <out.qcow2> | <disk image> [output dir]}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
command -v virt-v2v >/dev/null 2>&1 || die "virt-v2v is not installed (see the header)"
command -v nbdkit >/dev/null 2>&1 || die "nbdkit is not installed (virt-v2v -i disk needs it)"
export LIBGUESTFS_BACKEND=direct
[ -w /dev/kvm ] || export LIBGUESTFS_BACKEND_SETTINGS=force_tcg
start=$(now_ms)
set +e
virt-v2v -i disk "$disk" -o local -os "$out" -of qcow2 -on converted >"$out/virt-v2v.log" 2>&1
rc=$?
set -e
tail -n 5 "$out/virt-v2v.log"
echo "virt-v2v-lane: exit $rc after $(( $(now_ms) - start )) ms ($(accel)); log and output in $out"
exit "$rc"
