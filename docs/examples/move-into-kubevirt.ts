/** A KubeVirt cluster as a move target: cold moves upload through CDI, warm ones go through a transfer pod. */
import type { KubeRequester, MoveTarget } from "@vmshift/move";

export async function main(api: KubeRequester): Promise<MoveTarget> {
  // #region docs
  const { kubevirtMoveTarget } = await import("@vmshift/move");
  const target = kubevirtMoveTarget({
    api, // e.g. new HttpKubeTransport({ kubeConfig: loadKubeConfig() }) from @vmshift/kubevirt
    namespace: "migrated",
    uploadProxy: { url: "https://cdi-uploadproxy.example:443" }, // cold moves: CDI's upload proxy
    transfer: { image: "registry.example/vmshift/qemu-nbd:10.0" }, // warm moves: qemu-nbd in a pod
  });
  // #endregion docs
  return target;
}
