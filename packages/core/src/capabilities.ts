/**
 * Capabilities are data. Each adapter exports a table that `satisfies CapabilityTable`, i.e. a
 * decision for every capability of the union: adding a capability fails to compile until every
 * adapter decides. `probe()` narrows a table for one live connection.
 */
import type { MigrationRequest, ProgressField } from "./model.ts";

/** Every capability, with what it means. The support matrix in docs is generated from this. */
export const CAPABILITIES = {
  "vm.list": "List VMs, paged.",
  "vm.get": "Get one VM by id.",
  "host.list": "List hosts, paged.",
  "preflight": "Pre-migration checks with categories.",
  "migration.live": "Live migration (the VM keeps running).",
  "migration.cold": "Cold migration (stop, relocate, start), restarting on the source on failure.",
  "migration.schedulerChoosesTarget": "Start a migration without naming a target host; the platform picks one.",
  "migration.explicitTarget": "Start a migration to a named target host.",
  "migration.crossCluster": "Move a VM to another cluster.",
  "migration.storage": "Move disks with the VM (storage migration).",
  "migration.cancel": "Cancel an in-flight migration; the VM stays on its source.",
  "migration.attach": "Re-attach to an in-flight migration by id after a process restart.",
  "migration.watch": "Progress is pushed by the platform (no polling).",
  "migration.maxDowntime": "Caller sets the longest acceptable pause.",
  "migration.bandwidthLimit": "Caller caps migration bandwidth.",
  "migration.autoConverge": "Throttle the guest so pre-copy converges.",
  "migration.postCopy": "Switch to post-copy when pre-copy does not converge.",
  "progress.percent": "Progress reports `percent`.",
  "progress.bytes": "Progress reports transferred/remaining/total bytes.",
  "progress.dirtyRate": "Progress reports the guest's memory dirty rate.",
  "progress.bandwidth": "Progress reports the transfer bandwidth.",
  "progress.iteration": "Progress reports the pre-copy round.",
  "progress.expectedDowntime": "Progress reports the expected downtime.",
} as const;

/** The capability union. */
export type Capability = keyof typeof CAPABILITIES;

/** All capability names, in declaration order. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[];

/** How well an adapter does one capability. `note` says why, and is required for partial and unsupported. */
export type Support =
  | { readonly status: "supported"; readonly note?: string }
  | { readonly status: "partial" | "unsupported"; readonly note: string };

/** A decision for every capability. */
export type CapabilityTable = Readonly<Record<Capability, Support>>;

/** `supported`, with an optional note. */
export const supported = (note?: string): Support => (note === undefined ? { status: "supported" } : { status: "supported", note });
/** `partial`: works with limits the note states. */
export const partial = (note: string): Support => ({ status: "partial", note });
/** `unsupported`: the note says why (platform cannot, or not implemented yet). */
export const unsupported = (note: string): Support => ({ status: "unsupported", note });

/** True unless the table says `unsupported`. */
export function isAvailable(table: CapabilityTable, capability: Capability): boolean {
  return table[capability].status !== "unsupported";
}

/** The capability that governs each optional progress field. */
export const PROGRESS_FIELD_CAPABILITY: Readonly<Record<ProgressField, Capability>> = {
  percent: "progress.percent",
  transferredBytes: "progress.bytes",
  remainingBytes: "progress.bytes",
  totalBytes: "progress.bytes",
  dirtyRateBytesPerSecond: "progress.dirtyRate",
  bandwidthBytesPerSecond: "progress.bandwidth",
  iteration: "progress.iteration",
  expectedDowntimeMs: "progress.expectedDowntime",
};

/** The capabilities a migration request needs, derived from the fields it sets. */
export function capabilitiesFor(request: MigrationRequest): Capability[] {
  const needed: Capability[] = [request.mode === "cold" ? "migration.cold" : "migration.live"];
  needed.push(request.targetHostId === undefined ? "migration.schedulerChoosesTarget" : "migration.explicitTarget");
  if (request.targetClusterId !== undefined) needed.push("migration.crossCluster");
  if (request.targetStorageId !== undefined) needed.push("migration.storage");
  if (request.mode !== "cold") {
    if (request.maxDowntimeMs !== undefined) needed.push("migration.maxDowntime");
    if (request.bandwidthBytesPerSecond !== undefined) needed.push("migration.bandwidthLimit");
    if (request.allowAutoConverge) needed.push("migration.autoConverge");
    if (request.allowPostCopy) needed.push("migration.postCopy");
  }
  return needed;
}

/** A table narrowed by a live probe: entries in `overrides` replace the static ones. */
export function narrow(table: CapabilityTable, overrides: Partial<Record<Capability, Support>>): CapabilityTable {
  return { ...table, ...overrides };
}
