#!/usr/bin/env bash
# The KubeVirt kind lane: up, the conformance suite against the live cluster (target kubevirt-live),
# down. Where the machine cannot run kind (no Docker engine), it says so and exits 0 as SKIPPED,
# unless KIND_LANE_REQUIRED=1 (then it exits 3). KEEP_CLUSTER=1 leaves the cluster up.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

status=0
"$LANE_DIR/up.sh" || status=$?
if [ "$status" -eq "$UNAVAILABLE" ]; then
  if [ "${KIND_LANE_REQUIRED:-0}" = "1" ]; then exit "$UNAVAILABLE"; fi
  log "SKIPPED: the kind lane cannot run on this machine (see above)"
  exit 0
fi
if [ "$status" -ne 0 ]; then
  log "bringing the cluster up failed (exit $status)"
  [ "${KEEP_CLUSTER:-0}" = "1" ] || "$LANE_DIR/down.sh"
  exit "$status"
fi

cleanup() {
  if [ "${KEEP_CLUSTER:-0}" = "1" ]; then
    log "KEEP_CLUSTER=1: leaving $KIND_CLUSTER up (down.sh removes it)"
  else
    "$LANE_DIR/down.sh"
  fi
}
trap cleanup EXIT

log "running the conformance suite against the cluster"
cd "$REPO_ROOT"
VMSHIFT_KUBECONFIG="$KUBECONFIG_OUT" \
  VMSHIFT_KUBEVIRT_VM="${VMSHIFT_KUBEVIRT_VM:-default/vmshift-cirros-a}" \
  bash .ci/toolchain.sh pnpm --silent vmshift conformance --target kubevirt-live --format "${FORMAT:-markdown}"
