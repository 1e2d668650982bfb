/**
 * Which VMs a `vmshift plan move <selector>` names: the source platform's own listing (the
 * adapter's `listVms`, as `vmshift vms` shows it) filtered by name, each with the id the move
 * source takes — libvirt moves a domain by its name, vSphere by its moref, Hyper-V by its VM id
 * (GUID), Nutanix by its extId — and the name a human reviews.
 */
import { UsageError } from "../command.ts";
import type { CliIo } from "../io.ts";
import { connect } from "../platforms.ts";
import type { ResolvedProfile } from "../profiles.ts";

/** A VM the selector matched: `moveId` is what the mover's `vmId` takes, `name` what the plan shows. */
export interface SelectedVm {
  readonly moveId: string;
  readonly name: string;
}

/** `web-*,db-1`: names or shell-style patterns (`*`, `?`), comma-separated; a usage error when it names nothing. */
export function selectorMatcher(selector: string): (name: string) => boolean {
  const patterns = selector.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (patterns.length === 0) throw new UsageError("the selector names no VM (names or patterns like web-*, comma-separated)");
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (name) => res.some((r) => r.test(name));
}

/** The id a platform's move source takes for a listed VM. */
export function moveIdOf(platform: string, vm: { readonly id: string; readonly name: string }): string {
  return platform === "libvirt" ? vm.name : vm.id;
}

/**
 * The source profile's VMs whose names match, sorted by name (then id), through the platform's
 * adapter. `hostId`: only the VMs on that host (a libvirt profile's chosen host).
 */
export async function selectVms(profile: ResolvedProfile, io: CliIo, match: (name: string) => boolean, hostId?: string): Promise<SelectedVm[]> {
  const connection = await connect(profile, {}, io);
  const selected: SelectedVm[] = [];
  try {
    for await (const vm of connection.client.listVms().items()) {
      if (hostId !== undefined && vm.hostId !== undefined && vm.hostId !== hostId) continue;
      if (match(vm.name)) selected.push({ moveId: moveIdOf(profile.platform, vm), name: vm.name });
    }
  } finally {
    await connection.close();
  }
  return selected.sort((a, b) => a.name.localeCompare(b.name) || a.moveId.localeCompare(b.moveId));
}
