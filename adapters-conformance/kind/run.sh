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
suite=0
VMSHIFT_KUBECONFIG="$KUBECONFIG_OUT" \
  VMSHIFT_KUBEVIRT_VM="${VMSHIFT_KUBEVIRT_VM:-default/vmshift-cirros-a}" \
  VMSHIFT_KUBEVIRT_STORAGE_VM="${VMSHIFT_KUBEVIRT_STORAGE_VM:-default/vmshift-cirros-data}" \
  VMSHIFT_KUBEVIRT_TARGET_STORAGE="${VMSHIFT_KUBEVIRT_TARGET_STORAGE:-vmshift-local-b}" \
  bash .ci/toolchain.sh pnpm --silent vmshift conformance --target kubevirt-live --format "${FORMAT:-markdown}" || suite=$?

# The feature cases (cases.ts): MigrationPolicy precedence, a tuned migration, a storage migration
# and a decentralized migration into another namespace. The policies exist only for them.
log "running the feature cases (policy, tuned, storage, cross-cluster)"
cases=0
kc apply -f "$LANE_DIR/policies.yaml"
VMSHIFT_KUBECONFIG="$KUBECONFIG_OUT" \
  bash .ci/toolchain.sh env NODE_OPTIONS="--import=$REPO_ROOT/tools/workspace-sources.mjs" node "$LANE_DIR/cases.ts" || cases=$?
kc delete -f "$LANE_DIR/policies.yaml" --ignore-not-found
if [ "$suite" -ne 0 ] || [ "$cases" -ne 0 ]; then
  log "failed: conformance suite exit $suite, feature cases exit $cases"
  exit 1
fi
