#!/usr/bin/env bash
# Deletes the lane's kind cluster and its kubeconfig. Safe to run when nothing exists.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! command -v kind >/dev/null 2>&1; then
  log "kind is not installed; nothing to tear down"
  exit 0
fi
if kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  kind delete cluster --name "$KIND_CLUSTER"
else
  log "no cluster $KIND_CLUSTER; nothing to tear down"
fi
rm -f "$KUBECONFIG_OUT"
