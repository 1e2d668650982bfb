#!/usr/bin/env bash
# Builds govc (the peer of the vSphere benchmarks) from Debian 12's govmomi source package
# 0.24.2-3, offline after the download: GOPATH mode, no module proxy. Run by .ci/setup.d/30-vsphere.sh.
# Output: .cache/vcsim/govc. Needs root for apt (golang-github-kr-pretty-dev).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.cache/vcsim"
WORK="$OUT/govc-src"
[ -x "$OUT/govc" ] && { echo "govc already at $OUT/govc"; exit 0; }
export DEBIAN_FRONTEND=noninteractive
dpkg -s golang-github-kr-pretty-dev >/dev/null 2>&1 || apt-get install -y -q --no-install-recommends golang-github-kr-pretty-dev
mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/sources.list.d" "$WORK/dl"
# A private deb-src list derived from the host's sources; the system apt configuration is untouched.
for f in /etc/apt/sources.list.d/*.sources; do sed 's/^Types: deb$/Types: deb-src/' "$f" > "$WORK/apt/sources.list.d/$(basename "$f")"; done
APTOPT=(-o "Dir::Etc::SourceParts=$WORK/apt/sources.list.d" -o "Dir::Etc::SourceList=/dev/null" -o "Dir::State::Lists=$WORK/apt/lists")
apt-get "${APTOPT[@]}" update -q
(cd "$WORK/dl" && apt-get "${APTOPT[@]}" source --download-only golang-github-vmware-govmomi=0.24.2-3)
GP="$WORK/gopath"
mkdir -p "$GP/src/github.com/vmware/govmomi"
tar -xJf "$WORK"/dl/golang-github-vmware-govmomi_0.24.2.orig.tar.xz -C "$GP/src/github.com/vmware/govmomi" --strip-components=1
cd "$GP/src/github.com/vmware/govmomi"
GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOFLAGS= GOPROXY=off go build -o "$OUT/govc" ./govc
echo "built $OUT/govc"
