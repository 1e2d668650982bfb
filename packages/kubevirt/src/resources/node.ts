/** Kubernetes Node → vmshift `Host`, and the scheduling facts preflight needs. */
import type { Host } from "@vmshift/core";
import { LABELS, type KubeNode, type KvVmi } from "../types.ts";
import { parseQuantity } from "./quantity.ts";
import { cpuRequestCores, memoryRequestBytes } from "./vm.ts";

/** Taint effects that keep new pods off a node. */
const BLOCKING_EFFECTS = new Set(["NoSchedule", "NoExecute"]);

/** Why a node takes no new VMs; empty when it does. */
export function unschedulableReasons(node: KubeNode): string[] {
  const reasons: string[] = [];
  if (node.spec?.unschedulable) reasons.push("cordoned (spec.unschedulable)");
  if (node.metadata?.labels?.[LABELS.schedulable] === "false") reasons.push(`${LABELS.schedulable}=false (virt-handler not ready)`);
  for (const taint of node.spec?.taints ?? []) {
    if (BLOCKING_EFFECTS.has(taint.effect) && taint.key !== "node.kubernetes.io/unschedulable") reasons.push(`taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}`);
  }
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready && ready.status !== "True") reasons.push(`node not Ready (${ready.reason ?? ready.status})`);
  return reasons;
}

/** Memory and CPU the node's VMIs ask for. */
export interface NodeUsage {
  readonly memoryBytes: number;
  readonly cpuCores: number;
}

/** Sums VMI requests per node. */
export function usageByNode(vmis: readonly KvVmi[]): Map<string, NodeUsage> {
  const usage = new Map<string, NodeUsage>();
  for (const vmi of vmis) {
    const node = vmi.status?.nodeName;
    if (!node || vmi.status?.phase === "Succeeded" || vmi.status?.phase === "Failed") continue;
    const before = usage.get(node) ?? { memoryBytes: 0, cpuCores: 0 };
    usage.set(node, { memoryBytes: before.memoryBytes + (memoryRequestBytes(vmi.spec) ?? 0), cpuCores: before.cpuCores + (cpuRequestCores(vmi.spec) ?? 0) });
  }
  return usage;
}

/** Allocatable memory (bytes) and CPU (cores). */
export function allocatable(node: KubeNode): { readonly memoryBytes?: number; readonly cpuCores?: number } {
  const memoryBytes = parseQuantity(node.status?.allocatable?.["memory"]);
  const cpuCores = parseQuantity(node.status?.allocatable?.["cpu"]);
  return { ...(memoryBytes === undefined ? {} : { memoryBytes }), ...(cpuCores === undefined ? {} : { cpuCores }) };
}

/** The vmshift view of a node. `usage` gives `freeMemoryBytes` when known. */
export function toHost(node: KubeNode, usage?: NodeUsage, maxConcurrentMigrations?: number): Host {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  const reasons = unschedulableReasons(node);
  const { memoryBytes, cpuCores } = allocatable(node);
  const maintenance = Boolean(node.spec?.unschedulable) || (node.spec?.taints ?? []).some((t) => t.key === "kubevirt.io/drain" || t.key === "node.kubernetes.io/unschedulable");
  return {
    id: node.metadata?.name ?? "",
    name: node.metadata?.name ?? "",
    connectionState: ready === undefined ? "unknown" : ready.status === "True" ? "connected" : ready.status === "False" ? "disconnected" : "unknown",
    maintenance,
    schedulable: reasons.length === 0,
    ...(cpuCores === undefined ? {} : { cpuCores }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(memoryBytes !== undefined && usage ? { freeMemoryBytes: Math.max(0, memoryBytes - usage.memoryBytes) } : {}),
    ...(maxConcurrentMigrations === undefined ? {} : { maxConcurrentMigrations }),
    ...(node.metadata?.labels ? { labels: { ...node.metadata.labels } } : {}),
  };
}
