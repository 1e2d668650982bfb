/**
 * Decentralized (cross-cluster) live migration between paired environments, as KubeVirt ≥ 1.6
 * documents it (user guide `docs/compute/decentralized_live_migration.md`; Alpha feature gate
 * `DecentralizedLiveMigration`):
 *
 * - a VM with `runStrategy: WaitAsReceiver` gets a receiving VMI (phase `WaitingForSync`); the VM
 *   shows `printableStatus: WaitingForReceiver`;
 * - a target VMIM (`spec.receive.migrationID`) names that VMI; its status carries the cluster's
 *   `synchronizationAddresses`, which the KubeVirt CR's status also lists;
 * - a source VMIM (`spec.sendTo{migrationID, connectURL}`) on the other cluster connects to that
 *   address; the target VMIM waits in `WaitingForSync`, the source's in `Synchronizing`; once both
 *   exist, both walk the usual phases from `Pending` together (the sync controller's job);
 * - success: the target VMI runs, the target VM takes the run strategy of its
 *   `kubevirt.io/restore-run-strategy` annotation; the source VMI ends (phase Succeeded, removed)
 *   and the source VM is halted (the guide leaves removing it to the orchestrator);
 * - failure (a `failTransfer` fault on either VM, an unknown `connectURL`) or a VMIM deleted on
 *   either side: both VMIMs fail, the source keeps running, the receiving VMI fails. Not retried.
 *
 * Not modelled: TLS between the sync controllers (the `kubevirt-ca` / `kubevirt-external-ca`
 * exchange), disk copy (storage is not simulated), networks of the target cluster.
 */
import type { Controllers, EnvTiming } from "./controller.ts";
import type { Store, StoredObject } from "./store.ts";

type Obj = StoredObject & { spec: any; status: any };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const FINAL = new Set(["Succeeded", "Failed"]);
/**
 * Until the sync controllers have paired them, the target VMIM waits in `WaitingForSync` and the
 * source's in `Synchronizing` (virt-controller's migration controller, KubeVirt ≥ 1.6); then both
 * walk these phases, each `stepMs` long, then `Running` for `transferMs`.
 */
const STEPS = ["Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"] as const;
/** The feature gate KubeVirt requires for `sendTo` / `receive`. */
export const DECENTRALIZED_GATE = "DecentralizedLiveMigration";
/** The port virt-synchronization-controller listens on in this environment's addresses. */
const SYNC_PORT = 9185;

/** One environment taking part: its store, controllers (faults, scheduling) and sync address. */
export interface SyncMember {
  readonly store: Store;
  readonly controllers: Controllers;
  readonly timing: EnvTiming;
  /** The address its KubeVirt CR lists in `status.synchronizationAddresses`. */
  readonly address: string;
}

/** Whether the KubeVirt CR of a store enables the DecentralizedLiveMigration feature gate. */
export function decentralizedGateOn(store: Store): boolean {
  const kv = store.all("kubevirts")[0] as Obj | undefined;
  return (kv?.spec?.configuration?.developerConfiguration?.featureGates ?? []).includes(DECENTRALIZED_GATE);
}

/** Turns the feature gate on or off in a store's KubeVirt CR. */
export function setDecentralizedGate(store: Store, on: boolean): void {
  const kv = store.all("kubevirts")[0] as Obj | undefined;
  if (!kv) return;
  store.mutate("kubevirts", kv.metadata.namespace, kv.metadata.name, (o) => {
    const dev = (((o as Obj).spec.configuration ??= {}).developerConfiguration ??= {});
    const gates: string[] = (dev.featureGates ?? []).filter((g: string) => g !== DECENTRALIZED_GATE);
    dev.featureGates = on ? [...gates, DECENTRALIZED_GATE] : gates;
  });
}

interface Pairing {
  /** Index in STEPS of the phase both VMIMs are in, and when they entered it. */
  step: number;
  stepAt: number;
  failed?: string;
  done?: boolean;
}

/**
 * The synchronization network: environments joined by their sync addresses, and the controller
 * that moves decentralized migrations between them (its own timer, `tickMs` of the first member).
 */
export class SyncNetwork {
  readonly #members: SyncMember[] = [];
  readonly #pairings = new Map<string, Pairing>();
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Adds an environment: its KubeVirt CR lists its sync address. */
  join(member: SyncMember): void {
    this.#members.push(member);
    const kv = member.store.all("kubevirts")[0] as Obj | undefined;
    if (kv) member.store.mutate("kubevirts", kv.metadata.namespace, kv.metadata.name, (o) => void (((o as Obj).status ??= {}).synchronizationAddresses = [member.address]));
  }

  /** Starts the controller loop. */
  start(): void {
    const tick = this.#members[0]?.timing.tickMs ?? 20;
    const loop = () => {
      try {
        this.reconcile();
      } catch (error) {
        this.#members[0]?.controllers.events.push({ object: "sync-controller", reason: "ReconcileError", message: error instanceof Error ? error.message : String(error) });
      }
      this.#timer = setTimeout(loop, tick);
      this.#timer.unref();
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /** One pass: receiving VMs, then source migrations with their peers, then orphaned receivers. */
  reconcile(): void {
    for (const member of this.#members) {
      for (const vm of member.store.all("virtualmachines") as Obj[]) if (vm.spec?.runStrategy === "WaitAsReceiver") this.#receiver(member, vm);
      for (const vmim of member.store.all("virtualmachineinstancemigrations") as Obj[]) {
        if (vmim.spec?.receive && !vmim.status?.synchronizationAddresses) member.store.mutate("virtualmachineinstancemigrations", vmim.metadata.namespace, vmim.metadata.name, (o) => void (((o as Obj).status ??= {}).synchronizationAddresses = [member.address]));
      }
    }
    for (const member of this.#members) {
      for (const vmim of member.store.all("virtualmachineinstancemigrations") as Obj[]) if (vmim.spec?.sendTo) this.#source(member, vmim);
    }
    for (const member of this.#members) {
      for (const vmim of member.store.all("virtualmachineinstancemigrations") as Obj[]) {
        if (!vmim.spec?.receive) continue;
        if (FINAL.has(vmim.status?.phase ?? "")) {
          this.#release(member, vmim);
          continue;
        }
        if (!vmim.status?.phase) this.#setPhase(member, vmim, "WaitingForSync");
        // A receiver deleted before its source came, or whose paired source is gone: it ends cancelled.
        const id: string = vmim.spec.receive.migrationID;
        const paired = this.#pairings.has(id);
        const sourceGone = paired && !this.#members.some((m) => (m.store.all("virtualmachineinstancemigrations") as Obj[]).some((o) => o.spec?.sendTo?.migrationID === id));
        if ((vmim.metadata.deletionTimestamp && !paired) || sourceGone) this.#end(member, vmim, "Failed", "Migration failed due to being canceled", true);
      }
    }
  }

  /** A VM waiting as receiver: its receiving VMI (WaitingForSync) and printableStatus. */
  #receiver(member: SyncMember, vm: Obj): void {
    const { namespace, name } = vm.metadata;
    let vmi = member.store.get("virtualmachineinstances", namespace, name) as Obj | undefined;
    if (!vmi) {
      vmi = member.store.create("virtualmachineinstances", "VirtualMachineInstance", {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachineInstance",
        metadata: {
          name,
          namespace,
          labels: { ...(vm.spec?.template?.metadata?.labels ?? {}), "kubevirt.io/vm": name },
          ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: structuredClone(vm.spec?.template?.spec ?? { domain: { devices: {} } }),
        status: { phase: "WaitingForSync", conditions: [{ type: "LiveMigratable", status: "True", lastProbeTime: null, lastTransitionTime: null }] },
      }) as Obj;
    }
    const printable = vmi.status?.phase === "Failed" ? "Failed" : "WaitingForReceiver";
    if (vm.status?.printableStatus !== printable) member.store.mutate("virtualmachines", namespace, name, (o) => void ((o as Obj).status = { ...(o as Obj).status, printableStatus: printable, created: true, ready: false }));
  }

  /** A source VMIM: connect to its peer, pair with the receive VMIM of the same id, advance both. */
  #source(member: SyncMember, vmim: Obj): void {
    const phase: string = vmim.status?.phase ?? "";
    if (FINAL.has(phase)) return this.#release(member, vmim);
    const id: string = vmim.spec.sendTo.migrationID;
    if (!phase) this.#setPhase(member, vmim, "Synchronizing", (s) => void (s.migrationState = { sourceNode: this.#vmi(member, vmim)?.status?.nodeName, sourceState: { migrationUID: vmim.metadata.uid, syncAddress: member.address } }));
    const vmi = this.#vmi(member, vmim);
    if (!vmi || vmi.status?.phase !== "Running") return this.#end(member, vmim, "Failed", "Migration failed because vmi does not exist.");
    const peer = this.#members.find((m) => m !== member && m.address === vmim.spec.sendTo.connectURL);
    if (!peer) {
      if (vmim.metadata.deletionTimestamp) return this.#end(member, vmim, "Failed", "Migration failed due to being canceled");
      if (this.#now() - Date.parse(vmim.metadata.creationTimestamp) >= member.timing.unschedulableTimeoutMs) return this.#end(member, vmim, "Failed", `unable to connect to synchronization address ${vmim.spec.sendTo.connectURL}`);
      return;
    }
    const target = (peer.store.all("virtualmachineinstancemigrations") as Obj[]).find((m) => m.spec?.receive?.migrationID === id && !FINAL.has(m.status?.phase ?? ""));
    const pairing = this.#pairings.get(id);
    if (!target) {
      // The target side went away (deleted) after pairing: abort the source.
      if (pairing || vmim.metadata.deletionTimestamp) return this.#end(member, vmim, "Failed", "Migration failed due to being canceled", true);
      return; // waits for the receiver
    }
    const targetVmi = this.#vmi(peer, target);
    if (!targetVmi || targetVmi.status?.phase !== "WaitingForSync") return this.#abort(member, vmim, peer, target, `the receiving VMI ${target.metadata.namespace}/${target.spec.vmiName} is not waiting for a migration`);
    if (!pairing) {
      this.#pairings.set(id, { step: -1, stepAt: this.#now() });
      return;
    }
    if (vmim.metadata.deletionTimestamp || target.metadata.deletionTimestamp) return this.#abort(member, vmim, peer, target, "Migration failed due to being canceled", true);
    // One phase per pass, each at least stepMs long: a slow loop never skips one.
    if (pairing.step < STEPS.length - 1 && (pairing.step < 0 || this.#now() - pairing.stepAt >= member.timing.stepMs)) {
      pairing.step++;
      pairing.stepAt = this.#now();
    }
    const want = STEPS[pairing.step]!;
    const targetNode = this.#targetNode(peer, targetVmi);
    if (!targetNode) return this.#abort(member, vmim, peer, target, "Migration target pod was unschedulable on the receiving cluster");
    for (const [m, o] of [[member, vmim], [peer, target]] as const) {
      if (o.status?.phase !== want) this.#setPhase(m, o, want, (s) => void (s.migrationState = this.#state(member, vmim, peer, target, targetNode, want === "Running" ? { startTimestamp: s.migrationState?.startTimestamp ?? iso(this.#now()), mode: "PreCopy" } : {})));
    }
    if (want !== "Running") return;
    const running = this.#now() - pairing.stepAt;
    const key = (m: SyncMember, o: Obj) => `${o.metadata.namespace}/${o.spec.vmiName}`;
    const sourceFault = member.controllers.faults.get(key(member, vmim));
    const targetFault = peer.controllers.faults.get(key(peer, target));
    if ((sourceFault?.failTransfer || targetFault?.failTransfer) && running >= member.timing.transferMs / 2) {
      if (sourceFault?.failTransfer) sourceFault.failTransfer = false;
      if (targetFault?.failTransfer) targetFault.failTransfer = false;
      return this.#abort(member, vmim, peer, target, `Live migration failed: ${targetFault ? "receiving" : "sending"} side reported the migration failed`);
    }
    if (running < member.timing.transferMs) return;
    this.#succeed(member, vmim, peer, target, targetNode);
  }

  #vmi(member: SyncMember, vmim: Obj): Obj | undefined {
    return member.store.get("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName) as Obj | undefined;
  }

  /** The node the receiving cluster's scheduler gives the incoming VM. */
  #targetNode(peer: SyncMember, vmi: Obj): string | undefined {
    return vmi.status?.nodeName ?? peer.controllers.candidates(vmi).nodes[0];
  }

  #state(member: SyncMember, vmim: Obj, peer: SyncMember, target: Obj, targetNode: string, extra: Record<string, unknown>): Record<string, unknown> {
    const sourceVmi = this.#vmi(member, vmim);
    return {
      migrationUid: vmim.metadata.uid,
      sourceNode: sourceVmi?.status?.nodeName,
      targetNode,
      sourceState: { migrationUID: vmim.metadata.uid, node: sourceVmi?.status?.nodeName, syncAddress: member.address, virtualMachineInstanceUID: sourceVmi?.metadata.uid },
      targetState: { migrationUID: target.metadata.uid, node: targetNode, syncAddress: peer.address, virtualMachineInstanceUID: this.#vmi(peer, target)?.metadata.uid },
      ...extra,
    };
  }

  #succeed(member: SyncMember, vmim: Obj, peer: SyncMember, target: Obj, targetNode: string): void {
    const end = iso(this.#now());
    const state = { ...this.#state(member, vmim, peer, target, targetNode, {}), startTimestamp: vmim.status?.migrationState?.startTimestamp, endTimestamp: end, completed: true, targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: end };
    // The receiver runs on its node; the VM takes the run strategy the annotation restores.
    peer.store.mutate("virtualmachineinstances", target.metadata.namespace, target.spec.vmiName, (o) => {
      const s = (o as Obj).status;
      Object.assign(s, { phase: "Running", nodeName: targetNode, migrationState: state });
      s.conditions = [...(s.conditions ?? []).filter((c: { type: string }) => c.type !== "Ready"), { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: end }];
      o.metadata.labels = { ...o.metadata.labels, "kubevirt.io/nodeName": targetNode };
    });
    peer.store.mutate("virtualmachines", target.metadata.namespace, target.spec.vmiName, (o) => {
      (o as Obj).spec.runStrategy = o.metadata.annotations?.["kubevirt.io/restore-run-strategy"] ?? "Always";
    });
    this.#end(peer, target, "Succeeded", undefined, false, state);
    // The source VMI ends; its VM is halted so the VM controller does not start it again.
    this.#end(member, vmim, "Succeeded", undefined, false, state);
    member.store.mutate("virtualmachines", vmim.metadata.namespace, vmim.spec.vmiName, (o) => void ((o as Obj).spec.runStrategy = "Halted"));
    member.store.mutate("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName, (o) => {
      Object.assign((o as Obj).status, { phase: "Succeeded", migrationState: state });
      o.metadata.finalizers = [];
      o.metadata.deletionTimestamp = end;
    });
    this.#pairings.get(vmim.spec.sendTo.migrationID)!.done = true;
  }

  /** Fails both sides: the source keeps running, the receiving VMI fails (the target VM "enters a failed state"). */
  #abort(member: SyncMember, vmim: Obj, peer: SyncMember, target: Obj, reason: string, cancelled = false): void {
    const state = { ...(vmim.status?.migrationState ?? {}), completed: true, failed: true, failureReason: cancelled ? "Live migration has been aborted" : reason, endTimestamp: iso(this.#now()), ...(cancelled ? { abortRequested: true, abortStatus: "Succeeded" } : {}) };
    this.#end(member, vmim, "Failed", reason, cancelled, state);
    this.#end(peer, target, "Failed", reason, cancelled, state);
    peer.store.mutate("virtualmachineinstances", target.metadata.namespace, target.spec.vmiName, (o) => void Object.assign((o as Obj).status, { phase: "Failed" }));
    const pairing = this.#pairings.get(vmim.spec.sendTo.migrationID);
    if (pairing) pairing.failed = reason;
  }

  /** Puts a VMIM in a final phase (an event with the reason) and drops the finalizer of one being deleted. */
  #end(member: SyncMember, vmim: Obj, phase: "Succeeded" | "Failed", reason?: string, cancelled = false, state?: Record<string, unknown>): void {
    if (!FINAL.has(vmim.status?.phase ?? "")) {
      member.controllers.events.push({ object: `VirtualMachineInstanceMigration/${vmim.metadata.namespace}/${vmim.metadata.name}`, reason: phase === "Succeeded" ? "SuccessfulMigration" : "FailedMigration", message: reason ?? "decentralized migration succeeded" });
      const vmiState = state ?? (cancelled ? { failed: true, completed: true, abortRequested: true, abortStatus: "Succeeded", failureReason: "Live migration has been aborted", endTimestamp: iso(this.#now()) } : { failed: true, completed: true, failureReason: reason, endTimestamp: iso(this.#now()) });
      this.#setPhase(member, vmim, phase, (s) => void (s.migrationState = { ...(s.migrationState ?? {}), ...vmiState }));
      if (vmim.spec?.sendTo && phase === "Failed") {
        member.store.mutate("virtualmachineinstances", vmim.metadata.namespace, vmim.spec.vmiName, (o) => void ((o as Obj).status.migrationState = { ...(o as Obj).status.migrationState, ...vmiState, migrationUid: vmim.metadata.uid }));
      }
    }
    this.#release(member, vmim);
  }

  /** Lets a VMIM being deleted go once it is final. */
  #release(member: SyncMember, vmim: Obj): void {
    const current = member.store.get("virtualmachineinstancemigrations", vmim.metadata.namespace, vmim.metadata.name);
    if (current?.metadata.deletionTimestamp && current.metadata.finalizers?.length) member.store.mutate("virtualmachineinstancemigrations", vmim.metadata.namespace, vmim.metadata.name, (o) => void (o.metadata.finalizers = []));
  }

  #setPhase(member: SyncMember, vmim: Obj, phase: string, change?: (status: any) => void): void {
    member.store.mutate("virtualmachineinstancemigrations", vmim.metadata.namespace, vmim.metadata.name, (o) => {
      const s = ((o as Obj).status ??= {});
      s.phase = phase;
      s.phaseTransitionTimestamps = [...(s.phaseTransitionTimestamps ?? []), { phase, phaseTransitionTimestamp: iso(this.#now()) }];
      change?.(s);
    });
  }
}

/** The sync address an environment gets in a network: `https://<name>.sync.kubevirt-env:9185`. */
export function syncAddress(name: string): string {
  return `https://${name}.sync.kubevirt-env:${SYNC_PORT}`;
}
