#!/usr/bin/env bash
# vSphere lane: Go toolchain + govmomi simulator sources from Debian, then build govc and the
# project's vcsim launcher (adapters-conformance/vcsim) into .cache/vcsim/. Offline after apt: GOPATH mode
# against /usr/share/gocode, GOPROXY=off, no module downloads. Idempotent: skips what exists.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SRC="$ROOT/adapters-conformance/vcsim"
OUT="$ROOT/.cache/vcsim"
BIN="$OUT/vmshift-vcsim"

need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ] || need+=(golang-github-vmware-govmomi-dev)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# govc, the real client the vcsim tests drive (storage vMotion, pool-only relocate, interop) and the
# benches' peer: built from Debian's govmomi source package (build-govc.sh; apt source, offline after).
if [ ! -x "$OUT/govc" ] && [ "$(id -u)" -eq 0 ]; then
  bash "$SRC/build-govc.sh"
fi

# Rebuild only when a launcher source is newer than the binary.
if [ -x "$BIN" ] && [ -z "$(find "$SRC" -name '*.go' -newer "$BIN" -print -quit)" ]; then
  echo "vsphere: launcher up to date at $BIN"
  exit 0
fi
mkdir -p "$OUT"
export GOCACHE="${GOCACHE:-$ROOT/.cache/go-build}"
cd "$SRC"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off go build -o "$BIN.tmp" .
mv "$BIN.tmp" "$BIN"
echo "vsphere: built $BIN"
