/**
 * Pre-migration checks (advisory; KubeVirt's webhooks and scheduler still decide). Reads the VM,
 * its VMI, the target Node, the VMIs on it, in-flight migrations and the KubeVirt CR; changes nothing.
 */
import { type CheckCategory, type NormalizedMigrationRequest, type OperationContext, type PreflightCheck, VmshiftError } from "@vmshift/core";
import type { ObjectRef } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { ANNOTATIONS, kvPhase } from "./resources/migration.ts";
import { allocatable, unschedulableReasons, usageByNode } from "./resources/node.ts";
import { cpuRequestCores, liveMigratableCondition, memoryRequestBytes } from "./resources/vm.ts";
import { type KubeNode, type KvLiveMigratableReason, type KvVirtualMachine, type KvVmi, LABELS } from "./types.ts";

/** Category of each `LiveMigratable=False` reason. */
export const LIVE_MIGRATABLE_CATEGORY: Readonly<Record<KvLiveMigratableReason, CheckCategory>> = {
  DisksNotLiveMigratable: "storage",
  InterfaceNotLiveMigratable: "network",
  HotplugNotLiveMigratable: "device",
  CPUModeLiveMigratable: "compatibility",
  VirtIOFSNotLiveMigratable: "storage",
  HostDeviceNotLiveMigratable: "device",
  SEVNotLiveMigratable: "device",
  SecureExecutionNotLiveMigratable: "device",
  TDXNotLiveMigratable: "device",
  NoTSCFrequencyNotLiveMigratable: "compatibility",
  HypervPassthroughNotLiveMigratable: "compatibility",
  PersistentReservationNotLiveMigratable: "storage",
  DecentralizedNotLiveMigratable: "compatibility",
  NotMigratable: "compatibility",
};

/** Defaults of `spec.configuration.migrations` in KubeVirt v1.9.0 (pkg/virt-config/virt-config.go). */
export const MIGRATION_DEFAULTS = { parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2, completionTimeoutPerGiB: 150, progressTimeout: 150 } as const;

const check = (id: string, category: CheckCategory, severity: PreflightCheck["severity"], message: string, native?: unknown): PreflightCheck => ({ id, category, severity, message, ...(native === undefined ? {} : { native }) });

/** Whether a node satisfies the VMI's nodeSelector and required node affinity. */
export function placementMismatch(spec: KvVmi["spec"] | undefined, node: KubeNode): string | undefined {
  const labels = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return `nodeSelector ${key}=${value} does not match the node`;
  }
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && terms.length > 0) {
    const ok = terms.some((term) =>
      (term.matchExpressions ?? []).every((e) => {
        const v = labels[e.key];
        switch (e.operator) {
          case "In": return v !== undefined && (e.values ?? []).includes(v);
          case "NotIn": return v === undefined || !(e.values ?? []).includes(v);
          case "Exists": return v !== undefined;
          case "DoesNotExist": return v === undefined;
          case "Gt": return v !== undefined && Number(v) > Number(e.values?.[0]);
          case "Lt": return v !== undefined && Number(v) < Number(e.values?.[0]);
          default: return false;
        }
      }),
    );
    if (!ok) return "required node affinity does not match the node";
  }
  return undefined;
}

/** Runs every check for one request. */
export async function runPreflight(api: KubevirtApi, ref: ObjectRef, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  // A bare VMI (no VirtualMachine) is checked on its own; NOT_FOUND only when neither exists.
  const vm: KvVirtualMachine | undefined = await api.findVm(ref, ctx.signal);
  const vmi = await api.findVmi(ref, ctx.signal);
  if (!vm && !vmi) throw new VmshiftError("NOT_FOUND", `VM ${ref.namespace}/${ref.name} does not exist (no VirtualMachine or VirtualMachineInstance of that name)`, { adapter: "kubevirt", operation: "migration.preflight", subject: `${ref.namespace}/${ref.name}` });
  const live = request.mode === "live";
  const spec = vmi?.spec ?? vm?.spec.template?.spec;
  if (!live && !vm) checks.push(check("vm.bare", "state", "error", "a VirtualMachineInstance without a VirtualMachine cannot be moved cold (nothing would start it again); live-migrate it instead"));

  if (live) {
    if (!vmi || vmi.status?.phase !== "Running") {
      checks.push(check("vm.running", "state", "error", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); live migration needs a running VMI`));
    } else {
      const condition = liveMigratableCondition(vmi);
      if (condition && !condition.status) {
        const reason = (condition.reason ?? "NotMigratable") as KvLiveMigratableReason;
        checks.push(check("kubevirt.LiveMigratable", LIVE_MIGRATABLE_CATEGORY[reason] ?? "compatibility", "error", `not live-migratable: ${reason}${condition.message ? `: ${condition.message}` : ""}`, condition));
      } else if (condition) checks.push(check("kubevirt.LiveMigratable", "compatibility", "info", "the VMI reports LiveMigratable=True"));
      else checks.push(check("kubevirt.LiveMigratable", "compatibility", "warning", "the VMI has no LiveMigratable condition yet"));
      const strategy = vmi.spec.evictionStrategy ?? undefined;
      if (strategy === "None") checks.push(check("kubevirt.evictionStrategy", "policy", "info", "evictionStrategy None: a node drain would stop this VM instead of migrating it", { evictionStrategy: strategy }));
      const inFlight = (await api.listMigrations(ref.namespace, { labelSelector: `${LABELS.vmiName}=${ref.name}`, ...(ctx.signal ? { signal: ctx.signal } : {}) })).items.find((m) => !["Succeeded", "Failed"].includes(kvPhase(m)));
      if (inFlight) checks.push(check("migration.inFlight", "state", "error", `migration ${inFlight.metadata?.name} of this VM is already in progress (${kvPhase(inFlight) || "unset"})`, { name: inFlight.metadata?.name }));
    }
  }

  const source = vmi?.status?.nodeName;
  if (request.targetHostId !== undefined) {
    const node = await api.findNode(request.targetHostId, ctx.signal);
    if (!node) {
      checks.push(check("host.exists", "compatibility", "error", `node ${request.targetHostId} does not exist`));
    } else {
      if (request.targetHostId === source) checks.push(check("host.same", "state", "error", `the VM already runs on ${source}`));
      for (const reason of unschedulableReasons(node)) checks.push(check("host.schedulable", "compatibility", "error", `node ${request.targetHostId} takes no new VMs: ${reason}`, { node: request.targetHostId }));
      const mismatch = placementMismatch(spec, node);
      if (mismatch) checks.push(check("vm.placement", "policy", "error", `the VM may not run on ${request.targetHostId}: ${mismatch}`));
      const vmis = (await api.listVmis(undefined, ctx.signal ? { signal: ctx.signal } : {})).items;
      const used = usageByNode(vmis).get(request.targetHostId) ?? { memoryBytes: 0, cpuCores: 0 };
      const room = allocatable(node);
      const needMemory = memoryRequestBytes(spec);
      const needCpu = cpuRequestCores(spec);
      if (room.memoryBytes !== undefined && needMemory !== undefined && room.memoryBytes - used.memoryBytes < needMemory) {
        checks.push(check("host.memory", "capacity", "error", `node ${request.targetHostId} has ${room.memoryBytes - used.memoryBytes} bytes of allocatable memory free; the VM asks for ${needMemory}`, { allocatable: room.memoryBytes, used: used.memoryBytes, needed: needMemory }));
      }
      if (room.cpuCores !== undefined && needCpu !== undefined && room.cpuCores - used.cpuCores < needCpu) {
        checks.push(check("host.cpu", "capacity", "error", `node ${request.targetHostId} has ${room.cpuCores - used.cpuCores} allocatable CPUs free; the VM asks for ${needCpu}`, { allocatable: room.cpuCores, used: used.cpuCores, needed: needCpu }));
      }
    }
  }

  if (live) {
    const kv = await api.findKubeVirt(ctx.signal);
    const config = { ...MIGRATION_DEFAULTS, ...(kv?.spec.configuration?.migrations ?? {}) };
    const all = (await api.listMigrations(undefined, ctx.signal ? { signal: ctx.signal } : {})).items.filter((m) => ["Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"].includes(kvPhase(m)));
    const fromSource = all.filter((m) => m.metadata?.annotations?.[ANNOTATIONS.sourceHost] === source || m.metadata?.annotations?.[LABELS.evacuationMigration] === source || m.status?.migrationState?.sourceNode === source);
    const native = { parallelMigrationsPerCluster: config.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: config.parallelOutboundMigrationsPerNode, running: all.length, fromSource: fromSource.length };
    if (all.length >= Number(config.parallelMigrationsPerCluster)) checks.push(check("cluster.parallelMigrations", "policy", "warning", `${all.length} migrations run in the cluster (limit ${config.parallelMigrationsPerCluster}): this one will queue in Pending`, native));
    else if (source && fromSource.length >= Number(config.parallelOutboundMigrationsPerNode)) checks.push(check("cluster.parallelOutbound", "policy", "warning", `${fromSource.length} migrations leave ${source} (limit ${config.parallelOutboundMigrationsPerNode}): this one will queue`, native));
    else checks.push(check("cluster.migrationConfig", "policy", "info", `cluster limits: ${config.parallelMigrationsPerCluster} migrations per cluster, ${config.parallelOutboundMigrationsPerNode} outbound per node; completionTimeoutPerGiB ${config.completionTimeoutPerGiB} s, progressTimeout ${config.progressTimeout} s`, native));
  }
  return checks;
}
