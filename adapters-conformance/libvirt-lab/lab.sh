#!/usr/bin/env bash
# Two libvirt daemons as two hosts on this machine (the vmshift libvirt-lab).
#   lab.sh start   start hosts a and b (idempotent); prints "<host> <uri>" lines
#   lab.sh stop    destroy lab domains, stop both daemons by PID
#   lab.sh status  prints "<host> up|down"
# Each daemon runs in a private mount namespace with its own /etc, /run, /var/lib, /var/cache and
# /var/log libvirt directories under .cache/libvirt-lab/hosts/<host>/, a distinct host_uuid and a
# unix socket in .cache/libvirt-lab/hosts/<host>/sock. Needs root (mount namespaces), libvirtd.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lab="${VMSHIFT_LIBVIRT_LAB_DIR:-$root/.cache/libvirt-lab}"
hosts=(a b)
declare -A uuid=([a]="aaaaaaaa-0000-4000-8000-00000000000a" [b]="bbbbbbbb-0000-4000-8000-00000000000b")

uri_of() { echo "qemu+unix:///system?socket=$lab/hosts/$1/sock/libvirt-sock"; }
# PID of host $1's daemon: the pid file names a live libvirtd started with that pid file, and its socket exists.
pid_of() {
  local f="$lab/hosts/$1/libvirtd.pid" pid
  [ -s "$f" ] || return 1
  pid="$(cat "$f")"
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--pid-file $f" || return 1
  [ -S "$lab/hosts/$1/sock/libvirt-sock" ] || return 1
  echo "$pid"
}

configure() {
  local h="$1" d="$lab/hosts/$1"
  mkdir -p "$d"/{etc,run,lib,cache,log,sock}
  if [ ! -f "$d/etc/.vmshift-configured" ]; then
    cp -a /etc/libvirt/. "$d/etc/"
    sed -i '/^host_uuid/d;/^unix_sock_dir/d' "$d/etc/libvirtd.conf"
    cat >> "$d/etc/libvirtd.conf" <<CONF
host_uuid = "${uuid[$h]}"
unix_sock_dir = "$d/sock"
CONF
    cat >> "$d/etc/qemu.conf" <<CONF
user = "root"
group = "root"
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
remember_owner = 0
CONF
    touch "$d/etc/.vmshift-configured"
  fi
}

# A qemu hook that refuses one start of domain X while hosts/<h>/fail-start-X exists (one-shot):
# the lab's way to make "the VM cannot start on the target" happen for real.
install_hook() {
  local d="$lab/hosts/$1"
  mkdir -p "$d/etc/hooks"
  cat > "$d/etc/hooks/qemu" <<HOOK
#!/bin/sh
if [ "\$2" = prepare ] && [ "\$3" = begin ] && [ -e "$d/fail-start-\$1" ]; then
  rm -f "$d/fail-start-\$1"
  echo "vmshift lab: start of \$1 refused on purpose" >&2
  exit 1
fi
exit 0
HOOK
  chmod 755 "$d/etc/hooks/qemu"
}

start_one() {
  local h="$1" d="$lab/hosts/$1"
  if pid_of "$h" >/dev/null; then return 0; fi
  configure "$h"
  install_hook "$h"
  rm -f "$d/sock/"* "$d/libvirtd.pid"
  mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
  unshare -m --propagation private sh -c "
    mount --bind '$d/etc' /etc/libvirt && mount --bind '$d/run' /run/libvirt &&
    mount --bind '$d/lib' /var/lib/libvirt && mount --bind '$d/cache' /var/cache/libvirt &&
    mount --bind '$d/log' /var/log/libvirt &&
    exec libvirtd -d --pid-file '$d/libvirtd.pid'" >"$d/libvirtd.out" 2>&1
  for _ in $(seq 1 100); do [ -S "$d/sock/libvirt-sock" ] && break; sleep 0.1; done
  [ -S "$d/sock/libvirt-sock" ] || { echo "libvirt-lab: host $h did not start (see $d/libvirtd.out)" >&2; cat "$d/libvirtd.out" >&2; exit 1; }
}

case "${1:-}" in
  start)
    command -v libvirtd >/dev/null || { echo "libvirt-lab: libvirtd is not installed (run .ci/setup.d/40-libvirt.sh)" >&2; exit 2; }
    for h in "${hosts[@]}"; do start_one "$h"; done
    # Absorb the first-connection capability probe (several seconds per daemon) once, in parallel.
    for h in "${hosts[@]}"; do virsh -q -c "$(uri_of "$h")" version >/dev/null & done
    wait
    for h in "${hosts[@]}"; do echo "$h $(uri_of "$h")"; done
    ;;
  stop)
    for h in "${hosts[@]}"; do
      if pid=$(pid_of "$h"); then
        u="$(uri_of "$h")"
        for dom in $(virsh -q -c "$u" list --name 2>/dev/null | grep '^vmshift-lab' || true); do virsh -q -c "$u" destroy "$dom" >/dev/null 2>&1 || true; done
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        rm -f "$lab/hosts/$h/libvirtd.pid"
      fi
    done
    ;;
  status)
    for h in "${hosts[@]}"; do if pid_of "$h" >/dev/null; then echo "$h up"; else echo "$h down"; fi; done
    ;;
  *) echo "usage: lab.sh start|stop|status" >&2; exit 2 ;;
esac
