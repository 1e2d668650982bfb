/**
 * The domain of the Prism-like server: VM actions, their validation and their effects, on top of
 * the inventory and the task engine. HTTP lives in `server.ts`.
 */
import { type Inventory, type SimHost, type SimVm, schedulable, usedMemory } from "./state.ts";
import { type SimTask, TaskEngine, type TaskSpec } from "./tasks.ts";

/** Durations of simulated work, ms. */
export interface Timings {
  /** Time a new task stays QUEUED. Default 50. */
  readonly queuedMs: number;
  /** A live migration. Default 600. */
  readonly migrationMs: number;
  /** A migration of a VM slowed by `faults.slowVm`. Default 30 000. */
  readonly slowMigrationMs: number;
  /** Power on/off. Default 150. */
  readonly powerMs: number;
  /** Guest or ACPI shutdown. Default 250. */
  readonly shutdownMs: number;
}

/** Fault knobs; tests and conformance controls set them. */
export interface Faults {
  /** VMs whose next migration fails while transferring. */
  failNextMigration: Set<string>;
  /** VMs whose next power-on fails. */
  failNextPowerOn: Set<string>;
  /** VMs whose migrations are slow. */
  slowVms: Set<string>;
  /** VMs whose guests ignore shutdown requests. */
  ignoreShutdown: Set<string>;
  /** Migration tasks are not cancelable. */
  nonCancelable: boolean;
  /** The next N requests (matching `failPattern`, when set) answer this status before acting. */
  failNext: { count: number; status: number; pattern?: RegExp };
  /** The next N requests matching the pattern act, then lose their answer (socket destroyed). */
  loseResponse: { count: number; pattern: RegExp };
  /** Added before every answer, ms. */
  latencyMs: number;
}

/** An error answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The simulated Prism Central. */
export class PrismSim {
  readonly inv: Inventory;
  readonly engine: TaskEngine;
  readonly timings: Timings;
  readonly faults: Faults = {
    failNextMigration: new Set(),
    failNextPowerOn: new Set(),
    slowVms: new Set(),
    ignoreShutdown: new Set(),
    nonCancelable: false,
    failNext: { count: 0, status: 503 },
    loseResponse: { count: 0, pattern: /$^/ },
    latencyMs: 0,
  };
  /** Migration tasks created so far (for "exactly one migration" checks). */
  migrationsStarted = 0;
  /** Migration tasks created per VM. */
  readonly migrationsByVm = new Map<string, number>();
  readonly now: () => number;

  constructor(inv: Inventory, timings: Partial<Timings>, now: () => number) {
    this.now = now;
    this.inv = inv;
    this.engine = new TaskEngine(now);
    this.timings = { queuedMs: 50, migrationMs: 600, slowMigrationMs: 30_000, powerMs: 150, shutdownMs: 250, ...timings };
  }

  vm(extId: string): SimVm {
    const vm = this.inv.vms.find((v) => v.extId === extId);
    if (!vm) throw new ApiError(404, "VMM-20005", "Failed to perform the operation as the backend service could not find the entity.");
    return vm;
  }

  host(extId: string): SimHost | undefined {
    return this.inv.hosts.find((h) => h.extId === extId);
  }

  /** The VM's ETag (changes on every write). */
  etag(vm: SimVm): string {
    return Buffer.from(`${vm.extId}:${vm.version}`).toString("base64url");
  }

  /** Runs a VM action after the HTTP layer checked headers; returns the task. */
  act(vm: SimVm, action: string, body: Record<string, unknown>, dryRun: boolean): SimTask {
    if (vm.busyTask && action !== "power-off") {
      const busy = this.engine.tasks.get(vm.busyTask);
      if (busy && (busy.status === "QUEUED" || busy.status === "RUNNING" || busy.status === "CANCELING")) {
        throw new ApiError(409, "VMM-30409", `the VM is busy with task ${busy.extId} (${busy.spec.operation})`);
      }
    }
    switch (action) {
      case "migrate-to-host":
        return this.#migrateToHost(vm, body);
      case "migrate":
        return this.#crossCluster(vm, body, dryRun);
      case "power-on":
        return this.#powerOn(vm);
      case "power-off":
        return this.#powerOff(vm);
      case "shutdown":
      case "guest-shutdown":
        return this.#shutdown(vm, action === "guest-shutdown");
      default:
        throw new ApiError(404, "VMM-10404", `unknown action ${action}`);
    }
  }

  /**
   * `DELETE /api/vmm/v4.0/ahv/config/vms/{extId}` after the HTTP layer checked headers: a task that
   * removes the VM from the inventory with its VM disks (AHV's VM disks belong to the VM; `onGone`
   * is handed each disk file to delete). Refused (409) while another task holds the VM; AHV deletes
   * a powered-on VM too (it is powered off first), and so does this.
   */
  deleteVm(vm: SimVm, onGone: (files: readonly string[]) => void): SimTask {
    if (vm.busyTask) {
      const busy = this.engine.tasks.get(vm.busyTask);
      if (busy && (busy.status === "QUEUED" || busy.status === "RUNNING" || busy.status === "CANCELING")) {
        throw new ApiError(409, "VMM-30409", `the VM is busy with task ${busy.extId} (${busy.spec.operation})`);
      }
    }
    return this.#task(vm, {
      operation: "VmDelete",
      operationDescription: "VM delete",
      runMs: this.timings.powerMs,
      onSuccess: () => {
        const at = this.inv.vms.indexOf(vm);
        if (at >= 0) this.inv.vms.splice(at, 1);
        vm.powerState = "OFF";
        vm.host = null;
        vm.version++;
        onGone((vm.hardware?.disks ?? []).flatMap((d) => (d.file ? [d.file] : [])));
        return undefined;
      },
    });
  }

  #task(vm: SimVm, spec: Omit<TaskSpec, "vmExtId" | "clusterExtId" | "queuedMs" | "onEnd"> & { queuedMs?: number }): SimTask {
    const task = this.engine.create({
      queuedMs: this.timings.queuedMs,
      ...spec,
      vmExtId: vm.extId,
      clusterExtId: vm.clusterExtId,
      onEnd: () => {
        if (vm.busyTask === task.extId) delete vm.busyTask;
      },
      onSuccess: () => {
        const r = spec.onSuccess();
        if (r === undefined && vm.busyTask === task.extId) delete vm.busyTask;
        return r;
      },
    });
    vm.busyTask = task.extId;
    vm.version++;
    return task;
  }

  #migrateToHost(vm: SimVm, body: Record<string, unknown>): SimTask {
    const target = (body["host"] as { extId?: unknown } | undefined)?.extId;
    if (typeof target !== "string" || target === "") throw new ApiError(400, "VMM-10400", "host.extId is required");
    const host = this.host(target);
    if (!host) throw new ApiError(404, "VMM-20005", `host ${target} not found`);
    if (vm.powerState !== "ON") throw new ApiError(400, "VMM-10401", "the VM must be powered on to migrate to a host");
    if (vm.host === target) throw new ApiError(400, "VMM-10402", `the VM is already running on host ${host.hostName}`);
    const slow = this.faults.slowVms.has(vm.extId);
    const fail = this.faults.failNextMigration.delete(vm.extId);
    this.#countMigration(vm);
    return this.#task(vm, {
      operation: "VmMigrateToHost",
      operationDescription: "VM migrate to host",
      hostExtId: target,
      runMs: slow ? this.timings.slowMigrationMs : this.timings.migrationMs,
      ...(this.faults.nonCancelable ? {} : { cancelableBelowPercent: 90 }),
      ...(fail ? { failAtPercent: 50, failMessage: "Migration failed during memory transfer: connection to the destination host was lost" } : {}),
      onStart: () => {
        if (host.clusterExtId !== vm.clusterExtId) return `host ${host.hostName} is in another cluster; use the cross-cluster migrate action`;
        if (!schedulable(host)) return `host ${host.hostName} is in maintenance mode or not schedulable (${host.hypervisorState})`;
        const free = host.memorySizeBytes - usedMemory(this.inv, host.extId, vm.extId);
        if (free < vm.memorySizeBytes) return `not enough memory on host ${host.hostName}: ${free} bytes free, ${vm.memorySizeBytes} needed`;
        return undefined;
      },
      onSuccess: () => {
        vm.host = target;
        vm.lastHost = target;
        vm.version++;
        return undefined;
      },
    });
  }

  #crossCluster(vm: SimVm, body: Record<string, unknown>, dryRun: boolean): SimTask {
    if (typeof body["isLiveMigration"] !== "boolean") throw new ApiError(400, "VMM-10400", "isLiveMigration is required");
    const az = (body["targetAvailabilityZone"] as { extId?: unknown } | undefined)?.extId;
    if (az !== this.inv.availabilityZoneId) throw new ApiError(400, "VMM-10403", "targetAvailabilityZone is required and must name a paired availability zone");
    const clusterId = (body["targetCluster"] as { extId?: unknown } | undefined)?.extId;
    const cluster = this.inv.clusters.find((c) => c.extId === clusterId);
    if (!cluster) throw new ApiError(404, "VMM-20005", `cluster ${String(clusterId)} not found`);
    if (cluster.extId === vm.clusterExtId) throw new ApiError(400, "VMM-10404", "the VM is already in the target cluster");
    const live = body["isLiveMigration"] === true;
    if (live && vm.powerState !== "ON") throw new ApiError(400, "VMM-10401", "a live cross-cluster migration needs a running VM");
    if (!live && vm.powerState !== "OFF") throw new ApiError(400, "VMM-10405", "a cold cross-cluster migration needs a powered-off VM");
    const pick = () => this.inv.hosts.find((h) => h.clusterExtId === cluster.extId && schedulable(h) && h.memorySizeBytes - usedMemory(this.inv, h.extId) >= vm.memorySizeBytes);
    if (live && !pick()) throw new ApiError(400, "VMM-10406", `no host in ${cluster.name} has room for the VM`);
    if (dryRun) {
      return this.engine.create({ operation: "VmCrossClusterMigrateDryRun", operationDescription: "VM cross-cluster migrate (dry run)", vmExtId: vm.extId, clusterExtId: vm.clusterExtId, queuedMs: 0, runMs: 0, onSuccess: () => undefined });
    }
    this.#countMigration(vm);
    return this.#task(vm, {
      operation: "VmCrossClusterMigrate",
      operationDescription: "VM cross-cluster migrate",
      runMs: this.faults.slowVms.has(vm.extId) ? this.timings.slowMigrationMs : this.timings.migrationMs,
      onSuccess: () => {
        const host = live ? pick() : undefined;
        if (live && !host) return `no host in ${cluster.name} has room for the VM`;
        vm.clusterExtId = cluster.extId;
        vm.host = host?.extId ?? null;
        vm.lastHost = host?.extId ?? null;
        vm.version++;
        return undefined;
      },
    });
  }

  #countMigration(vm: SimVm): void {
    this.migrationsStarted++;
    this.migrationsByVm.set(vm.extId, (this.migrationsByVm.get(vm.extId) ?? 0) + 1);
  }

  #powerOn(vm: SimVm): SimTask {
    const fail = this.faults.failNextPowerOn.delete(vm.extId);
    return this.#task(vm, {
      operation: "VmPowerOn",
      operationDescription: "VM power on",
      runMs: this.timings.powerMs,
      onSuccess: () => {
        if (fail) return "Failed to power on the VM: not enough memory available on the chosen host";
        if (vm.powerState === "ON") return undefined;
        // AHV's scheduler: the host it last ran on when it fits, else the first host with room.
        const fits = (h: SimHost) => h.clusterExtId === vm.clusterExtId && schedulable(h) && h.memorySizeBytes - usedMemory(this.inv, h.extId) >= vm.memorySizeBytes;
        const last = vm.lastHost ? this.host(vm.lastHost) : undefined;
        const host = last && fits(last) ? last : this.inv.hosts.find(fits);
        if (!host) return "Failed to power on the VM: no host has enough memory";
        vm.powerState = "ON";
        vm.host = host.extId;
        vm.lastHost = host.extId;
        vm.version++;
        return undefined;
      },
    });
  }

  #powerOff(vm: SimVm): SimTask {
    // A hard power-off ends a hanging shutdown.
    if (vm.busyTask) {
      const busy = this.engine.tasks.get(vm.busyTask);
      if (busy && busy.spec.hangs && (busy.status === "QUEUED" || busy.status === "RUNNING")) {
        busy.status = "FAILED";
        busy.error = { code: "VMM-30001", message: "the guest did not shut down; the VM was powered off" };
        busy.completedAt = this.now();
        delete vm.busyTask;
      }
    }
    return this.#task(vm, {
      operation: "VmPowerOff",
      operationDescription: "VM power off",
      runMs: this.timings.powerMs,
      onSuccess: () => {
        vm.powerState = "OFF";
        vm.host = null;
        vm.version++;
        return undefined;
      },
    });
  }

  #shutdown(vm: SimVm, guest: boolean): SimTask {
    if (guest && !vm.ngt) throw new ApiError(400, "VMM-10407", "Nutanix Guest Tools are not installed or not reachable in this VM");
    if (vm.powerState !== "ON") throw new ApiError(400, "VMM-10401", "the VM is not powered on");
    return this.#task(vm, {
      operation: guest ? "VmGuestShutdown" : "VmShutdown",
      operationDescription: guest ? "VM guest shutdown" : "VM shutdown",
      runMs: this.timings.shutdownMs,
      hangs: this.faults.ignoreShutdown.has(vm.extId),
      onSuccess: () => {
        vm.powerState = "OFF";
        vm.host = null;
        vm.version++;
        return undefined;
      },
    });
  }
}
