#!/usr/bin/env bash
# Brings up kind (1 control plane + 2 workers), KubeVirt (software emulation when there is no
# /dev/kvm; feature gates and workload updates for the feature cases, kubevirt-cr.yaml), two
# live-migratable VMs (containerDisk + masquerade), a VM on a claim with a second StorageClass
# (storage.yaml) and the namespace receiving the decentralized migration (receiver.yaml), and writes the kubeconfig to
# .cache/kubevirt-kind/kubeconfig. Exits 3 with a clear message when this machine cannot run it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_tools
release_url="https://github.com/kubevirt/kubevirt/releases/download/${KUBEVIRT_VERSION}"
mkdir -p "$(dirname "$KUBECONFIG_OUT")"

if kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  log "cluster $KIND_CLUSTER exists; reusing it"
else
  log "creating kind cluster $KIND_CLUSTER (1 control plane, 2 workers)"
  image_args=()
  if [ -n "$KIND_NODE_IMAGE" ]; then image_args=(--image "$KIND_NODE_IMAGE"); fi
  kind create cluster --name "$KIND_CLUSTER" --config "$LANE_DIR/kind-config.yaml" "${image_args[@]}" --wait 5m
fi
kind get kubeconfig --name "$KIND_CLUSTER" >"$KUBECONFIG_OUT"

log "installing KubeVirt $KUBEVIRT_VERSION"
kc apply -f "$release_url/kubevirt-operator.yaml"
kc -n kubevirt wait deployment/virt-operator --for condition=Available --timeout=5m
kc apply -f "$LANE_DIR/kubevirt-cr.yaml"
if [ -e /dev/kvm ]; then
  log "/dev/kvm found: hardware virtualization"
  kc -n kubevirt patch kubevirt kubevirt --type=merge -p '{"spec":{"configuration":{"developerConfiguration":{"useEmulation":false}}}}'
else
  log "no /dev/kvm: software emulation (slow, but live migration works)"
fi
kc -n kubevirt wait kv kubevirt --for condition=Available --timeout=15m

log "creating the test VMs, the second StorageClass and the receiving namespace"
kc apply -f "$LANE_DIR/vms.yaml"
kc apply -f "$LANE_DIR/storage.yaml"
kc apply -f "$LANE_DIR/receiver.yaml"
for vm in vmshift-cirros-a vmshift-cirros-b; do
  kc -n default wait "vmi/$vm" --for condition=Ready --timeout=10m
  kc -n default wait "vmi/$vm" --for condition=LiveMigratable --timeout=5m
done
# A VM on a ReadWriteOnce claim is not LiveMigratable (only a volume migration moves it): Ready is enough.
kc -n default wait vmi/vmshift-cirros-data --for condition=Ready --timeout=10m
log "ready: KUBECONFIG=$KUBECONFIG_OUT"
