#!/usr/bin/env bash
# The conversion pod's lane (issue 18: guest conversion when the target is KubeVirt): a real guest
# is moved cold into kubevirt-env with `convert: always` and the KubeVirt target's conversion image;
# at cutover the conversion pod's `virt-v2v-in-place -i libvirtxml --machine-readable` runs — the
# real program, which kubevirt-env's kubelet runs locally on the claim's file (v2v-pod-lane.ts).
# Then the converted disk's /etc/fstab is printed (virt-v2v rewrites a Linux guest's disk names
# for virtio: the source names /dev/sda).
#
#   v2v-pod-lane.sh <guest disk>
#
# <guest disk>: the virt-v2v lane's small Debian 12 guest (adapters-conformance/libvirt-lab/
# virt-v2v-lane.sh --make-guest <out.qcow2>; a whole-disk ext4 qcow2, which debugfs reads). Needs
# virt-v2v-in-place, nbdkit and the appliance's kernel (.ci/setup.d/72-virt-v2v.sh), qemu-img,
# debugfs (e2fsprogs). No root needed (kubevirt-env is a local process). Work files:
# .cache/v2v-pod-lane/. A conversion takes 200–330 s on this 2-core machine (TCG, no /dev/kvm).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
die() { echo "v2v-pod-lane: $*" >&2; exit 2; }
guest="${1:?usage: v2v-pod-lane.sh <guest disk>}"
[ -s "$guest" ] || die "no guest disk at $guest"
for tool in virt-v2v-in-place qemu-img debugfs node; do command -v "$tool" >/dev/null || [ "$tool" = node ] || die "$tool is missing (see .ci/setup.d/72-virt-v2v.sh)"; done
[ -d "$root/.cache/toolchain/node_modules/.bin" ] && PATH="$root/.cache/toolchain/node_modules/.bin:$PATH"
work="$root/.cache/v2v-pod-lane"
rm -rf "$work" && mkdir -p "$work"
export GUEST_SIZE_BYTES
GUEST_SIZE_BYTES=$(qemu-img info --output=json "$guest" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)["virtual-size"]))')
t0=$(date +%s%N)
rc=0
node --import="$root/tools/workspace-sources.mjs" "$here/v2v-pod-lane.ts" "$guest" "$work" || rc=$?
echo "v2v-pod-lane: timing total $(( ($(date +%s%N) - t0) / 1000000 )) ms (rc $rc, accel $([ -w /dev/kvm ] && echo KVM || echo TCG), load $(cut -d' ' -f1-3 /proc/loadavg))"
[ "$rc" = 0 ] || exit "$rc"
fstab=$(debugfs -R "cat /etc/fstab" "$work/converted.img" 2>/dev/null | grep -v '^#' | tr '\n' ' ')
echo "v2v-pod-lane: converted /etc/fstab: $fstab"
rm -f "$work/converted.img"
