/**
 * Pre-migration checks: the adapter's own (power state, host connected and not in maintenance,
 * capacity, datastore and network visibility, cluster membership) plus the server's
 * `CheckRelocate_Task` results where the server implements it. Changes nothing.
 */
import { type CheckCategory, type NormalizedMigrationRequest, type PreflightCheck, isVmshiftError } from "@vmshift/core";
import { codeForFault } from "../errors.ts";
import type { ServiceContent, VimSession } from "../session.ts";
import { el, moref, seq } from "../xml.ts";
import { asArray, text, xsiType } from "./decode.ts";
import type { MoRef } from "../xml.ts";
import type { TaskFeed } from "./feed.ts";
import { type HostFacts, type VmFacts, freeMemoryBytes, readHostFacts } from "./placement.ts";
import { type TaskState, startTask } from "./tasks.ts";

/** Category of a server check fault. */
export function categoryOfFault(type: string): CheckCategory {
  const code = codeForFault(type, "INCOMPATIBLE");
  if (code === "INSUFFICIENT_RESOURCES") return "capacity";
  if (code === "INVALID_STATE") return "state";
  if (code === "PERMISSION_DENIED") return "policy";
  if (/Datastore|Storage|Disk|File/i.test(type)) return "storage";
  if (/Network|Nic|VMotionInterface|Portgroup|Switch/i.test(type)) return "network";
  if (/Device/i.test(type)) return "device";
  return "compatibility";
}

const check = (id: string, category: CheckCategory, severity: PreflightCheck["severity"], message: string, native?: unknown): PreflightCheck =>
  native === undefined ? { id, category, severity, message } : { id, category, severity, message, native };

/** The adapter's own checks of `vm` moving to `target`. */
export async function ownChecks(session: VimSession, content: ServiceContent, request: NormalizedMigrationRequest, vm: VmFacts, target: HostFacts | undefined, signal?: AbortSignal): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  if (request.mode === "live" && vm.power !== "poweredOn") {
    checks.push(check("vm.power-state", "state", "error", `VM ${vm.name} is ${vm.power}; a live migration (vMotion) needs it powered on (use mode "cold")`));
  }
  if (!target) return checks;
  if (vm.hostId === target.id) checks.push(check("host.same", "state", "error", `VM ${vm.name} already runs on ${target.name}`));
  if (!target.connected) checks.push(check("host.connection", "state", "error", `host ${target.name} is not connected`));
  if (target.maintenance) checks.push(check("host.maintenance", "state", "error", `host ${target.name} is in maintenance mode`));
  if (request.targetClusterId !== undefined && target.parent?.value !== request.targetClusterId) {
    checks.push(check("host.cluster", "policy", "error", `host ${target.name} is not in cluster ${request.targetClusterId}`));
  }
  if (target.memoryBytes !== undefined && vm.memoryBytes > 0) {
    if (vm.memoryBytes > target.memoryBytes) {
      checks.push(check("host.capacity", "capacity", "error", `VM ${vm.name} needs ${vm.memoryBytes} bytes of memory; host ${target.name} has ${target.memoryBytes} in total`));
    } else if (request.mode === "live" || vm.power === "poweredOn") {
      const free = await freeMemoryBytes(session, content, target, vm.id, signal);
      if (free !== undefined && free < vm.memoryBytes) {
        checks.push(check("host.capacity", "capacity", "error", `host ${target.name} has ${Math.max(0, free)} bytes of memory left for powered-on VMs; VM ${vm.name} needs ${vm.memoryBytes}`));
      }
    }
  }
  const wantedStores = request.targetStorageId === undefined ? vm.datastores : [request.targetStorageId];
  const missingStores = wantedStores.filter((d) => !target.datastores.includes(d));
  if (missingStores.length > 0) {
    checks.push(check("host.datastore-visibility", "storage", "error", `host ${target.name} cannot see datastore(s) ${missingStores.join(", ")}`));
  }
  const missingNets = vm.networks.filter((n) => !target.networks.includes(n));
  if (missingNets.length > 0) {
    checks.push(check("host.network-visibility", "network", "error", `host ${target.name} cannot reach network(s) ${missingNets.join(", ")} of VM ${vm.name}`));
  }
  return checks;
}

/** Whether the server implements CheckRelocate_Task: unknown until tried. */
export interface ServerCheckState {
  available: boolean | undefined;
}

/**
 * Runs `CheckRelocate_Task` (with `pool` when the move leaves the VM's compute resource) and maps
 * each `CheckResult` error/warning to a check; the task is followed as one filter on the session's
 * feed (CreateFilter, WaitForUpdatesEx until done, DestroyPropertyFilter: `info.result` comes with
 * the final state). When the server does not implement it (`MethodNotFound`), says so once in an
 * `info` check and remembers.
 */
export async function serverChecks(session: VimSession, content: ServiceContent, feed: TaskFeed, vm: VmFacts, target: HostFacts, pool: MoRef | undefined, state: ServerCheckState, signal?: AbortSignal): Promise<PreflightCheck[]> {
  const checker = content.vmProvisioningChecker;
  if (!checker || state.available === false) return [];
  const spec = el("spec", [moref("host", { type: "HostSystem", value: target.id }), pool ? moref("pool", pool) : undefined]);
  let task;
  try {
    task = await startTask(session, "CheckRelocate_Task", checker, seq(moref("vm", { type: "VirtualMachine", value: vm.id }), spec), signal);
  } catch (error) {
    if (isVmshiftError(error, "CAPABILITY_UNAVAILABLE")) {
      state.available = false;
      return [check("server.check-relocate", "policy", "info", "this server does not implement CheckRelocate_Task; only vmshift's own checks ran")];
    }
    throw error;
  }
  state.available = true;
  const subscription = await feed.subscribe(task, undefined, signal);
  let final: TaskState | undefined;
  try {
    for (let u = await subscription.next(signal); u; u = await subscription.next(signal)) final = u.state;
  } finally {
    void subscription.close();
  }
  if (!final) return [check("server.check-relocate", "policy", "warning", `CheckRelocate_Task ${task.value} ended without a state`)];
  if (final.state === "error") {
    return [check("server.check-relocate", categoryOfFault(final.error?.type ?? "SystemError"), "error", `CheckRelocate_Task failed: ${final.error?.type ?? "unknown fault"} ${final.error?.message ?? ""}`.trim(), final.error)];
  }
  const results = asArray<{ error?: unknown; warning?: unknown }>((final.result as { CheckResult?: unknown } | undefined)?.CheckResult ?? final.result);
  const out: PreflightCheck[] = [];
  for (const r of results) {
    for (const [severity, list] of [["error", r.error], ["warning", r.warning]] as const) {
      for (const f of asArray<{ fault?: unknown; localizedMessage?: unknown }>(list)) {
        const type = xsiType(f.fault) ?? "MigrationFault";
        out.push(check(`server.${type}`, categoryOfFault(type), severity, text(f.localizedMessage) ?? type, f));
      }
    }
  }
  return out;
}

/** Facts of the target host, or a `host.not-found` check. */
export async function targetFacts(session: VimSession, content: ServiceContent, hostId: string, signal?: AbortSignal): Promise<HostFacts | PreflightCheck> {
  try {
    return await readHostFacts(session, content, hostId, signal);
  } catch (error) {
    if (isVmshiftError(error, "NOT_FOUND")) return check("host.not-found", "state", "error", `no host ${hostId}`);
    throw error;
  }
}
