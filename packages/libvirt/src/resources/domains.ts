/** Domain lookups across hosts. */
import { type Vm, VmshiftError } from "@vmshift/core";
import { type DomInfo, type DiskInfo, parseDomblklist, parseDominfo, parseDomstate, parseUuidNameList, powerStateOf } from "./parse.ts";
import { type CallContext, type Virsh, dom } from "./virsh.ts";

/** A domain UUID (virsh accepts names too; only a UUID can be looked up without `dominfo`). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a domain's state is, on one host: `domstate --reason` (one call); undefined when it is not there. */
export async function stateOn(virsh: Virsh, hostId: string, vmId: string, ctx: CallContext): Promise<{ readonly state: string; readonly reason?: string } | undefined> {
  try {
    return parseDomstate(await virsh.run(hostId, "domstate", [dom(vmId), { flag: "--reason" }], ctx));
  } catch (error) {
    if (error instanceof VmshiftError && error.code === "NOT_FOUND") return undefined;
    throw error;
  }
}

/**
 * Where a domain runs, for a migration: `domstate --reason` on each host, in configuration order,
 * until one runs it (one call per host looked at). A domain named by name rather than UUID is
 * located with {@link locate} (its UUID comes from `dominfo`). The placement's `info` then carries
 * the UUID as name and the state only.
 */
export async function locateRunning(virsh: Virsh, vmId: string, ctx: CallContext): Promise<Placement> {
  if (!UUID.test(vmId)) return locate(virsh, vmId, ctx);
  let first: Placement | undefined;
  let down: VmshiftError | undefined;
  for (const host of virsh.hosts()) {
    let state;
    try {
      state = await stateOn(virsh, host.id, vmId, ctx);
    } catch (error) {
      if (!(error instanceof VmshiftError) || error.code !== "TRANSPORT") throw error;
      down ??= error;
      continue;
    }
    if (!state) continue;
    const p: Placement = { hostId: host.id, info: { name: vmId, uuid: vmId, state: state.state }, ...(state.reason === undefined ? {} : { reason: state.reason }) };
    if (powerStateOf(p.info.state, p.reason) === "running") return p;
    first ??= p;
  }
  if (first) return first;
  if (down) throw new VmshiftError("TRANSPORT", `domain ${JSON.stringify(vmId)} is on no reachable host, and some hosts are unreachable: ${down.reason}`, { adapter: "libvirt", operation: ctx.operation, subject: vmId, cause: down });
  throw new VmshiftError("NOT_FOUND", `no domain ${JSON.stringify(vmId)} on any configured host`, { adapter: "libvirt", operation: ctx.operation, subject: vmId, retryable: false });
}

/** A domain as seen on one host. */
export interface Placement {
  readonly hostId: string;
  readonly info: DomInfo;
  readonly reason?: string;
}

/** `dominfo` on one host; undefined when the domain is not there. */
export async function domainOn(virsh: Virsh, hostId: string, vmId: string, ctx: CallContext): Promise<Placement | undefined> {
  try {
    const info = parseDominfo(await virsh.run(hostId, "dominfo", [dom(vmId)], ctx));
    const state = parseDomstate(await virsh.run(hostId, "domstate", [dom(vmId), { flag: "--reason" }], ctx));
    // domstate is read second and is the more precise of the two: its state (and reason) wins.
    return { hostId, info: { ...info, state: state.state }, ...(state.reason === undefined ? {} : { reason: state.reason }) };
  } catch (error) {
    if (error instanceof VmshiftError && error.code === "NOT_FOUND") return undefined;
    throw error;
  }
}

/**
 * Every host the domain is known on (during a migration: both). Unreachable hosts are skipped
 * and named in `unreachable`.
 */
export async function placements(virsh: Virsh, vmId: string, ctx: CallContext): Promise<Placement[] & { unreachable?: VmshiftError[] }> {
  const found: Placement[] & { unreachable?: VmshiftError[] } = [];
  for (const host of virsh.hosts()) {
    try {
      const p = await domainOn(virsh, host.id, vmId, ctx);
      if (p) found.push(p);
    } catch (error) {
      if (!(error instanceof VmshiftError) || error.code !== "TRANSPORT") throw error;
      (found.unreachable ??= []).push(error);
    }
  }
  return found;
}

const RANK: Record<string, number> = { running: 0, migrating: 1, paused: 2, suspended: 3, stopped: 4, unknown: 5 };

/** Where the domain lives: the running copy first, then paused, then a defined (stopped) one. `NOT_FOUND` when nowhere. */
export async function locate(virsh: Virsh, vmId: string, ctx: CallContext): Promise<Placement> {
  const found = await placements(virsh, vmId, ctx);
  found.sort((a, b) => RANK[powerStateOf(a.info.state, a.reason)]! - RANK[powerStateOf(b.info.state, b.reason)]!);
  const best = found[0];
  const down = found.unreachable?.[0];
  if (!best && down) throw new VmshiftError("TRANSPORT", `domain ${JSON.stringify(vmId)} is on no reachable host, and some hosts are unreachable: ${down.reason}`, { adapter: "libvirt", operation: ctx.operation, subject: vmId, cause: down });
  if (!best) throw new VmshiftError("NOT_FOUND", `no domain ${JSON.stringify(vmId)} on any configured host`, { adapter: "libvirt", operation: ctx.operation, subject: vmId, retryable: false });
  return best;
}

/** Disks of a domain. */
export async function disksOf(virsh: Virsh, hostId: string, vmId: string, ctx: CallContext): Promise<DiskInfo[]> {
  return parseDomblklist(await virsh.run(hostId, "domblklist", [dom(vmId), { flag: "--details" }], ctx));
}

/** A placement as a vmshift Vm. */
export function toVm(p: Placement, disks?: readonly DiskInfo[]): Vm {
  const power = powerStateOf(p.info.state, p.reason);
  const labels: Record<string, string> = { "libvirt.name": p.info.name, "libvirt.persistent": String(p.info.persistent ?? "unknown") };
  if (disks) labels["libvirt.disks"] = disks.map((d) => `${d.target}=${d.source ?? "-"}`).join(",");
  return {
    id: p.info.uuid,
    name: p.info.name,
    powerState: power,
    hostId: p.hostId,
    ...(p.info.maxMemoryBytes === undefined ? {} : { memoryBytes: p.info.maxMemoryBytes }),
    ...(p.info.cpus === undefined ? {} : { cpus: p.info.cpus }),
    liveMigratable: power === "running",
    labels,
  };
}

/** All domains of one host (uuid + name). */
export async function listOn(virsh: Virsh, hostId: string, ctx: CallContext): Promise<{ uuid: string; name: string }[]> {
  return parseUuidNameList(await virsh.run(hostId, "list", [{ flag: "--all" }, { flag: "--uuid" }, { flag: "--name" }], ctx));
}
