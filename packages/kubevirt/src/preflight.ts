/**
 * Pre-migration checks (advisory; KubeVirt's webhooks and scheduler still decide); changes nothing.
 * The checks are pure functions of what was read, so a start runs the ones its own reads allow
 * ({@link vmChecks} on the VMI, {@link nodeChecks} on the target Node; room on the node and the
 * parallel limits are left to KubeVirt there) while {@link runPreflight} reads the rest: the
 * VMIs on the target node (room), the cluster's migrations (one in flight, the parallel limits) and,
 * only when a migration runs, the KubeVirt CR (the limits themselves).
 */
import { type CheckCategory, type NormalizedMigrationRequest, type OperationContext, type PreflightCheck, VmshiftError, isVmshiftError } from "@vmshift/core";
import type { ObjectRef } from "./ids.ts";
import type { KubevirtApi } from "./resources/api.ts";
import { ANNOTATIONS, kvPhase } from "./resources/migration.ts";
import { allocatable, unschedulableReasons, usageByNode } from "./resources/node.ts";
import { POLICY_LABEL, type PolicyDefaults, STALL_DETECTION_GATE, matchPolicy, policyBody, tuningOf, whyPolicyWins } from "./resources/policy.ts";
import { cpuRequestCores, liveMigratableCondition, memoryRequestBytes } from "./resources/vm.ts";
import { type KubeNode, type KvLiveMigratableReason, type KvMigration, type KvVirtualMachine, type KvVmi, LABELS } from "./types.ts";

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

/** KubeVirt phases of a migration that counts against the parallel limits (Pending ones wait). */
const ACTIVE_PHASES = new Set(["Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"]);
const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

/** What the VM and its VMI say: state, migratability, eviction strategy, a migration the VMI reports in flight. */
export function vmChecks(vm: KvVirtualMachine | undefined, vmi: KvVmi | undefined, request: NormalizedMigrationRequest): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  if (request.mode !== "live") {
    if (!vm) checks.push(check("vm.bare", "state", "error", "a VirtualMachineInstance without a VirtualMachine cannot be moved cold (nothing would start it again); live-migrate it instead"));
    return checks;
  }
  if (!vmi || vmi.status?.phase !== "Running") {
    checks.push(check("vm.running", "state", "error", `the VM is not running (VMI phase ${vmi?.status?.phase ?? "none"}); live migration needs a running VMI`));
    return checks;
  }
  const condition = liveMigratableCondition(vmi);
  if (condition && !condition.status) {
    const reason = (condition.reason ?? "NotMigratable") as KvLiveMigratableReason;
    checks.push(check("kubevirt.LiveMigratable", LIVE_MIGRATABLE_CATEGORY[reason] ?? "compatibility", "error", `not live-migratable: ${reason}${condition.message ? `: ${condition.message}` : ""}`, condition));
  } else if (condition) checks.push(check("kubevirt.LiveMigratable", "compatibility", "info", "the VMI reports LiveMigratable=True"));
  else checks.push(check("kubevirt.LiveMigratable", "compatibility", "warning", "the VMI has no LiveMigratable condition yet"));
  const strategy = vmi.spec.evictionStrategy ?? undefined;
  if (strategy === "None") checks.push(check("kubevirt.evictionStrategy", "policy", "info", "evictionStrategy None: a node drain would stop this VM instead of migrating it", { evictionStrategy: strategy }));
  // KubeVirt's own admission refuses on the same condition (a migrationState of another migration, neither completed nor failed).
  const state = vmi.status.migrationState;
  if (state?.migrationUid && !state.completed && !state.failed) checks.push(check("migration.inFlight", "state", "error", `migration ${state.migrationUid} of this VM is already in progress (the VMI reports it)`, { migrationUid: state.migrationUid }));
  return checks;
}

/** What the target Node says: it exists, it is not the source, it takes new VMs, the VM may run there. `node` undefined: it does not exist. */
export function nodeChecks(node: KubeNode | undefined, target: string, source: string | undefined, spec: KvVmi["spec"] | undefined): PreflightCheck[] {
  if (!node) return [check("host.exists", "compatibility", "error", `node ${target} does not exist`)];
  const checks: PreflightCheck[] = [];
  if (target === source) checks.push(check("host.same", "state", "error", `the VM already runs on ${source}`));
  for (const reason of unschedulableReasons(node)) checks.push(check("host.schedulable", "compatibility", "error", `node ${target} takes no new VMs: ${reason}`, { node: target }));
  const mismatch = placementMismatch(spec, node);
  if (mismatch) checks.push(check("vm.placement", "policy", "error", `the VM may not run on ${target}: ${mismatch}`));
  return checks;
}

/** Room on the target: its allocatable memory and CPU minus what the VMIs on it ask for. */
export function capacityChecks(node: KubeNode, target: string, vmisOnNode: readonly KvVmi[], spec: KvVmi["spec"] | undefined): PreflightCheck[] {
  const checks: PreflightCheck[] = [];
  const used = usageByNode(vmisOnNode).get(target) ?? { memoryBytes: 0, cpuCores: 0 };
  const room = allocatable(node);
  const needMemory = memoryRequestBytes(spec);
  const needCpu = cpuRequestCores(spec);
  if (room.memoryBytes !== undefined && needMemory !== undefined && room.memoryBytes - used.memoryBytes < needMemory) {
    checks.push(check("host.memory", "capacity", "error", `node ${target} has ${room.memoryBytes - used.memoryBytes} bytes of allocatable memory free; the VM asks for ${needMemory}`, { allocatable: room.memoryBytes, used: used.memoryBytes, needed: needMemory }));
  }
  if (room.cpuCores !== undefined && needCpu !== undefined && room.cpuCores - used.cpuCores < needCpu) {
    checks.push(check("host.cpu", "capacity", "error", `node ${target} has ${room.cpuCores - used.cpuCores} allocatable CPUs free; the VM asks for ${needCpu}`, { allocatable: room.cpuCores, used: used.cpuCores, needed: needCpu }));
  }
  return checks;
}

/** A migration of this VM that is neither Succeeded nor Failed, among `migrations`. */
export function inFlightMigration(migrations: readonly KvMigration[], ref: ObjectRef): KvMigration | undefined {
  return migrations.find((m) => (m.metadata?.namespace ?? ref.namespace) === ref.namespace && (m.spec.vmiName ?? m.metadata?.labels?.[LABELS.vmiName]) === ref.name && !FINAL_PHASES.has(kvPhase(m)));
}

/** Whether the new migration would queue behind `parallelMigrationsPerCluster` or `parallelOutboundMigrationsPerNode`. */
export function limitChecks(active: readonly KvMigration[], source: string | undefined, configured: Partial<typeof MIGRATION_DEFAULTS> | undefined): PreflightCheck[] {
  if (active.length === 0) {
    return [check("cluster.migrationConfig", "policy", "info", "no migration runs in the cluster now: this one does not wait for parallelMigrationsPerCluster or parallelOutboundMigrationsPerNode", { running: 0 })];
  }
  const config = { ...MIGRATION_DEFAULTS, ...(configured ?? {}) };
  const fromSource = active.filter((m) => m.metadata?.annotations?.[ANNOTATIONS.sourceHost] === source || m.metadata?.annotations?.[LABELS.evacuationMigration] === source || m.status?.migrationState?.sourceNode === source);
  const native = { parallelMigrationsPerCluster: config.parallelMigrationsPerCluster, parallelOutboundMigrationsPerNode: config.parallelOutboundMigrationsPerNode, running: active.length, fromSource: fromSource.length };
  if (active.length >= Number(config.parallelMigrationsPerCluster)) return [check("cluster.parallelMigrations", "policy", "warning", `${active.length} migrations run in the cluster (limit ${config.parallelMigrationsPerCluster}): this one will queue in Pending`, native)];
  if (source && fromSource.length >= Number(config.parallelOutboundMigrationsPerNode)) return [check("cluster.parallelOutbound", "policy", "warning", `${fromSource.length} migrations leave ${source} (limit ${config.parallelOutboundMigrationsPerNode}): this one will queue`, native)];
  return [check("cluster.migrationConfig", "policy", "info", `cluster limits: ${config.parallelMigrationsPerCluster} migrations per cluster, ${config.parallelOutboundMigrationsPerNode} outbound per node; completionTimeoutPerGiB ${config.completionTimeoutPerGiB} s, progressTimeout ${config.progressTimeout} s`, native)];
}

/** A Node, undefined when it does not exist, null when this identity may not read nodes. */
export async function readNode(api: KubevirtApi, name: string, signal?: AbortSignal): Promise<KubeNode | undefined | null> {
  try {
    return await api.findNode(name, signal);
  } catch (error) {
    if (isVmshiftError(error, "PERMISSION_DENIED")) return null;
    throw error;
  }
}

/** `fn()`, or undefined when this identity lacks the permission (a namespace-scoped Role). */
async function permitted<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (isVmshiftError(error, "PERMISSION_DENIED")) return undefined;
    throw error;
  }
}

/**
 * Runs every check for one request. Reads, for a live migration to a named node: the VMI (the VM
 * too when there is no VMI, or for a cold move), the Node, the VMIs on it (label
 * `kubevirt.io/nodeName`), every migration of the cluster (one of this VM in flight, the parallel
 * limits) and, only when some migration runs, the KubeVirt CR. Reads this identity may not make
 * (a namespace-scoped Role) become warnings, and the namespace's migrations of the VM stand in.
 */
export async function runPreflight(api: KubevirtApi, ref: ObjectRef, request: NormalizedMigrationRequest, ctx: OperationContext, policyDefaults: PolicyDefaults = {}): Promise<PreflightCheck[]> {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  const live = request.mode === "live";
  // A bare VMI (no VirtualMachine) is checked on its own; NOT_FOUND only when neither exists.
  const vmi = await api.findVmi(ref, ctx.signal);
  const vm: KvVirtualMachine | undefined = !live || !vmi ? await api.findVm(ref, ctx.signal) : undefined;
  if (!vm && !vmi) throw new VmshiftError("NOT_FOUND", `VM ${ref.namespace}/${ref.name} does not exist (no VirtualMachine or VirtualMachineInstance of that name)`, { adapter: "kubevirt", operation: "migration.preflight", subject: `${ref.namespace}/${ref.name}` });
  const spec = vmi?.spec ?? vm?.spec.template?.spec;
  const source = vmi?.status?.nodeName;
  const checks = vmChecks(vm, vmi, request);

  const target = request.targetHostId;
  if (target !== undefined) {
    const node = await readNode(api, target, ctx.signal);
    if (node === null) checks.push(check("host.readable", "compatibility", "warning", `node ${target} was not checked: this identity may not read nodes (KubeVirt's scheduler still decides)`));
    else {
      checks.push(...nodeChecks(node, target, source, spec));
      if (node) {
        const onNode = await permitted(() => api.listVmis(undefined, { labelSelector: `${LABELS.nodeName}=${target}`, ...signal }));
        if (onNode) checks.push(...capacityChecks(node, target, onNode.items, spec));
        else checks.push(check("host.capacity", "capacity", "warning", `room on node ${target} was not checked: this identity may not list VMIs in every namespace`));
      }
    }
  }

  if (live && vmi?.status?.phase === "Running") {
    const all = await permitted(() => api.listMigrations(undefined, signal));
    const mine = all ? undefined : await api.listMigrations(ref.namespace, { labelSelector: `${LABELS.vmiName}=${ref.name}`, ...signal });
    const inFlight = inFlightMigration((all ?? mine)!.items, ref);
    if (inFlight && !checks.some((c) => c.id === "migration.inFlight")) checks.push(check("migration.inFlight", "state", "error", `migration ${inFlight.metadata?.name} of this VM is already in progress (${kvPhase(inFlight) || "unset"})`, { name: inFlight.metadata?.name }));
    if (!all) checks.push(check("cluster.migrationConfig", "policy", "warning", "the parallel migration limits were not checked: this identity may not list migrations in every namespace"));
    else {
      const active = all.items.filter((m) => ACTIVE_PHASES.has(kvPhase(m)));
      // The limits matter only when something runs; the KubeVirt CR is read only then.
      const kv = active.length > 0 ? await api.findKubeVirt(ctx.signal) : undefined;
      checks.push(...limitChecks(active, source, kv?.spec.configuration?.migrations as Partial<typeof MIGRATION_DEFAULTS> | undefined));
    }
    checks.push(...(await policyChecks(api, ref, vmi, request, policyDefaults, ctx.signal)));
  }
  return checks;
}

/**
 * For a tuned request only (bandwidth, auto-converge, post-copy, max downtime): whether the
 * MigrationPolicy vmshift would make for it would be the one KubeVirt applies, given the policies
 * there are (paged) and the VMI's and Namespace's labels, and, when it sets `maxDowntimeMs`, whether
 * the KubeVirt CR enables the MigrationStallDetection gate KubeVirt v1.9.0's policy validator needs
 * for that field (one more read). Untuned requests read nothing here.
 */
export async function policyChecks(api: KubevirtApi, ref: ObjectRef, vmi: KvVmi, request: NormalizedMigrationRequest, defaults: PolicyDefaults, signal?: AbortSignal): Promise<PreflightCheck[]> {
  let tuning;
  try {
    tuning = tuningOf(request, defaults);
  } catch (error) {
    if (isVmshiftError(error, "INVALID_ARGUMENT")) return [check("kubevirt.migrationPolicy", "policy", "error", error.message)];
    throw error;
  }
  if (!tuning) return [];
  const mine = policyBody(tuning);
  const name = mine.metadata!.name!;
  const policies = await api.listMigrationPolicies(signal);
  if (!policies) return [check("kubevirt.migrationPolicy", "policy", "warning", `this identity may not list migrationpolicies.migrations.kubevirt.io (cluster-scoped), so it most likely may not create MigrationPolicy ${name} either: the tuned start would fail PERMISSION_DENIED`, { policy: name, tuning })];
  const gate = tuning.maxDowntimeMs === undefined ? [] : await stallDetectionChecks(api, name, signal);
  const namespaceLabels = await api.namespaceLabels(ref.namespace, signal);
  const others = policies.filter((p) => p.metadata?.name !== name);
  const vmiLabels = { ...(vmi.metadata?.labels ?? {}), [POLICY_LABEL]: name };
  const winner = matchPolicy([...others, mine], vmiLabels, namespaceLabels ?? {});
  const native = { policy: name, tuning, ...(winner ? { winner: winner.metadata?.name } : {}), namespaceLabelsRead: namespaceLabels !== undefined };
  if (winner && winner.metadata?.name !== name) {
    const why = whyPolicyWins(winner, mine, vmiLabels, namespaceLabels ?? {});
    return [...gate, check("kubevirt.migrationPolicy", "policy", "warning", `MigrationPolicy ${winner.metadata?.name} would apply instead of vmshift's ${name} (KubeVirt's precedence: ${why}): the requested tuning would not take effect`, native)];
  }
  const exists = policies.some((p) => p.metadata?.name === name);
  return [...gate, check("kubevirt.migrationPolicy", "policy", "info", `MigrationPolicy ${name} (${exists ? "exists" : "created by the start"}) would apply: ${Object.entries(tuning).map(([k, v]) => `${k} ${v}`).join(", ")}${namespaceLabels ? "" : "; the namespace's labels were not readable, so a policy selecting on them was not weighed"}`, native)];
}

/** KubeVirt v1.9.0 admits `maxDowntimeMs` on a MigrationPolicy only with the MigrationStallDetection feature gate. */
async function stallDetectionChecks(api: KubevirtApi, name: string, signal?: AbortSignal): Promise<PreflightCheck[]> {
  const kv = await api.findKubeVirt(signal);
  if (!kv) return [check("kubevirt.migrationPolicy.gate", "policy", "warning", `the KubeVirt CR was not readable: MigrationPolicy ${name} sets maxDowntimeMs, which KubeVirt 1.9 admits only with the ${STALL_DETECTION_GATE} feature gate`)];
  const gates = kv.spec.configuration?.developerConfiguration?.featureGates ?? [];
  if (gates.includes(STALL_DETECTION_GATE)) return [];
  return [check("kubevirt.migrationPolicy.gate", "policy", "error", `maxDowntimeMs needs KubeVirt's ${STALL_DETECTION_GATE} feature gate (spec.configuration.developerConfiguration.featureGates of the KubeVirt CR): without it the policy validator refuses the MigrationPolicy and the start fails CAPABILITY_UNAVAILABLE`, { featureGates: gates })];
}
