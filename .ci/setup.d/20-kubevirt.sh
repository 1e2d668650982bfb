#!/usr/bin/env bash
# KubeVirt lane: shellcheck (the kind lane's scripts are checked by a test) and openssl (the
# KubeVirt API environment makes a throwaway TLS certificate with it). Idempotent and quick when present.
set -euo pipefail
need=()
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
echo "kubevirt: shellcheck $(shellcheck --version | sed -n 's/^version: //p'), $(openssl version)"
