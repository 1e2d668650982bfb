/**
 * What each vmshift script does to the model and what it prints: the `data` of a successful run,
 * or the error record fields the script's catch block would print.
 */
import { moveHandlers } from "./move-model.ts";
import { type ModelJob, type ModelState, type ModelVm, MIGRATION_MS, SLOW_MIGRATION_MS, activeJob, freeMemory, hostKey } from "./model.ts";

/** The error fields a script's catch block prints. */
export interface ErrorFields {
  fullyQualifiedErrorId: string;
  category: string;
  exceptionType: string;
  hresult: number;
  message: string;
}

/** Thrown by handlers; becomes `{ ok: false, error }`. */
export class ScriptError extends Error {
  readonly fields: ErrorFields;
  constructor(fields: Partial<ErrorFields> & { message: string }) {
    super(fields.message);
    this.fields = {
      fullyQualifiedErrorId: fields.fullyQualifiedErrorId ?? "OperationFailed",
      category: fields.category ?? "NotSpecified",
      exceptionType: fields.exceptionType ?? "Microsoft.HyperV.PowerShell.VirtualizationException",
      hresult: fields.hresult ?? -2146233088,
      message: fields.message,
    };
  }
}

type Params = Record<string, string | string[]>;

/**
 * The text of the script being run. The model acts on script names and parameters; for the
 * cluster cmdlets it also looks at how the script finds a VM's cluster group: by the VM's id
 * (`Get-ClusterGroup -VMId`), or by the VM's name (`-Name $vm.Name`), which misses a role named
 * differently from its VM, as a real cluster does. For a warm pass's recovery checkpoint it looks at
 * how the script finds the checkpoint it made (move-model.ts).
 */
let scriptText = "";
export function setScriptText(text: string): void {
  scriptText = text;
}
const groupById = (): boolean => /Get-ClusterGroup -VMId \$vm\.Id/.test(scriptText);
const groupOf = (vm: ModelVm): string => vm.clusterGroup ?? vm.name;

function requireGroupByVm(vm: ModelVm, command: string): void {
  if (!vm.clustered) return;
  const byName = /Move-ClusterVirtualMachineRole -Name \$vm\.Name\b/.test(scriptText);
  if ((byName || !groupById()) && groupOf(vm) !== vm.name) {
    throw new ScriptError({ fullyQualifiedErrorId: `ClusterObjectNotFound,Microsoft.FailoverClusters.PowerShell.${command}`, category: "ObjectNotFound", exceptionType: "Microsoft.FailoverClusters.PowerShell.ClusterCmdletException", message: `The cluster group '${vm.name}' was not found.` });
  }
}
type Handler = (state: ModelState, params: Params, nowMs: number) => unknown;

const list = (p: Params, name: string): string[] => {
  const v = p[name];
  return Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v];
};
const str = (p: Params, name: string): string => {
  const v = p[name];
  return typeof v === "string" ? v : "";
};

function hostsOf(state: ModelState, names: string[], command: string): string[] {
  if (names.length === 0) return Object.keys(state.hosts);
  return names.map((n) => {
    const key = hostKey(state, n);
    if (!key) {
      throw new ScriptError({
        fullyQualifiedErrorId: `Unspecified,Microsoft.HyperV.PowerShell.Commands.${command}`,
        category: "NotSpecified",
        message: `Hyper-V encountered an error trying to access an object on computer '${n}' because the object was not found. The object might have been deleted, or you might not have permission to perform the task. Verify that the Virtual Machine Management service on the computer is running. The RPC server is unavailable. (0x800706BA)`,
      });
    }
    return key;
  });
}

function findVm(state: ModelState, hostList: string[], id: string): ModelVm | undefined {
  const hosts = hostsOf(state, hostList, "GetVM");
  const vm = state.vms[id.toLowerCase()];
  return vm && hosts.includes(vm.host) ? vm : undefined;
}

function requireVm(state: ModelState, hostList: string[], id: string): ModelVm {
  const vm = findVm(state, hostList, id);
  if (!vm) {
    throw new ScriptError({ fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", exceptionType: "Microsoft.PowerShell.Commands.WriteErrorException", message: "no virtual machine with this id on the given hosts" });
  }
  return vm;
}

function vmShape(vm: ModelVm) {
  const clustered = vm.clustered === true;
  // The owner node comes from the VM's cluster group: found by id, or (older scripts) by the VM's name.
  const found = clustered && (groupById() || groupOf(vm) === vm.name);
  return { id: vm.id, name: vm.name, state: vm.state, computerName: vm.host, memoryStartupBytes: vm.memoryStartupBytes, processorCount: vm.processorCount, isClustered: clustered, ownerNode: found ? vm.host : null, clusterGroup: found ? groupOf(vm) : null, generation: vm.generation, version: vm.version };
}

function hostShape(state: ModelState, name: string) {
  const h = state.hosts[name]!;
  return {
    name: h.name,
    fqdn: h.fqdn,
    migrationEnabled: h.migrationEnabled,
    authenticationType: h.authenticationType,
    maxMigrations: h.maxMigrations,
    maxStorageMigrations: 2,
    performanceOption: h.performanceOption,
    logicalProcessorCount: h.logicalProcessorCount,
    memoryCapacityBytes: h.memoryCapacityBytes,
    freeMemoryBytes: freeMemory(state, name),
    virtualMachinePath: h.virtualMachinePath,
    cluster: h.cluster ?? null,
    nodeState: h.nodeState ?? null,
  };
}

function jobShape(job: ModelJob | undefined) {
  if (!job) return null;
  return {
    instanceId: job.instanceId,
    jobState: job.jobState,
    percentComplete: job.percentComplete,
    errorCode: job.errorCode,
    errorDescription: job.errorDescription,
    cancellable: job.jobState === 3 || job.jobState === 4,
    destinationHost: job.target,
    startTime: new Date(job.startMs).toISOString(),
  };
}

function migrationRefusal(state: ModelState, vm: ModelVm, target: string, live: boolean): void {
  const source = state.hosts[vm.host]!;
  const dest = state.hosts[target]!;
  const fq = "OperationFailed,Microsoft.HyperV.PowerShell.Commands.MoveVM";
  if (vm.host === target) {
    throw new ScriptError({ fullyQualifiedErrorId: fq, category: "InvalidOperation", message: `The operation cannot be performed while the object is in its current state. '${vm.name}' already resides on '${target}'.` });
  }
  for (const [where, h] of [["source", source], ["destination", dest]] as const) {
    if (!h.migrationEnabled) {
      throw new ScriptError({ fullyQualifiedErrorId: fq, category: "InvalidOperation", message: `Virtual machine migration operation for '${vm.name}' failed at migration ${where}. The Virtual Machine Management Service on host '${h.name}' is not configured to accept live migrations. (0x80070032)` });
    }
  }
  if (vm.clustered && dest.nodeState !== "Up") {
    throw new ScriptError({ fullyQualifiedErrorId: "MoveClusterVirtualMachineRole,Microsoft.FailoverClusters.PowerShell.MoveClusterVirtualMachineRoleCommand", category: "NotSpecified", exceptionType: "Microsoft.FailoverClusters.PowerShell.ClusterCmdletException", message: `An error occurred while moving the clustered role '${vm.name}'. The operation cannot be performed while the object is in its current state: node '${target}' is ${dest.nodeState}.` });
  }
  if (live && freeMemory(state, target) < vm.memoryStartupBytes) {
    throw new ScriptError({ fullyQualifiedErrorId: fq, category: "InvalidOperation", message: `Virtual machine migration operation for '${vm.name}' failed at migration destination '${target}'. '${vm.name}' could not initialize memory: Not enough memory in the system to start the virtual machine ${vm.name}. (0x8007000E)` });
  }
}

/** The handlers, by script name. */
export const HANDLERS: Record<string, Handler> = {
  probe: (state) => ({ psEdition: "Core", psVersion: "7.4.6", os: "Microsoft Windows NT 10.0.20348.0", computerName: state.computerName, hyperVModule: "2.0.0.0", clustered: false }),

  listVms: (state, p) => {
    const hosts = hostsOf(state, list(p, "hostList"), "GetVM");
    return Object.values(state.vms).filter((v) => hosts.includes(v.host)).sort((a, b) => a.id.localeCompare(b.id)).map(vmShape);
  },

  getVm: (state, p) => {
    const vm = findVm(state, list(p, "hostList"), str(p, "vmId"));
    return vm ? vmShape(vm) : null;
  },

  listHosts: (state, p) => hostsOf(state, list(p, "hostList"), "GetVMHost").map((h) => hostShape(state, h)),

  preflight: (state, p) => {
    const vm = findVm(state, list(p, "hostList"), str(p, "vmId"));
    if (!vm) return { vm: null };
    const targetName = str(p, "targetHost");
    const target = hostKey(state, targetName);
    const storagePath = str(p, "storagePath");
    const incompatibilities: { messageId: number; message: string }[] = [];
    if (target && state.hosts[target]!.processor !== state.hosts[vm.host]!.processor) {
      incompatibilities.push({
        messageId: 24004,
        message: `The virtual machine '${vm.name}' is using processor-specific features not supported on host '${target}'. To allow for migration of this virtual machine to physical computers with different processors, modify the virtual machine settings to limit the processor features used by the virtual machine.`,
      });
    }
    return {
      vm: vmShape(vm),
      source: hostShape(state, vm.host),
      target: target ? hostShape(state, target) : null,
      targetError: target ? null : `The RPC server is unavailable. (0x800706BA) '${targetName}'`,
      incompatibilities,
      compareError: null,
      runsOnSource: state.computerName.toLowerCase() === vm.host.toLowerCase(),
      delegation: state.delegation[vm.host] ?? [],
      storagePathExists: storagePath && target ? state.hosts[target]!.paths.some((x) => x.toLowerCase() === storagePath.toLowerCase()) : null,
    };
  },

  startLive: (state, p, nowMs) => {
    const vm = requireVm(state, list(p, "hostList"), str(p, "vmId"));
    // As the script does: an earlier start with this request id, recorded in the VM's notes, is
    // adopted — its job while running or after it ended — instead of calling Move-VM again.
    const requestId = str(p, "requestId");
    const lines = (vm.notes ?? "").split(/\r?\n/);
    const earlier = requestId ? lines.map((l) => l.split(/\s+/)).filter((m) => m[0] === "vmshift-start" && m[1] === requestId).at(-1) : undefined;
    if (earlier) {
      const since = Date.parse(earlier[4] ?? "") - 5_000;
      const job = Object.values(state.jobs)
        .filter((j) => j.vmId === vm.id && j.source.toLowerCase() === (earlier[2] ?? "").toLowerCase())
        .sort((a, b) => b.startMs - a.startMs)[0];
      const ownJob = job && job.startMs >= since ? job : undefined;
      if (ownJob || vm.host.toLowerCase() === (earlier[3] ?? "").toLowerCase()) {
        return { vm: vmShape(vm), sourceHost: earlier[2], reused: true, adopted: true, job: jobShape(ownJob) };
      }
    }
    const existing = activeJob(state, vm.id);
    if (existing) return { vm: vmShape(vm), sourceHost: existing.source, reused: true, adopted: false, job: jobShape(existing) };
    const target = hostKey(state, str(p, "targetHost"));
    if (!target) hostsOf(state, [str(p, "targetHost")], "MoveVM");
    requireGroupByVm(vm, "MoveClusterVirtualMachineRoleCommand");
    if (requestId) {
      const kept = lines.filter((l) => l !== "" && l.split(/\s+/)[0] !== "vmshift-start");
      vm.notes = [...kept, `vmshift-start ${requestId} ${vm.host} ${str(p, "targetHost")} ${new Date(nowMs).toISOString()}`].join("\n");
    }
    migrationRefusal(state, vm, target!, vm.state === "Running");
    const seq = ++state.seq;
    const failIndex = state.faults.failDuringTransfer.indexOf(vm.id);
    if (failIndex >= 0) state.faults.failDuringTransfer.splice(failIndex, 1);
    const job: ModelJob = {
      instanceId: `Microsoft:${vm.id.toUpperCase().slice(0, 24)}${String(seq).padStart(12, "0")}`,
      vmId: vm.id,
      source: vm.host,
      target: target!,
      storagePath: str(p, "storagePath"),
      startMs: nowMs,
      durationMs: state.faults.slow.includes(vm.id) ? SLOW_MIGRATION_MS : MIGRATION_MS,
      jobState: 3,
      percentComplete: 0,
      errorCode: 0,
      errorDescription: "",
      ...(failIndex >= 0 ? { failAtPercent: 40 } : {}),
    };
    state.jobs[job.instanceId] = job;
    return { vm: vmShape(vm), sourceHost: vm.host, reused: false, adopted: false, job: jobShape(job) };
  },

  migrationStatus: (state, p) => {
    const job = state.jobs[str(p, "jobId")];
    const visible = job && job.vmId === str(p, "vmId").toLowerCase() && job.source.toLowerCase() === str(p, "sourceHost").toLowerCase() ? job : undefined;
    const vm = findVm(state, list(p, "hostList"), str(p, "vmId"));
    return { job: jobShape(visible), vm: vm ? vmShape(vm) : null };
  },

  cancelLive: (state, p) => {
    const role = str(p, "clusterRole");
    if (role) {
      state.clusterCancels = [...(state.clusterCancels ?? []), role];
      const vm = Object.values(state.vms).find((v) => groupOf(v) === role && v.clustered);
      if (!vm) throw new ScriptError({ fullyQualifiedErrorId: "ClusterObjectNotFound,Microsoft.FailoverClusters.PowerShell.MoveClusterVirtualMachineRoleCommand", category: "ObjectNotFound", message: `The cluster group '${role}' was not found.` });
      const active = activeJob(state, vm.id);
      if (active) active.jobState = 8;
      return { returnValue: null, job: jobShape(active) };
    }
    const job = state.jobs[str(p, "jobId")];
    let returnValue: number | null = null;
    if (job && (job.jobState === 3 || job.jobState === 4)) {
      job.jobState = 8;
      job.errorDescription = "The operation was cancelled by the user.";
      returnValue = 0;
    }
    return { returnValue, job: jobShape(job) };
  },

  stopVm: (state, p) => {
    const vm = requireVm(state, list(p, "hostList"), str(p, "vmId"));
    let how = "alreadyOff";
    let shutdownError: string | null = null;
    if (vm.state !== "Off") {
      vm.state = "Off";
      how = vm.guestShutdown === false ? "turnedOff" : "shutdown";
      if (vm.guestShutdown === false) shutdownError = "the guest did not shut down in time";
    }
    return { how, shutdownError, vm: vmShape(vm) };
  },

  moveStopped: (state, p) => {
    const vm = requireVm(state, list(p, "hostList"), str(p, "vmId"));
    const target = hostKey(state, str(p, "targetHost"));
    if (!target) hostsOf(state, [str(p, "targetHost")], "MoveVM");
    if (vm.state !== "Off") {
      throw new ScriptError({ fullyQualifiedErrorId: "OperationFailed,Microsoft.HyperV.PowerShell.Commands.MoveVM", category: "InvalidOperation", message: "The operation cannot be performed while the object is in its current state." });
    }
    requireGroupByVm(vm, "MoveClusterVirtualMachineRoleCommand");
    migrationRefusal(state, vm, target!, false);
    vm.host = target!;
    return { vm: vmShape(vm) };
  },

  startVm: (state, p) => {
    const vm = requireVm(state, list(p, "hostList"), str(p, "vmId"));
    const fault = state.faults.failColdStartOnTarget.find((f) => f.startsWith(`${vm.id}@`));
    if (fault && fault.slice(vm.id.length + 1) !== vm.host) {
      state.faults.failColdStartOnTarget = state.faults.failColdStartOnTarget.filter((f) => f !== fault);
      throw new ScriptError({
        fullyQualifiedErrorId: "StartVMFailed,Microsoft.HyperV.PowerShell.Commands.StartVM",
        category: "NotSpecified",
        message: `'${vm.name}' failed to start. (Virtual machine ID ${vm.id.toUpperCase()}) '${vm.name}' failed to start worker process: Insufficient system resources exist to complete the requested service. (0x800705AA).`,
      });
    }
    if (vm.state !== "Running") {
      if (freeMemory(state, vm.host) < vm.memoryStartupBytes) {
        throw new ScriptError({ fullyQualifiedErrorId: "StartVMFailed,Microsoft.HyperV.PowerShell.Commands.StartVM", category: "NotSpecified", message: `'${vm.name}' could not initialize memory: Not enough memory in the system to start the virtual machine ${vm.name}. (0x8007000E)` });
      }
      vm.state = "Running";
    }
    return { vm: vmShape(vm) };
  },
};

// The scripts of @vmshift/move's Hyper-V source (move-model.ts).
Object.assign(HANDLERS, moveHandlers(HANDLERS, (fields) => new ScriptError(fields)));
