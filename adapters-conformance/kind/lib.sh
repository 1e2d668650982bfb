#!/usr/bin/env bash
# Shared settings and checks of the KubeVirt kind lane. Sourced by up.sh, run.sh and down.sh.

KUBEVIRT_VERSION="${KUBEVIRT_VERSION:-v1.9.0}"
KIND_CLUSTER="${KIND_CLUSTER:-vmshift-kubevirt}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-}"
LANE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LANE_DIR/../.." && pwd)"
KUBECONFIG_OUT="${KUBECONFIG_OUT:-$REPO_ROOT/.cache/kubevirt-kind/kubeconfig}"

# Exit code for "this machine cannot run the lane" (no Docker engine, no kind, no network).
readonly UNAVAILABLE=3

log() {
  printf 'kubevirt-kind: %s\n' "$*" >&2
}

# Prints why the lane cannot run here and exits with $UNAVAILABLE.
unavailable() {
  log "UNAVAILABLE: $*"
  log "nothing was started. The lane needs a Docker engine, kind, kubectl and access to the internet (quay.io, github.com)."
  log "Any other cluster with KubeVirt can be targeted directly: VMSHIFT_KUBECONFIG=<file> pnpm vmshift conformance --target kubevirt-live"
  exit "$UNAVAILABLE"
}

# Checks that the tools and a running Docker engine exist.
require_tools() {
  local tool
  command -v docker >/dev/null 2>&1 || unavailable "no Docker engine on this machine (no 'docker' command)"
  docker info >/dev/null 2>&1 || unavailable "no Docker engine answers here ('docker info' failed)"
  for tool in kind kubectl; do
    command -v "$tool" >/dev/null 2>&1 || unavailable "'$tool' is not installed on this machine"
  done
}

# kubectl against the lane's cluster.
kc() {
  kubectl --kubeconfig "$KUBECONFIG_OUT" "$@"
}
