/**
 * Pre-migration checks (advisory, change nothing): VM state and persistence, target reachable
 * and free memory, CPU compatibility (`hypervisor-cpu-compare` of the domain XML on the target),
 * disks on shared storage or a storage copy requested, a name clash on the target, and the
 * planner's advice from the guest's measured dirty rate (`libvirt.plan`, see plan.ts).
 */
import { type NormalizedMigrationRequest, type OperationContext, type PreflightCheck, VmshiftError } from "@vmshift/core";
import { planCheck } from "./plan.ts";
import { disksOf, domainOn, locate } from "./resources/domains.ts";
import { domainVirtType, parseCpuCompare, parseNodememstats, powerStateOf } from "./resources/parse.ts";
import { type Virsh, dom } from "./resources/virsh.ts";

/** Runs the checks for one request. */
export async function preflightChecks(virsh: Virsh, request: NormalizedMigrationRequest, ctx: OperationContext): Promise<PreflightCheck[]> {
  const call = { operation: "migration.preflight", subject: request.vmId, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const checks: PreflightCheck[] = [];
  const source = await locate(virsh, request.vmId, call);
  const power = powerStateOf(source.info.state, source.reason);
  if (request.targetHostId === undefined) {
    checks.push({ id: "libvirt.target", category: "policy", severity: "error", message: "libvirt has no scheduler: name a targetHostId" });
    return checks;
  }
  const target = virsh.host(request.targetHostId, call.operation);
  if (target.id === source.hostId) checks.push({ id: "libvirt.sameHost", category: "policy", severity: "error", message: `the VM already is on ${target.id}` });

  if (request.mode === "live" && power !== "running") checks.push({ id: "libvirt.state", category: "state", severity: "error", message: `a live migration needs a running VM; it is ${power}`, native: { state: source.info.state, reason: source.reason } });
  else checks.push({ id: "libvirt.state", category: "state", severity: "info", message: `the VM is ${power} on ${source.hostId}` });

  if (source.info.persistent === false) {
    checks.push(request.mode === "cold"
      ? { id: "libvirt.persistent", category: "state", severity: "error", message: "the domain is transient: it disappears when stopped, so it cannot move cold" }
      : { id: "libvirt.persistent", category: "state", severity: "info", message: "the domain is transient; it becomes persistent on the target (--persistent)" });
  } else checks.push({ id: "libvirt.persistent", category: "state", severity: "info", message: "the domain is persistent; its definition moves with it (--persistent --undefinesource)" });

  let free: number | undefined;
  try {
    free = parseNodememstats(await virsh.run(target.id, "nodememstats", [], call)).freeBytes;
  } catch (error) {
    if (!(error instanceof VmshiftError) || error.code !== "TRANSPORT") throw error;
    checks.push({ id: "libvirt.targetReachable", category: "network", severity: "error", message: `cannot reach ${target.id}: ${error.reason}` });
    return checks;
  }
  const need = source.info.maxMemoryBytes;
  if (free !== undefined && need !== undefined) {
    checks.push(free < need
      ? { id: "libvirt.targetMemory", category: "capacity", severity: "error", message: `${target.id} has ${mib(free)} MiB free; the VM needs ${mib(need)} MiB`, native: { freeBytes: free, neededBytes: need } }
      : { id: "libvirt.targetMemory", category: "capacity", severity: "info", message: `${target.id} has ${mib(free)} MiB free for ${mib(need)} MiB`, native: { freeBytes: free, neededBytes: need } });
  }

  const xml = await virsh.run(source.hostId, "dumpxml", [dom(source.info.uuid)], call);
  const virtType = domainVirtType(xml);
  const compare = await virsh.raw(target.id, "hypervisor-cpu-compare", [{ inputFile: true } as const, ...(virtType ? [{ option: "--virttype", value: virtType }] : [])], { ...call, input: xml });
  const verdict = parseCpuCompare(compare.stdout);
  if (verdict === "incompatible") checks.push({ id: "libvirt.cpu", category: "compatibility", severity: "error", message: `the VM's CPU is incompatible with ${target.id}'s`, native: compare.stdout.trim() });
  else if (verdict) checks.push({ id: "libvirt.cpu", category: "compatibility", severity: "info", message: `${target.id}'s CPU is ${verdict === "identical" ? "identical to" : "a superset of"} the VM's`, native: compare.stdout.trim() });
  else checks.push({ id: "libvirt.cpu", category: "compatibility", severity: "warning", message: "CPU compatibility could not be checked", native: (compare.stderr || compare.stdout).trim() });

  const disks = (await disksOf(virsh, source.hostId, source.info.uuid, call)).filter((d) => d.device === "disk" && d.source !== undefined);
  for (const disk of disks) {
    const seen = await virsh.raw(target.id, "vol-info", [{ option: "--vol", value: disk.source! }], call);
    if (seen.code === 0) checks.push({ id: "libvirt.disk", category: "storage", severity: "info", message: `${disk.target} (${disk.source}) is visible on ${target.id}` });
    else if (request.targetStorageId !== undefined && request.mode === "live") checks.push({ id: "libvirt.disk", category: "storage", severity: "info", message: `${disk.target} will be copied (--copy-storage-all)` });
    else checks.push({ id: "libvirt.disk", category: "storage", severity: "warning", message: `${disk.target} (${disk.source}) is not in a storage pool on ${target.id}: it must be on shared storage, or request a storage copy`, native: seen.stderr.trim() });
  }
  if (disks.length === 0) checks.push({ id: "libvirt.disk", category: "storage", severity: "info", message: "the VM has no disks to move" });

  if (request.mode === "live" && power === "running") {
    checks.push(await planCheck(virsh, request, { hostId: source.hostId, uuid: source.info.uuid, ...(source.info.maxMemoryBytes === undefined ? {} : { memoryBytes: source.info.maxMemoryBytes }) }, ctx, call));
  }

  const clash = await domainOn(virsh, target.id, source.info.name, call);
  if (clash && clash.info.uuid !== source.info.uuid) checks.push({ id: "libvirt.nameClash", category: "state", severity: "error", message: `${target.id} already has a different domain named ${source.info.name}`, native: { uuid: clash.info.uuid } });
  return checks;
}

const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);
