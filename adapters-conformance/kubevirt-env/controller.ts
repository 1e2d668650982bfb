/**
 * The controllers of the KubeVirt API environment: virt-controller's migration controller (phases
 * of reference §2.4, cancel-by-delete of §4, GC of §5, the parallel limits and timeouts of §7), the
 * VM controller (runStrategy → VMI), a VMI "scheduler" (nodeSelector, cordons, taints, memory), and
 * the fault knobs tests use. Time runs on wall-clock ms, scaled by {@link EnvTiming}.
 */
import { bandwidthBytes, effectiveConfiguration, matchPolicy, type PolicyObject } from "./policies.ts";
import type { Store, StoredObject } from "./store.ts";
import { VOLUME_MIGRATION_LABEL, VolumeMigrations } from "./volumes.ts";

/** How long things take, ms. */
export interface EnvTiming {
  /** Each step before Running (Pending→Scheduling→…→TargetReady). Default 40. */
  readonly stepMs: number;
  /** The transfer (Running → Succeeded). Default 500. */
  readonly transferMs: number;
  /** The transfer of a VM under `slowDown`. Default 4000. */
  readonly slowTransferMs: number;
  /** From the source reporting completion to the VMIM turning Succeeded (vmshift's `finalizing`). Default 150. */
  readonly finalizeMs: number;
  /** From abortRequested to abortStatus Succeeded. Default 100. */
  readonly abortMs: number;
  /** A VMI's shutdown. Default 100. */
  readonly stopMs: number;
  /** Each VMI start step (Pending → Scheduling → Scheduled → Running). Default 50. */
  readonly startStepMs: number;
  /** Stands for KubeVirt's 5-minute unschedulable target pod timeout. Default 1500. */
  readonly unschedulableTimeoutMs: number;
  /** How long one of KubeVirt's "seconds" (completionTimeoutPerGiB, progressTimeout) lasts here. Default 1000. */
  readonly secondMs: number;
  /** Reconcile period. Default 20. */
  readonly tickMs: number;
}

/** Defaults of {@link EnvTiming}. */
export const DEFAULT_TIMING: EnvTiming = { stepMs: 40, transferMs: 500, slowTransferMs: 4000, finalizeMs: 150, abortMs: 100, stopMs: 100, startStepMs: 50, unschedulableTimeoutMs: 1500, secondMs: 1000, tickMs: 20 };

/** Per-VM faults, keyed `namespace/name`. */
export interface VmFaults {
  /** The next migration fails while Running. */
  failTransfer?: boolean;
  /** Migrations take `slowTransferMs`. */
  slow?: boolean;
  /** Migrations make no progress (progressTimeout aborts them). */
  stall?: boolean;
  /** When an abort is requested, the migration completes first (the cancel race). */
  completeBeforeAbort?: boolean;
  /** The VM cannot start on this node (the pod stays Unschedulable). */
  refuseStartOn?: string;
}

/** Whether the VMI of a VM is live-migratable, as virt-handler would compute it. */
export interface Migratability {
  readonly reason: string;
  readonly message: string;
}

type Obj = StoredObject & { spec: any; status: any };
const FINAL = new Set(["Succeeded", "Failed"]);
const ACTIVE = new Set(["Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"]);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function quantity(value: unknown): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|m|k|M|G)?$/.exec(String(value ?? "0"));
  if (!m) return 0;
  const mult: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, m: 1e-3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] ? mult[m[2]]! : 1);
}

const memoryOf = (vmi: Obj) => quantity(vmi.spec?.domain?.resources?.requests?.memory ?? vmi.spec?.domain?.memory?.guest);

/** Controller state kept beside the objects (what virt-controller keeps in its caches). */
interface MigrationProgress {
  enteredAt: number;
  target?: string;
  runningSince?: number;
  abortAt?: number;
  /** When the source reported completion (VMI migrationState.completed); the VMIM turns Succeeded one step later. */
  completedAt?: number;
  /** The effective configuration resolved at hand-off (cluster defaults with the matched MigrationPolicy over them). */
  config?: Record<string, unknown>;
  /** When the migration switched to post-copy (completion timeout reached with allowPostCopy). */
  postCopyAt?: number;
}

/** The controllers. */
export class Controllers {
  readonly faults = new Map<string, VmFaults>();
  readonly notMigratable = new Map<string, Migratability>();
  /** Events recorded on objects (reason, message), newest last; for tests and debugging. */
  readonly events: { object: string; reason: string; message: string }[] = [];
  readonly #store: Store;
  readonly #timing: EnvTiming;
  readonly #now: () => number;
  readonly #migrations = new Map<string, MigrationProgress>();
  readonly #vmiTimes = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #volumes: VolumeMigrations;

  constructor(store: Store, timing: EnvTiming, now: () => number = Date.now) {
    this.#store = store;
    this.#timing = timing;
    this.#now = now;
    this.#volumes = new VolumeMigrations(store, now, timing.secondMs);
  }

  start(): void {
    const loop = () => {
      try {
        this.reconcile();
      } catch (error) {
        this.events.push({ object: "controller", reason: "ReconcileError", message: error instanceof Error ? error.message : String(error) });
      }
      this.#timer = setTimeout(loop, this.#timing.tickMs);
      this.#timer.unref();
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** One pass over every object. */
  reconcile(): void {
    for (const vm of this.#store.all("virtualmachines") as Obj[]) {
      this.#reconcileVm(vm);
      this.#volumes.reconcile(this.#store.get("virtualmachines", vm.metadata.namespace, vm.metadata.name) as Obj);
    }
    for (const vmi of this.#store.all("virtualmachineinstances") as Obj[]) this.#reconcileVmi(vmi);
    for (const vmim of this.#store.all("virtualmachineinstancemigrations") as Obj[]) this.#reconcileMigration(vmim);
  }

  #config(): { parallelMigrationsPerCluster: number; parallelOutboundMigrationsPerNode: number; completionTimeoutPerGiB: number; progressTimeout: number } & Record<string, unknown> {
    const kv = this.#store.all("kubevirts")[0] as Obj | undefined;
    return { parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2, completionTimeoutPerGiB: 150, progressTimeout: 150, ...(kv?.spec?.configuration?.migrations ?? {}) };
  }

  #event(object: StoredObject, reason: string, message: string): void {
    this.events.push({ object: `${object.metadata.namespace}/${object.metadata.name}`, reason, message });
  }

  // ---------------------------------------------------------------- scheduling

  /** Nodes a VMI may run on, with why others are excluded. */
  candidates(vmi: Obj, extraSelector: Record<string, string> = {}, exclude?: string): { nodes: string[]; why: string[] } {
    const key = `${vmi.metadata.namespace}/${vmi.metadata.name}`;
    const selector = { ...extraSelector, ...(vmi.spec?.nodeSelector ?? {}) };
    const need = memoryOf(vmi);
    const used = this.#usage();
    const why: string[] = [];
    const nodes = (this.#store.all("nodes") as Obj[]).filter((node) => {
      const name = node.metadata.name;
      const labels = node.metadata.labels ?? {};
      if (name === exclude) return false;
      if (node.spec?.unschedulable) return void why.push(`${name}: node(s) were unschedulable`);
      if ((node.spec?.taints ?? []).some((t: { effect: string }) => t.effect === "NoSchedule" || t.effect === "NoExecute")) return void why.push(`${name}: node(s) had untolerated taint`);
      if (labels["kubevirt.io/schedulable"] !== "true") return void why.push(`${name}: node(s) didn't match Pod's node affinity/selector`);
      if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return void why.push(`${name}: node(s) didn't match Pod's node affinity/selector`);
      if (this.faults.get(key)?.refuseStartOn === name && !vmi.status?.nodeName) return void why.push(`${name}: Insufficient devices.kubevirt.io/kvm`);
      if (quantity(node.status?.allocatable?.memory) - (used.get(name) ?? 0) < need) return void why.push(`${name}: Insufficient memory`);
      return true;
    });
    return { nodes: nodes.map((n) => n.metadata.name), why };
  }

  /** Memory in use per node: running VMIs plus the targets of active migrations. */
  #usage(): Map<string, number> {
    const used = new Map<string, number>();
    const add = (node: string | undefined, bytes: number) => node && used.set(node, (used.get(node) ?? 0) + bytes);
    const vmis = this.#store.all("virtualmachineinstances") as Obj[];
    for (const vmi of vmis) if (vmi.status?.nodeName && !FINAL.has(vmi.status?.phase)) add(vmi.status.nodeName, memoryOf(vmi));
    for (const m of this.#store.all("virtualmachineinstancemigrations") as Obj[]) {
      const target = this.#migrations.get(m.metadata.uid)?.target;
      const vmi = vmis.find((v) => v.metadata.namespace === m.metadata.namespace && v.metadata.name === m.spec?.vmiName);
      if (target && vmi && ACTIVE.has(m.status?.phase)) add(target, memoryOf(vmi));
    }
    return used;
  }

  // ---------------------------------------------------------------- VMs and VMIs

  #wantsRunning(vm: Obj): boolean {
    if (vm.spec?.running !== undefined) return Boolean(vm.spec.running);
    const strategy = vm.spec?.runStrategy ?? "Halted";
    if (strategy === "Manual") {
      const last = (vm.status?.stateChangeRequests ?? []).at(-1)?.action;
      const vmi = this.#store.get("virtualmachineinstances", vm.metadata.namespace, vm.metadata.name);
      return last ? last === "Start" : Boolean(vmi);
    }
    return strategy !== "Halted";
  }

  #reconcileVm(vm: Obj): void {
    if (vm.spec?.runStrategy === "WaitAsReceiver") return; // decentralized.ts owns receiving VMs
    const ns = vm.metadata.namespace;
    const name = vm.metadata.name;
    const vmi = this.#store.get("virtualmachineinstances", ns, name) as Obj | undefined;
    const want = this.#wantsRunning(vm);
    if (want && !vmi) {
      const notMigratable = this.notMigratable.get(`${ns}/${name}`);
      this.#store.create("virtualmachineinstances", "VirtualMachineInstance", {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachineInstance",
        metadata: {
          name,
          namespace: ns,
          labels: { ...(vm.spec?.template?.metadata?.labels ?? {}), "kubevirt.io/vm": name },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }],
          finalizers: ["foregroundDeleteVirtualMachine"],
        },
        spec: structuredClone(vm.spec?.template?.spec ?? { domain: { devices: {} } }),
        status: {
          phase: "Pending",
          runtimeUser: 107,
          conditions: [
            notMigratable
              ? { type: "LiveMigratable", status: "False", reason: notMigratable.reason, message: notMigratable.message, lastProbeTime: null, lastTransitionTime: null }
              : { type: "LiveMigratable", status: "True", lastProbeTime: null, lastTransitionTime: null },
          ],
        },
      });
      this.#vmiTimes.set(`${ns}/${name}`, this.#now());
    } else if (!want && vmi && !vmi.metadata.deletionTimestamp) {
      const since = this.#vmiTimes.get(`${ns}/${name}:stop`);
      if (since === undefined) this.#vmiTimes.set(`${ns}/${name}:stop`, this.#now());
      else if (this.#now() - since >= this.#timing.stopMs) {
        this.#vmiTimes.delete(`${ns}/${name}:stop`);
        this.#store.mutate("virtualmachineinstances", ns, name, (o) => {
          (o as Obj).status = { ...(o as Obj).status, phase: "Succeeded" };
          o.metadata.finalizers = [];
          o.metadata.deletionTimestamp = iso(this.#now());
        });
      }
    }
    const current = this.#store.get("virtualmachineinstances", ns, name) as Obj | undefined;
    const migrating = current?.status?.migrationState && !current.status.migrationState.completed;
    const printable = !current ? "Stopped" : !want ? "Stopping" : migrating ? "Migrating" : current.status?.phase === "Running" ? "Running" : current.status?.conditions?.some((c: { type: string; reason?: string }) => c.type === "PodScheduled" && c.reason === "Unschedulable") ? "ErrorUnschedulable" : "Starting";
    const status = { ...(vm.status ?? {}), printableStatus: printable, created: Boolean(current), ready: current?.status?.phase === "Running" };
    if (JSON.stringify(status) !== JSON.stringify(vm.status ?? {})) this.#store.mutate("virtualmachines", ns, name, (o) => void ((o as Obj).status = status));
  }

  #reconcileVmi(vmi: Obj): void {
    const key = `${vmi.metadata.namespace}/${vmi.metadata.name}`;
    const phase = vmi.status?.phase ?? "Pending";
    if (phase === "Running" || FINAL.has(phase) || vmi.metadata.deletionTimestamp) return;
    const since = this.#vmiTimes.get(key);
    // A VMI the VM controller did not create (a bare VMI) starts its clock when first seen.
    if (since === undefined) return void this.#vmiTimes.set(key, this.#now());
    if (this.#now() - since < this.#timing.startStepMs) return;
    const set = (change: (status: any) => void) => {
      this.#store.mutate("virtualmachineinstances", vmi.metadata.namespace, vmi.metadata.name, (o) => change(((o as Obj).status ??= {})));
      this.#vmiTimes.set(key, this.#now());
    };
    if (phase === "Pending") return set((s) => void (s.phase = "Scheduling"));
    if (phase === "Scheduling") {
      const { nodes, why } = this.candidates(vmi);
      const scheduled = { type: "PodScheduled", status: nodes.length ? "True" : "False", ...(nodes.length ? {} : { reason: "Unschedulable", message: `0/${this.#store.all("nodes").length} nodes are available: ${[...new Set(why)].join(", ")}.` }), lastProbeTime: null, lastTransitionTime: iso(this.#now()) };
      return set((s) => {
        s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "PodScheduled"), scheduled];
        if (nodes.length) {
          s.phase = "Scheduled";
          s.nodeName = nodes[0];
        }
      });
    }
    if (phase === "Scheduled") {
      this.#store.mutate("virtualmachineinstances", vmi.metadata.namespace, vmi.metadata.name, (o) => {
        const s = (o as Obj).status;
        s.phase = "Running";
        s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "Ready"), { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: iso(this.#now()) }];
        o.metadata.labels = { ...o.metadata.labels, "kubevirt.io/nodeName": s.nodeName };
        s.migrationMethod = "BlockMigration";
        s.migrationTransport = "Unix";
      });
    }
  }

  // ---------------------------------------------------------------- migrations

  #setPhase(vmim: Obj, phase: string, change?: (status: any) => void): void {
    this.#store.mutate("virtualmachineinstancemigrations", vmim.metadata.namespace, vmim.metadata.name, (o) => {
      const s = ((o as Obj).status ??= {});
      s.phase = phase;
      s.phaseTransitionTimestamps = [...(s.phaseTransitionTimestamps ?? []), { phase, phaseTransitionTimestamp: iso(this.#now()) }];
      change?.(s);
    });
    const progress = this.#migrations.get(vmim.metadata.uid);
    if (progress) progress.enteredAt = this.#now();
  }

  #vmiState(vmim: Obj, change: (state: any, vmi: Obj) => void): void {
    this.#store.mutate("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName, (o) => {
      const s = ((o as Obj).status ??= {});
      s.migrationState ??= {};
      change(s.migrationState, o as Obj);
    });
  }

  #fail(vmim: Obj, message: string, reason = "FailedMigration"): void {
    this.#event(vmim, reason, message);
    const vmi = this.#store.get("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName) as Obj | undefined;
    const state = vmi?.status?.migrationState?.migrationUid === vmim.metadata.uid ? structuredClone(vmi.status.migrationState) : undefined;
    this.#setPhase(vmim, "Failed", (s) => {
      if (state) s.migrationState = state;
    });
    this.#afterFinal(vmim);
    this.#volumes.finished(vmim, false);
  }

  #afterFinal(vmim: Obj): void {
    this.#store.mutate("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName, (o) => {
      if (o.metadata.labels) delete o.metadata.labels["kubevirt.io/migrationTargetNodeName"];
    });
    // Keep the 5 newest finalized migrations per VMI (garbageCollectFinalizedMigrations).
    const finals = (this.#store.all("virtualmachineinstancemigrations", vmim.metadata.namespace, { label: `kubevirt.io/vmi-name=${vmim.spec.vmiName}` }) as Obj[])
      .filter((m) => FINAL.has(m.status?.phase))
      .sort((a, b) => Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion));
    for (const old of finals.slice(5)) {
      this.#store.mutate("virtualmachineinstancemigrations", old.metadata.namespace, old.metadata.name, (o) => void (o.metadata.finalizers = []));
      if (this.#store.get("virtualmachineinstancemigrations", old.metadata.namespace, old.metadata.name)) this.#store.delete("virtualmachineinstancemigrations", old.metadata.namespace, old.metadata.name);
    }
  }

  #reconcileMigration(vmim: Obj): void {
    if (vmim.spec?.sendTo || vmim.spec?.receive) return; // decentralized migrations: decentralized.ts
    const uid = vmim.metadata.uid;
    const phase: string = vmim.status?.phase ?? "";
    const ns = vmim.metadata.namespace!;
    const deleting = Boolean(vmim.metadata.deletionTimestamp);
    const progress = this.#migrations.get(uid) ?? { enteredAt: this.#now() };
    this.#migrations.set(uid, progress);
    const elapsed = this.#now() - progress.enteredAt;
    if (FINAL.has(phase)) {
      if (deleting) this.#store.mutate("virtualmachineinstancemigrations", ns, vmim.metadata.name, (o) => void (o.metadata.finalizers = []));
      return;
    }
    if (deleting && !(vmim.status?.conditions ?? []).some((c: { type: string }) => c.type === "migrationAbortRequested")) {
      this.#store.mutate("virtualmachineinstancemigrations", ns, vmim.metadata.name, (o) => {
        const s = ((o as Obj).status ??= {});
        s.conditions = [...(s.conditions ?? []), { type: "migrationAbortRequested", status: "True", lastProbeTime: null, lastTransitionTime: iso(this.#now()) }];
      });
    }
    const vmi = this.#store.get("virtualmachineinstances", ns, vmim.spec.vmiName) as Obj | undefined;
    if (!vmi || vmi.status?.phase !== "Running") return this.#fail(vmim, "Migration failed because vmi does not exist.");
    const key = `${ns}/${vmim.spec.vmiName}`;
    const faults = this.faults.get(key) ?? {};
    const handedOff = ["PreparingTarget", "TargetReady", "Running"].includes(phase);
    if (deleting && !handedOff) return this.#fail(vmim, "Migration failed due to being canceled");
    const config = this.#config();
    const source: string = vmi.status.nodeName;

    switch (phase) {
      case "": {
        const other = (this.#store.all("virtualmachineinstancemigrations", ns, { label: `kubevirt.io/vmi-name=${vmim.spec.vmiName}` }) as Obj[]).find((m) => m.metadata.uid !== uid && ACTIVE.has(m.status?.phase));
        if (other) return this.#fail(vmim, `Migration failed because another migration (${other.metadata.name}) of this VMI is in progress`);
        this.#setPhase(vmim, "Pending", (s) => void (s.migrationState = { sourcePod: `virt-launcher-${vmim.spec.vmiName}-src`, sourceNode: source }));
        return;
      }
      case "Pending": {
        const active = (this.#store.all("virtualmachineinstancemigrations") as Obj[]).filter((m) => ACTIVE.has(m.status?.phase));
        const outbound = active.filter((m) => m.status?.migrationState?.sourceNode === source);
        if (active.length >= Number(config.parallelMigrationsPerCluster) || outbound.length >= Number(config.parallelOutboundMigrationsPerNode)) return; // queued
        if (elapsed < this.#timing.stepMs) return;
        this.#event(vmim, "SuccessfulCreate", `Created migration target pod virt-launcher-${vmim.spec.vmiName}-tgt`);
        this.#setPhase(vmim, "Scheduling");
        return;
      }
      case "Scheduling": {
        if (!progress.target) {
          const { nodes, why } = this.candidates(vmi, vmim.spec.addedNodeSelector ?? {}, source);
          if (nodes[0]) progress.target = nodes[0];
          else {
            if (elapsed >= this.#timing.unschedulableTimeoutMs) return this.#fail(vmim, `Migration target pod was unschedulable: 0/${this.#store.all("nodes").length} nodes are available: ${[...new Set(why)].join(", ")}.`, "migrationTargetPodUnschedulable");
            return;
          }
        }
        if (elapsed >= this.#timing.stepMs) this.#setPhase(vmim, "Scheduled");
        return;
      }
      case "Scheduled": {
        if (elapsed < this.#timing.stepMs) return;
        const sizeError = vmim.metadata.labels?.[VOLUME_MIGRATION_LABEL] ? this.#volumes.sizeError(vmim) : undefined;
        if (sizeError) return this.#fail(vmim, sizeError);
        const policy = this.#policyFor(vmi);
        const resolved = effectiveConfiguration(config, policy);
        progress.config = resolved;
        this.#vmiState(vmim, (state, o) => {
          Object.keys(state).forEach((k) => delete state[k]);
          Object.assign(state, {
            migrationUid: uid,
            sourceNode: source,
            sourcePod: `virt-launcher-${vmim.spec.vmiName}-src`,
            targetNode: progress.target,
            targetPod: `virt-launcher-${vmim.spec.vmiName}-tgt`,
            migrationNetworkType: "Pod",
            migrationConfiguration: resolved,
            ...(policy ? { migrationPolicyName: policy.metadata.name } : {}),
          });
          o.metadata.labels = { ...o.metadata.labels, "kubevirt.io/migrationTargetNodeName": progress.target! };
        });
        this.#event(vmim, "SuccessfulHandOver", "Migration target pod is ready for preparation by virt-handler.");
        this.#setPhase(vmim, "PreparingTarget");
        return;
      }
    }
    // After hand-off: abort by delete goes through virt-handler.
    if (deleting) {
      if (progress.abortAt === undefined) {
        progress.abortAt = this.#now();
        this.#vmiState(vmim, (s) => Object.assign(s, { abortRequested: true, abortStatus: "Aborting" }));
        this.#event(vmim, "SuccessfulAbortMigration", "Migration is ready to be canceled by virt-handler.");
        return;
      }
      if (progress.completedAt !== undefined || (faults.completeBeforeAbort && phase === "Running")) {
        // The migration finished before virt-handler could abort it: the abort fails and the migration succeeds.
        if (this.#now() - progress.abortAt < this.#timing.abortMs && progress.completedAt === undefined) return;
        this.#vmiState(vmim, (s) => Object.assign(s, { abortStatus: "Failed" }));
        if (progress.completedAt === undefined) this.#complete(vmim, progress);
        return this.#succeed(vmim);
      }
      if (this.#now() - progress.abortAt < this.#timing.abortMs) return;
      this.#vmiState(vmim, (s) => Object.assign(s, { abortStatus: "Succeeded", completed: true, failed: true, failureReason: "Live migration has been aborted", endTimestamp: iso(this.#now()) }));
      return this.#fail(vmim, "Migration failed due to being canceled");
    }
    switch (phase) {
      case "PreparingTarget":
        if (elapsed < this.#timing.stepMs) return;
        this.#vmiState(vmim, (s) => Object.assign(s, { targetNodeAddress: `10.244.0.${10 + (this.#store.all("nodes").findIndex((n) => n.metadata.name === progress.target) + 1)}`, targetDirectMigrationNodePorts: { "41457": 49152, "44933": 49153 } }));
        this.#setPhase(vmim, "TargetReady");
        return;
      case "TargetReady":
        if (elapsed < this.#timing.stepMs) return;
        progress.runningSince = this.#now();
        this.#vmiState(vmim, (s) => Object.assign(s, { startTimestamp: iso(this.#now()), mode: "PreCopy" }));
        this.#setPhase(vmim, "Running");
        return;
      case "Running": {
        if (progress.completedAt !== undefined) {
          if (this.#now() - progress.completedAt >= this.#timing.finalizeMs) this.#succeed(vmim);
          return;
        }
        const effective = progress.config ?? config;
        const running = this.#now() - (progress.runningSince ?? this.#now());
        const memoryGiB = Math.max(1, memoryOf(vmi) / 2 ** 30);
        const completionBudget = Number(effective["completionTimeoutPerGiB"] ?? 150) * memoryGiB * this.#timing.secondMs;
        if (faults.failTransfer && running >= this.#timing.transferMs / 2) {
          faults.failTransfer = false;
          this.#vmiState(vmim, (s) => Object.assign(s, { completed: true, failed: true, failureReason: "Live migration failed: operation failed: migration out job: unexpectedly failed", endTimestamp: iso(this.#now()) }));
          return this.#fail(vmim, "source node reported migration failed");
        }
        if (progress.postCopyAt !== undefined) {
          // Post-copy: execution moved to the target; the remaining pages are pulled on demand and the migration always ends.
          if (this.#now() - progress.postCopyAt >= this.#timing.stepMs) this.#complete(vmim, progress);
          return;
        }
        // A stalling guest (dirties memory faster than it is sent) converges once auto-converge throttles it.
        const converges = !faults.stall || effective["allowAutoConverge"] === true;
        if (!converges && running >= Number(effective["progressTimeout"] ?? 150) * this.#timing.secondMs) {
          this.#vmiState(vmim, (s) => Object.assign(s, { completed: true, failed: true, failureReason: "Live migration has been aborted", endTimestamp: iso(this.#now()) }));
          return this.#fail(vmim, `Live migration stuck for ${effective["progressTimeout"]} seconds and has been aborted`);
        }
        if (running >= completionBudget) {
          if (effective["allowPostCopy"] === true) {
            progress.postCopyAt = this.#now();
            this.#vmiState(vmim, (s) => Object.assign(s, { mode: "PostCopy" }));
            this.#event(vmim, "MigrationModeSwitched", "Migration switched to post-copy after the completion timeout");
            return;
          }
          this.#vmiState(vmim, (s) => Object.assign(s, { completed: true, failed: true, failureReason: "Live migration has been aborted", endTimestamp: iso(this.#now()) }));
          return this.#fail(vmim, `Live migration is not completed after ${Math.round(completionBudget / this.#timing.secondMs)} seconds and has been aborted`);
        }
        if (converges && running >= this.transferDuration(vmi, faults, effective)) this.#complete(vmim, progress);
        return;
      }
    }
  }

  /**
   * How long the transfer of a VMI takes, ms: the configured duration (`slowTransferMs` under
   * `slow`, doubled when auto-converge has to throttle a stalling guest), and never less than its
   * memory sent at the policy's `bandwidthPerMigration` (one KubeVirt second per `secondMs`).
   */
  transferDuration(vmi: Obj, faults: VmFaults, effective: Record<string, unknown>): number {
    const base = (faults.slow ? this.#timing.slowTransferMs : this.#timing.transferMs) * (faults.stall ? 2 : 1);
    const bandwidth = bandwidthBytes(effective["bandwidthPerMigration"]);
    return bandwidth > 0 ? Math.max(base, (memoryOf(vmi) / bandwidth) * this.#timing.secondMs) : base;
  }

  /** The source reports completion: the VMI now runs on the target; the VMIM follows on the next step. */
  #complete(vmim: Obj, progress: MigrationProgress): void {
    progress.completedAt = this.#now();
    this.#vmiState(vmim, (s, o) => {
      Object.assign(s, { completed: true, endTimestamp: iso(this.#now()), targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: iso(this.#now()) });
      o.status.nodeName = progress.target;
      o.metadata.labels = { ...o.metadata.labels, "kubevirt.io/nodeName": progress.target! };
    });
  }

  #succeed(vmim: Obj): void {
    const vmi = this.#store.get("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName) as Obj | undefined;
    const final = structuredClone(vmi?.status?.migrationState);
    this.#event(vmim, "SuccessfulMigration", `Source node reported migration succeeded`);
    this.#setPhase(vmim, "Succeeded", (s) => void (s.migrationState = final));
    this.#afterFinal(vmim);
    this.#volumes.finished(vmim, true);
  }

  /**
   * virt-handler's migration metrics (Prometheus text, v1.9 names) for the migrations now in
   * Running: processed and remaining bytes of the guest memory, a dirty rate and a transfer rate.
   */
  metricsText(): string {
    const lines: string[] = [];
    const metric = (name: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    const samples: { labels: string; processed: number; remaining: number; total: number; dirty: number; rate: number }[] = [];
    for (const m of this.#store.all("virtualmachineinstancemigrations") as Obj[]) {
      const progress = this.#migrations.get(m.metadata.uid);
      if (m.status?.phase !== "Running" || progress?.runningSince === undefined || progress.completedAt !== undefined) continue;
      const vmi = this.#store.get("virtualmachineinstances", m.metadata.namespace, m.spec.vmiName) as Obj | undefined;
      if (!vmi) continue;
      const faults = this.faults.get(`${m.metadata.namespace}/${m.spec.vmiName}`) ?? {};
      const effective = progress.config ?? this.#config();
      const duration = this.transferDuration(vmi, faults, effective);
      const total = memoryOf(vmi);
      const fraction = faults.stall && effective["allowAutoConverge"] !== true ? 0.5 : Math.min(1, (this.#now() - progress.runningSince) / duration);
      const processed = Math.round(total * fraction);
      samples.push({ labels: `name="${m.spec.vmiName}",namespace="${m.metadata.namespace}",node="${vmi.status?.nodeName}"`, processed, remaining: total - processed, total, dirty: Math.round(total / 50), rate: Math.round(total / (duration / 1000)) });
    }
    const series: [string, string, (s: (typeof samples)[number]) => number][] = [
      ["kubevirt_vmi_migration_data_processed_bytes", "The total Guest OS data processed and migrated to the new VM.", (x) => x.processed],
      ["kubevirt_vmi_migration_data_remaining_bytes", "The remaining guest OS data to be migrated to the new VM.", (x) => x.remaining],
      ["kubevirt_vmi_migration_data_bytes_total", "The total Guest OS data to be migrated to the new VM.", (x) => x.total],
      ["kubevirt_vmi_migration_dirty_memory_rate_bytes", "The rate of memory being dirty in the Guest OS.", (x) => x.dirty],
      ["kubevirt_vmi_migration_memory_transfer_rate_bytes", "The rate at which the memory is being transferred.", (x) => x.rate],
    ];
    for (const [name, help, value] of series) {
      metric(name, help);
      for (const sample of samples) lines.push(`${name}{${sample.labels}} ${value(sample)}`);
    }
    return `${lines.join("\n")}\n`;
  }

  /** The MigrationPolicy KubeVirt applies to the VMI (policies.ts: VMI and Namespace labels, KubeVirt's precedence). */
  #policyFor(vmi: Obj): Obj | undefined {
    const namespace = this.#store.get("namespaces", undefined, vmi.metadata.namespace ?? "");
    return matchPolicy(this.#store.all("migrationpolicies") as unknown as PolicyObject[], vmi.metadata.labels ?? {}, namespace?.metadata.labels ?? {}) as unknown as Obj | undefined;
  }
}
