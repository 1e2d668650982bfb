/**
 * The vSphere adapter: maps vmshift's contract onto vim25 (vCenter) through a {@link VimSession}.
 * Live migrations are vCenter tasks (the id carries the task moref, so any process can attach);
 * cold migrations are driven by the process that started them.
 */
import {
  type HypervisorAdapter,
  type Logger,
  type MigrationSnapshot,
  type NormalizedMigrationRequest,
  type OperationContext,
  type PreflightCheck,
  type ProbeResult,
  type VmLocation,
  VmshiftError,
  isTerminalPhase,
  isVmshiftError,
  silentLogger,
  partial,
  unsupported,
} from "@vmshift/core";
import { VSPHERE_CAPABILITIES } from "./capabilities.ts";
import { BARE_TASK_ID, type MigrationRef, UNKNOWN_HOST, decodeMigrationId } from "./ids.ts";
import type { ColdMigration } from "./resources/cold.ts";
import { InventoryLister, VMOTIONS_PER_HOST, getVm, listHosts, listVms } from "./resources/inventory.ts";
import type { HostFacts, StartFacts, VmFacts } from "./resources/placement.ts";
import type { ServerCheckState } from "./resources/preflight.ts";
import type { TaskState } from "./resources/tasks.ts";
import type { StartedLive } from "./resources/live.ts";
import type { TaskFeed, TaskSubscription } from "./resources/feed.ts";
import { moRef } from "./resources/decode.ts";
import type { VimFault } from "./errors.ts";
import { type CrossTarget, PeerSessions, type VspherePeer, crossTarget, resolveCross, serviceLocator, validatePeers } from "./peers.ts";
import { VimSession } from "./session.ts";
import { el, moref, seq } from "./xml.ts";
import type { TlsOptions } from "./tls.ts";
import { type SoapExchange, type SoapHttpClient, type VimMethod, type VimTransport, createSoapTransport } from "./transport.ts";

/** Options of {@link createVsphereAdapter}. */
export interface VsphereAdapterOptions extends TlsOptions {
  /** vCenter SDK endpoint, e.g. `https://vc.example.com/sdk` (path defaults to `/sdk`). */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Per-request timeout, ms. Default 120 000. */
  readonly requestTimeoutMs?: number;
  /** vim25 release in SOAPAction. Default `6.5`. */
  readonly apiVersion?: string;
  /** `maxWaitSeconds` of each WaitForUpdatesEx. Default 30. */
  readonly waitMaxSeconds?: number;
  /** Keep-alive interval while logged in, ms; 0 disables. Default 0. */
  readonly keepAliveIntervalMs?: number;
  /** HTTP client for the SOAP transport, axios-like (an axios instance fits); default `node:https` per the TLS options. */
  readonly http?: SoapHttpClient;
  /** Called before each SOAP request is sent (metrics, request counting). */
  readonly onRequest?: (method: VimMethod) => void;
  /** Called with every HTTP exchange (tracing, fixture recording); bodies are raw, redact before storing. */
  readonly onExchange?: (exchange: SoapExchange) => void;
  /** A transport to use instead of the SOAP one (tests). */
  readonly transport?: VimTransport;
  /** Default: silent. */
  readonly logger?: Logger;
  /**
   * Remote vCenters for cross-vCenter vMotion, by name. A request moves a VM to a peer when its
   * `targetHostId` and/or `targetClusterId` is `"<peer>/<moref>"` (e.g. `"dr/host-12"`,
   * `"dr/domain-c8"`); `targetStorageId` may be `"<peer>/<datastore>"` or a bare peer datastore
   * (default: the target host's first datastore). The adapter logs into the peer to resolve the
   * target and its `about.instanceUuid`, and passes the peer's URL, credentials and thumbprint to
   * the source vCenter in `RelocateSpec.service`. Live migrations only. Not verified against real
   * vCenters (see docs/platforms/vsphere.md, "Across vCenters").
   */
  readonly peers?: Readonly<Record<string, VspherePeer>>;
}

/** The vSphere adapter with its session (for tools that need raw access). */
export interface VsphereAdapter extends HypervisorAdapter {
  readonly session: VimSession;
}

/** The migration and preflight code, imported on first use (see resources/migrations.ts). */
let migrationCode: Promise<typeof import("./resources/migrations.ts")> | undefined;
const migrations = () =>
  (migrationCode ??= import("./resources/migrations.ts").catch((error: unknown) => {
    migrationCode = undefined;
    throw error;
  }));

const LIMITS = {
  perSourceHost: VMOTIONS_PER_HOST,
  perTargetHost: VMOTIONS_PER_HOST,
  source: "VMware vSphere 6.5/6.7 vCenter limits: host cost 8, vMotion cost 1 (also network 4 on 1GbE / 8 on 10GbE, datastore 128)",
} as const;

/** Creates the adapter. No request is sent until the first operation. */
export function createVsphereAdapter(options: VsphereAdapterOptions): VsphereAdapter {
  const logger = options.logger ?? silentLogger;
  const peers = validatePeers(options.peers);
  // Peer passwords travel in RelocateVM_Task bodies: every transport masks all of them.
  const secrets = [options.password, ...[...peers.values()].map((p) => p.password)];
  const peerSessions = new PeerSessions(pick(options, ["requestTimeoutMs", "apiVersion", "onRequest", "onExchange"]), secrets, logger);
  const transport =
    options.transport ??
    createSoapTransport({
      url: options.url,
      secrets,
      ...pick(options, ["thumbprint", "insecureSkipTlsVerify", "ca", "requestTimeoutMs", "apiVersion", "http", "onRequest", "onExchange"]),
    });
  const session = new VimSession(transport, {
    username: options.username,
    password: options.password,
    logger,
    ...(options.keepAliveIntervalMs === undefined ? {} : { keepAliveIntervalMs: options.keepAliveIntervalMs }),
  });
  const content = () => session.content();
  const lister = new InventoryLister(session, content);
  const byRequest = new Map<string, string>();
  const inFlight = new Map<string, string>();
  const colds = new Map<string, ColdMigration>();
  const finished = new Map<string, MigrationSnapshot>();
  /** Starts whose answer never came (request id → VM): a retry adopts the task the server is running. */
  const unanswered = new Map<string, string>();
  const serverCheck: ServerCheckState = { available: undefined };
  const waitSeconds = options.waitMaxSeconds ?? 30;
  /** The session's one update loop (resources/feed.ts), made on first use. */
  let feed: TaskFeed | undefined;
  const taskFeed = async () => (feed ??= new (await migrations()).TaskFeed(session, content, waitSeconds));
  /** Subscriptions a start opened, for the watch that follows (by migration id). */
  const following = new Map<string, TaskSubscription>();

  const nowIso = (ctx: OperationContext) => new Date(ctx.clock.now()).toISOString();
  const signalOf = (ctx: OperationContext) => (ctx.signal ? { signal: ctx.signal } : {});

  async function locate(ref: MigrationRef, ctx: OperationContext): Promise<VmLocation> {
    const vm = await getVm(session, await content(), ref.vmId, signalOf(ctx));
    const side = vm.hostId === ref.sourceHostId ? "source" : vm.hostId === ref.targetHostId ? "target" : "unknown";
    return { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), side, powerState: vm.powerState };
  }

  function remember(s: MigrationSnapshot): MigrationSnapshot {
    if (isTerminalPhase(s.phase)) {
      finished.set(s.id, s);
      const open = following.get(s.id);
      following.delete(s.id);
      void open?.close();
      if (inFlight.get(s.vmId) === s.id) inFlight.delete(s.vmId);
    }
    return s;
  }

  async function liveState(ref: MigrationRef, ctx: OperationContext): Promise<MigrationSnapshot> {
    const { liveSnapshot, locationOf, readTaskAndVm } = await migrations();
    // The task and where its VM is, in one read: a finished migration reports the VM's own host and power state.
    const { state, vm } = await readTaskAndVm(session, await content(), { type: "Task", value: ref.key }, ref.vmId, ctx.signal);
    if (state.entity && state.entity.value !== ref.vmId) {
      throw new VmshiftError("INVALID_ARGUMENT", `task ${ref.key} works on ${state.entity.value}, not on VM ${ref.vmId}`, { adapter: "vsphere" });
    }
    const draft = liveSnapshot(ref, state, nowIso(ctx));
    if (!draft.result) return remember(draft);
    return remember(liveSnapshot(ref, state, nowIso(ctx), vm ? locationOf(ref, vm) : { side: "unknown", powerState: "unknown" }));
  }

  async function coldState(ref: MigrationRef, id: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    const local = colds.get(id);
    if (local) return remember(local.snapshot());
    // Started by another process: report where the VM is (this process does not drive it).
    const where = await locate(ref, ctx);
    const outcome = where.side === "target" ? "completed" : "failed";
    const observedAt = nowIso(ctx);
    return remember({
      id, vmId: ref.vmId, mode: "cold", phase: outcome, sourceHostId: ref.sourceHostId, targetHostId: ref.targetHostId,
      progress: { phase: outcome, message: "cold migration driven by another process; state derived from the VM's location", observedAt },
      result: {
        migrationId: id, vmId: ref.vmId, mode: "cold", outcome, vmLocation: where, sourceHostId: ref.sourceHostId, targetHostId: ref.targetHostId,
        ...(outcome === "failed" ? { error: { code: "MIGRATION_FAILED", message: `the VM is on ${where.hostId ?? "an unknown host"}, not on the target` } } : {}),
      },
    });
  }

  /** The relocate task a TaskInProgress fault names, when it works on `vmId`. */
  async function busyTask(error: unknown, vmId: string, ctx: OperationContext): Promise<TaskState | undefined> {
    if (!isVmshiftError(error, "CONFLICT")) return undefined;
    const detail = (error.cause as VimFault | undefined)?.detail as Record<string, unknown> | undefined;
    const task = moRef(detail?.["task"]);
    if (!task) return undefined;
    const { readTask } = await migrations();
    const state = await readTask(session, await content(), task, ctx.signal);
    return state.entity?.value === vmId ? state : undefined;
  }

  /**
   * A migration named by its bare vCenter task id (`task-96`): this process's own id for it when
   * it started it; else the task's VM (info.entity) with the VM's current host as source while the
   * task runs. vSphere does not expose the task's RelocateSpec, so the target host is `unknown`
   * (the result's vmLocation still says where the VM is). Two reads: the task, then its VM.
   */
  async function byTaskId(taskId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    const suffix = `/${encodeURIComponent(taskId)}`;
    const own = [...inFlight.values(), ...finished.keys()].find((id) => id.startsWith("live/") && id.endsWith(suffix));
    if (own) return getMigration(own, ctx);
    const { liveSnapshot, locationOf, readTask } = await migrations();
    const c = await content();
    const state = await readTask(session, c, { type: "Task", value: taskId }, ctx.signal);
    if (state.entity?.type !== "VirtualMachine" || (state.descriptionId !== undefined && !/^VirtualMachine\.(relocate|migrate)/i.test(state.descriptionId))) {
      throw new VmshiftError("INVALID_ARGUMENT", `task ${taskId} is not a VM migration (${state.descriptionId ?? "no description"} on ${state.entity?.type ?? "no entity"})`, { adapter: "vsphere", subject: taskId });
    }
    const vm = await getVm(session, c, state.entity.value, signalOf(ctx));
    const running = state.state === "queued" || state.state === "running";
    const ref: MigrationRef = { mode: "live", vmId: vm.id, sourceHostId: running && vm.hostId ? vm.hostId : UNKNOWN_HOST, targetHostId: UNKNOWN_HOST, key: taskId };
    const power = vm.powerState === "running" ? "poweredOn" : vm.powerState === "stopped" ? "poweredOff" : vm.powerState === "suspended" ? "suspended" : undefined;
    const draft = liveSnapshot(ref, state, nowIso(ctx));
    if (!draft.result) return draft;
    return remember(liveSnapshot(ref, state, nowIso(ctx), locationOf(ref, { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), ...(power ? { power } : {}) })));
  }

  async function getMigration(id: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    const done = finished.get(id);
    if (done) return done;
    if (BARE_TASK_ID.test(id)) return byTaskId(id, ctx);
    const ref = decodeMigrationId(id);
    return ref.mode === "live" ? liveState(ref, ctx) : coldState(ref, id, ctx);
  }

  /** Preflight of a cross-vCenter move: the VM's state and the target's state and memory in the peer. */
  async function crossPreflight(request: NormalizedMigrationRequest, cross: CrossTarget, ctx: OperationContext): Promise<PreflightCheck[]> {
    const { freeMemoryBytes, readVmFacts } = await migrations();
    const vm = await readVmFacts(session, await content(), request.vmId, ctx.signal);
    const peerSession = peerSessions.get(cross.peer);
    const placed = await resolveCross(peerSession, cross, vm, ctx.signal).catch((error: unknown) => {
      if (isVmshiftError(error, "NOT_FOUND") || isVmshiftError(error, "INSUFFICIENT_RESOURCES")) return error;
      throw error;
    });
    if (placed instanceof VmshiftError) return [{ id: placed.code === "NOT_FOUND" ? "host.not-found" : "host.none-fits", category: placed.code === "NOT_FOUND" ? "state" : "capacity", severity: "error", message: placed.reason }];
    const { target } = placed;
    const checks: PreflightCheck[] = [];
    if (request.mode === "live" && vm.power !== "poweredOn") checks.push({ id: "vm.power-state", category: "state", severity: "error", message: `VM ${vm.name} is ${vm.power}; a live migration (vMotion) needs it powered on` });
    if (request.mode !== "live") checks.push({ id: "cross-vcenter.cold", category: "policy", severity: "error", message: "cold migration to another vCenter is not supported; use mode \"live\"" });
    if (!target.connected) checks.push({ id: "host.connection", category: "state", severity: "error", message: `host ${target.name} of peer ${cross.peer.name} is not connected` });
    if (target.maintenance) checks.push({ id: "host.maintenance", category: "state", severity: "error", message: `host ${target.name} of peer ${cross.peer.name} is in maintenance mode` });
    const free = await freeMemoryBytes(peerSession, await peerSession.content(), target, "", ctx.signal);
    if (free !== undefined && free < vm.memoryBytes) checks.push({ id: "host.capacity", category: "capacity", severity: "error", message: `host ${target.name} of peer ${cross.peer.name} has ${Math.max(0, free)} bytes of memory left; VM ${vm.name} needs ${vm.memoryBytes}` });
    if (cross.storageId !== undefined && !target.datastores.includes(cross.storageId)) checks.push({ id: "host.datastore-visibility", category: "storage", severity: "error", message: `host ${target.name} of peer ${cross.peer.name} cannot see datastore ${cross.storageId}` });
    checks.push({ id: "cross-vcenter.unchecked", category: "compatibility", severity: "info", message: `cross-vCenter move to ${cross.peer.name}/${target.id} (datastore ${placed.datastore}): network mapping, CPU compatibility and CheckRelocate_Task are not checked; the source vCenter checks them when the move starts` });
    return checks;
  }

  /** Starts a cross-vCenter vMotion: RelocateVM_Task on the source vCenter with `spec.service`. */
  async function startCross(vm: VmFacts, cross: CrossTarget, requestId: string, ctx: OperationContext): Promise<MigrationSnapshot> {
    const { followStarted, startLive } = await migrations();
    const placed = await resolveCross(peerSessions.get(cross.peer), cross, vm, ctx.signal);
    const retried = unanswered.get(requestId) === vm.id;
    unanswered.set(requestId, vm.id);
    let started: StartedLive;
    try {
      started = await startLive(session, await taskFeed(), vm, placed.target, placed.pool, placed.datastore, ctx.signal, { service: serviceLocator(cross.peer, placed.instanceUuid), folder: placed.folder });
    } catch (error) {
      // As for moves inside this vCenter: a retry refused with TaskInProgress follows the task the lost start created.
      const adopted = retried ? await busyTask(error, vm.id, ctx) : undefined;
      if (!adopted) {
        if (!isVmshiftError(error) || error.code !== "TRANSPORT") unanswered.delete(requestId);
        throw error;
      }
      started = await followStarted(await taskFeed(), adopted.task, vm.id, ctx.signal);
    }
    unanswered.delete(requestId);
    const ref: MigrationRef = { mode: "live", vmId: vm.id, sourceHostId: vm.hostId ?? "none", targetHostId: `${cross.peer.name}/${placed.target.id}`, key: started.state.task.value };
    return liveStarted(ref, started, ctx);
  }

  /** The first snapshot of a started vMotion; keeps its subscription for the watch that follows. */
  async function liveStarted(ref: MigrationRef, started: StartedLive, ctx: OperationContext): Promise<MigrationSnapshot> {
    const { liveSnapshot, locationOf } = await migrations();
    const draft = liveSnapshot(ref, started.state, nowIso(ctx));
    if (!draft.result) {
      following.set(draft.id, started.subscription);
      return draft;
    }
    return liveSnapshot(ref, started.state, nowIso(ctx), started.vm ? locationOf(ref, started.vm) : await locate(ref, ctx));
  }

  const adapter: VsphereAdapter = {
    name: "vsphere",
    capabilities: VSPHERE_CAPABILITIES,
    limits: LIMITS,
    session,

    async probe(): Promise<ProbeResult> {
      const c = await content();
      const notes = [`apiType ${c.apiType ?? "unknown"}, apiVersion ${c.apiVersion ?? "unknown"}`];
      if (c.apiType === "HostAgent") {
        const why = "connected to an ESXi host directly; vMotion needs vCenter";
        return { ...(c.fullName ? { server: c.fullName } : {}), notes, capabilities: { "migration.live": unsupported(why), "migration.cold": unsupported(why) } };
      }
      if (c.vmProvisioningChecker && serverCheck.available === undefined) {
        // A check of a VM that does not exist: a server with the method refuses the VM
        // (ManagedObjectNotFound); one without it says MethodNotFound. Nothing is changed either way.
        try {
          await session.call("CheckRelocate_Task", c.vmProvisioningChecker, seq(moref("vm", { type: "VirtualMachine", value: "vm-vmshift-probe" }), el("spec", "")));
          serverCheck.available = true;
        } catch (error) {
          serverCheck.available = !isVmshiftError(error, "CAPABILITY_UNAVAILABLE");
        }
      }
      if (serverCheck.available === false) {
        notes.push("CheckRelocate_Task not implemented: preflight uses vmshift's own checks only");
        return { ...(c.fullName ? { server: c.fullName } : {}), notes, capabilities: { preflight: partial("this server does not implement CheckRelocate_Task; only vmshift's own checks run") } };
      }
      return { ...(c.fullName ? { server: c.fullName } : {}), notes };
    },

    listVms: (opts) => listVms(lister, opts),
    listHosts: (opts) => listHosts(lister, opts),
    getVm: async (vmId, ctx) => getVm(session, await content(), vmId, signalOf(ctx)),

    async preflight(request, ctx): Promise<readonly PreflightCheck[]> {
      const cross = crossTarget(request, peers);
      if (cross) return crossPreflight(request, cross, ctx);
      const { chooseHost, ownChecks, poolForVm, readStartFacts, serverChecks } = await migrations();
      const c = await content();
      // The VM, the target host and the VMs on it (its memory left), in one RetrievePropertiesEx.
      let facts: StartFacts;
      const checks: PreflightCheck[] = [];
      try {
        facts = await readStartFacts(session, c, request.vmId, request.targetHostId, ctx.signal, true);
      } catch (error) {
        if (request.targetHostId === undefined || !isVmshiftError(error, "NOT_FOUND") || error.subject !== request.targetHostId) throw error;
        facts = await readStartFacts(session, c, request.vmId, undefined, ctx.signal);
        checks.push({ id: "host.not-found", category: "state", severity: "error", message: `no host ${request.targetHostId}` });
      }
      const vm = facts.vm;
      let target: HostFacts | undefined = facts.target;
      if (request.targetHostId === undefined) {
        try {
          target = await chooseHost(session, c, vm, request.targetClusterId, ctx.signal);
          checks.push({ id: "host.chosen", category: "capacity", severity: "info", message: `vmshift would choose host ${target.name} (${target.id})` });
        } catch (error) {
          if (!isVmshiftError(error, "INSUFFICIENT_RESOURCES")) throw error;
          checks.push({ id: "host.none-fits", category: "capacity", severity: "error", message: error.reason });
        }
      }
      checks.push(...(await ownChecks(session, c, request, vm, target, ctx.signal)));
      if (target && vm.hostId !== target.id && !checks.some((x) => x.severity === "error" && x.category === "state")) {
        const pool = await poolForVm(session, c, vm, target, facts.targetRootPool, ctx.signal);
        checks.push(...(await serverChecks(session, c, await taskFeed(), vm, target, pool, serverCheck, ctx.signal)));
      }
      return checks;
    },

    async startMigration(request, ctx): Promise<MigrationSnapshot> {
      const earlier = byRequest.get(request.requestId);
      if (earlier) return getMigration(earlier, ctx);
      const cross = crossTarget(request, peers);
      if (cross && request.mode !== "live") {
        throw new VmshiftError("CAPABILITY_UNAVAILABLE", "cold migration to another vCenter is not supported; use mode \"live\"", { adapter: "vsphere", subject: request.vmId });
      }
      const { ColdMigration, chooseHost, followStarted, poolForVm, readStartFacts, startLive } = await migrations();
      const c = await content();
      // The VM (with its pool's owner) and the named target host (with its cluster's root pool): one read.
      const facts = await readStartFacts(session, c, request.vmId, cross ? undefined : request.targetHostId, ctx.signal);
      const vm = facts.vm;
      const busy = inFlight.get(vm.id);
      // A migration this process started and nobody followed may have ended since: look once.
      if (busy && !finished.has(busy) && !isTerminalPhase((await getMigration(busy, ctx).catch(() => undefined))?.phase ?? "transferring")) {
        throw new VmshiftError("CONFLICT", `VM ${vm.id} is already migrating (${busy})`, { adapter: "vsphere", subject: vm.id, retryable: false });
      }
      if (request.mode === "live" && vm.power !== "poweredOn") {
        throw new VmshiftError("INVALID_STATE", `VM ${vm.id} is ${vm.power}; a live migration needs it powered on (use mode "cold")`, { adapter: "vsphere", subject: vm.id });
      }
      if (cross) {
        const snapshot = await startCross(vm, cross, request.requestId, ctx);
        byRequest.set(request.requestId, snapshot.id);
        if (!isTerminalPhase(snapshot.phase)) inFlight.set(vm.id, snapshot.id);
        return remember(snapshot);
      }
      const target: HostFacts = facts.target ?? (await chooseHost(session, c, vm, request.targetClusterId, ctx.signal));
      if (target.id === vm.hostId) throw new VmshiftError("INVALID_ARGUMENT", `VM ${vm.id} already runs on ${target.id}`, { adapter: "vsphere", subject: vm.id });
      if (request.targetClusterId !== undefined && target.parent?.value !== request.targetClusterId) {
        throw new VmshiftError("INVALID_ARGUMENT", `host ${target.id} is not in cluster ${request.targetClusterId}`, { adapter: "vsphere", subject: vm.id });
      }
      const pool = await poolForVm(session, c, vm, target, facts.targetRootPool, ctx.signal);
      const sourceHostId = vm.hostId ?? "none";
      let snapshot: MigrationSnapshot;
      if (request.mode === "live") {
        const retried = unanswered.get(request.requestId) === vm.id;
        unanswered.set(request.requestId, vm.id);
        let started: StartedLive;
        try {
          started = await startLive(session, await taskFeed(), vm, target, pool, request.targetStorageId, ctx.signal);
        } catch (error) {
          const adopted = retried ? await busyTask(error, vm.id, ctx) : undefined;
          if (!adopted) {
            if (!isVmshiftError(error) || error.code !== "TRANSPORT") unanswered.delete(request.requestId);
            throw error;
          }
          ctx.logger.log("info", "the first start's answer was lost; following the task it started", { vmId: vm.id, task: adopted.task.value });
          started = await followStarted(await taskFeed(), adopted.task, vm.id, ctx.signal);
        }
        unanswered.delete(request.requestId);
        const ref: MigrationRef = { mode: "live", vmId: vm.id, sourceHostId, targetHostId: target.id, key: started.state.task.value };
        snapshot = await liveStarted(ref, started, ctx);
      } else {
        const ref: MigrationRef = { mode: "cold", vmId: vm.id, sourceHostId, targetHostId: target.id, key: String(ctx.clock.now()) };
        // A move back (after a failed start on the target) returns the VM to its own pool.
        const sourcePool = pool ? vm.pool : undefined;
        const cold = new ColdMigration({ session, content: c, clock: ctx.clock, logger: ctx.logger, feed: await taskFeed() }, ref, vm, {
          restartOnSourceOnFailure: request.restartOnSourceOnFailure ?? true,
          shutdownTimeoutMs: request.shutdownTimeoutMs ?? 120_000,
          ...(pool ? { targetPool: pool } : {}),
          ...(sourcePool ? { sourcePool } : {}),
          ...(request.targetStorageId === undefined ? {} : { datastore: request.targetStorageId }),
        });
        colds.set(cold.id, cold);
        cold.start();
        snapshot = cold.snapshot();
      }
      byRequest.set(request.requestId, snapshot.id);
      if (!isTerminalPhase(snapshot.phase)) inFlight.set(vm.id, snapshot.id);
      return remember(snapshot);
    },

    getMigration,

    async *watchMigration(id, ctx): AsyncIterable<MigrationSnapshot> {
      const done = finished.get(id);
      if (done) {
        yield done;
        return;
      }
      if (BARE_TASK_ID.test(id)) {
        const first = await byTaskId(id, ctx);
        yield first;
        if (first.result) return;
        yield* adapter.watchMigration!(first.id, ctx);
        return;
      }
      const ref = decodeMigrationId(id);
      if (ref.mode === "cold") {
        const local = colds.get(id);
        if (!local) {
          yield await coldState(ref, id, ctx);
          return;
        }
        for await (const s of local.watch(ctx.signal)) yield remember(s);
        return;
      }
      const { liveSnapshot, locationOf } = await migrations();
      // One filter per migration, shared by its watches: a watch that gave up leaves it here, and the
      // next one (maybe started before the last one has unwound) resumes on it.
      let subscription = following.get(id);
      try {
        if (!subscription || subscription.ended) {
          subscription = await (await taskFeed()).subscribe({ type: "Task", value: ref.key }, { type: "VirtualMachine", value: ref.vmId }, ctx.signal);
          following.set(id, subscription);
        }
        for (;;) {
          const update = await subscription.next(ctx.signal);
          if (!update) return;
          const { state } = update;
          if (state.entity && state.entity.value !== ref.vmId) {
            throw new VmshiftError("INVALID_ARGUMENT", `task ${ref.key} works on ${state.entity.value}, not on VM ${ref.vmId}`, { adapter: "vsphere" });
          }
          const draft = liveSnapshot(ref, state, nowIso(ctx));
          // Where the VM is at the end comes with the update (the filter watches the VM too).
          const location = draft.result ? (update.vm ? locationOf(ref, update.vm) : await locate(ref, ctx)) : undefined;
          yield remember(location ? liveSnapshot(ref, state, nowIso(ctx), location) : draft);
          if (draft.result) return;
        }
      } catch (error) {
        // Given up by the follower: say so (an abort is not the end of the stream, which the task
        // handle would answer with a fresh read).
        if (ctx.signal?.aborted) throw isVmshiftError(error, "ABORTED") ? error : new VmshiftError("ABORTED", "the watch was aborted", { adapter: "vsphere", subject: id });
        // The push stream broke (collector lost with an expired session, connection reset): end
        // the stream; the task handle takes one fresh look by polling and reconnects.
        if (isVmshiftError(error) && (error.code === "NOT_FOUND" || error.code === "TRANSPORT" || error.code === "TIMEOUT")) {
          ctx.logger.log("warn", "WaitForUpdatesEx stream ended; falling back to a poll", { migrationId: id, error: error.message });
          return;
        }
        throw error;
      } finally {
        // A follower that gave up (a wait timed out, events stopped) keeps the filter for the next
        // watch, which resumes from the feed's version instead of a new CreateFilter and a read.
        if (!(ctx.signal?.aborted && subscription && !subscription.ended && !finished.has(id))) {
          if (subscription && following.get(id) === subscription) following.delete(id);
          void subscription?.close();
        }
      }
    },

    async cancelMigration(id, ctx): Promise<void> {
      const ref = BARE_TASK_ID.test(id) ? decodeMigrationId((await byTaskId(id, ctx)).id) : decodeMigrationId(id);
      if (ref.mode === "cold") {
        const local = colds.get(id);
        if (!local) throw new VmshiftError("CAPABILITY_UNAVAILABLE", "this cold migration is driven by another process; cancel it there", { adapter: "vsphere", subject: id });
        await local.cancel();
        return;
      }
      const { cancelTask } = await migrations();
      await cancelTask(session, { type: "Task", value: ref.key }, ctx.signal);
    },

    async attachMigration(id, ctx): Promise<MigrationSnapshot> {
      return getMigration(id, ctx);
    },

    async close(): Promise<void> {
      feed?.stop();
      await Promise.all([session.close(), peerSessions.close()]);
    },
  };
  return adapter;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}


