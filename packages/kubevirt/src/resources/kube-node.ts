/**
 * Kubernetes core/v1 `Node`, only the fields the adapter reads. Hand-written (KubeVirt's OpenAPI
 * document, from which `generated/` comes, does not define it) after the Kubernetes API reference:
 * https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/node-v1/ (`NodeSpec`:
 * `unschedulable`, `taints`; `NodeStatus`: `allocatable`, `capacity`, `conditions`). Every field is
 * optional, as the API server may omit any of them.
 */
import type { KubeObjectMeta } from "../types.ts";

/** A taint (`key`, optional `value`, `effect` NoSchedule | PreferNoSchedule | NoExecute). */
export interface KubeTaint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | (string & {});
  timeAdded?: string;
}

/** A node condition (`Ready`, `MemoryPressure`, …); `status` is True, False or Unknown. */
export interface KubeNodeCondition {
  type: string;
  status: "True" | "False" | "Unknown" | (string & {});
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** `core/v1` Node. Quantities (`cpu: "4"`, `memory: "16Gi"`) are strings. */
export interface KubeNode {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
  spec?: {
    unschedulable?: boolean;
    taints?: KubeTaint[];
    podCIDR?: string;
    providerID?: string;
  };
  status?: {
    allocatable?: Record<string, string>;
    capacity?: Record<string, string>;
    conditions?: KubeNodeCondition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; architecture?: string; operatingSystem?: string };
  };
}
