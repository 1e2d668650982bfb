/**
 * What a target's platform is documented to do, and what every migration adapter must do whatever
 * its platform (the core set). The runner holds an adapter to both: a scenario whose capability the
 * platform offers, or that belongs to the core set, fails when the adapter declares it unsupported;
 * only what the platform itself lacks (or the target withholds) is skipped, with the reason.
 */
import type { Capability, CapabilityTable, HypervisorAdapter } from "@vmshift/core";

/**
 * Whether a platform offers one capability. `source` says where that is documented: a URL, or the
 * documented fact itself quoted with where it comes from (so the claim can be checked without
 * anything outside the repository).
 */
export type PlatformSupport = { readonly offered: true; readonly source: string } | { readonly offered: false; readonly source: string };

/** A platform offers the capability; `source` is where that is documented. */
export const offered = (source: string): PlatformSupport => ({ offered: true, source });
/** A platform lacks the capability; `source` is where that is documented (or why it cannot). */
export const lacking = (source: string): PlatformSupport => ({ offered: false, source });

/** What the platform behind a target is documented to do. */
export interface PlatformDeclaration {
  /** The platform as the target runs it, e.g. `KubeVirt ≥ 1.6` or `the Prism-like test server`. */
  readonly name: string;
  /**
   * Capability by capability: offered or lacking, with its source. Every capability a scenario
   * requires should be declared; a scenario needing one the adapter marks unsupported fails when
   * the platform offers it or does not say, and is skipped (with this source) when it lacks it.
   */
  readonly capabilities: Readonly<Partial<Record<Capability, PlatformSupport>>>;
}

/**
 * The core set every migration adapter offers, whatever its platform: listing VMs and hosts,
 * reading a VM, pre-checks, starting a live or a cold migration, following it to a terminal state
 * and attaching to it by id. An adapter that declares one of these unsupported fails the suite.
 */
export const CORE_CAPABILITIES: Readonly<Record<"vm.list" | "vm.get" | "host.list" | "preflight" | "migration.attach", string>> = {
  "vm.list": "listing VMs",
  "vm.get": "reading one VM",
  "host.list": "listing hosts",
  preflight: "pre-migration checks",
  "migration.attach": "attaching to a migration by id",
};

/** Whether `capability` belongs to the core set for an adapter with this table (live or cold: at least one of them). */
export function isCore(capability: Capability, table: CapabilityTable): boolean {
  if (capability in CORE_CAPABILITIES) return true;
  if (capability === "migration.live" || capability === "migration.cold") {
    return table["migration.live"].status === "unsupported" && table["migration.cold"].status === "unsupported";
  }
  return false;
}

/**
 * What an adapter lacks of the core set: capabilities declared unsupported, and the operations
 * the core needs but the adapter does not implement. Empty when it offers the whole core.
 */
export function coreGaps(adapter: HypervisorAdapter, table: CapabilityTable = adapter.capabilities): string[] {
  const gaps: string[] = [];
  for (const [capability, what] of Object.entries(CORE_CAPABILITIES) as [Capability, string][]) {
    const support = table[capability];
    if (support.status === "unsupported") gaps.push(`${capability} (${what}) is declared unsupported: ${support.note}`);
  }
  if (table["migration.live"].status === "unsupported" && table["migration.cold"].status === "unsupported") {
    gaps.push("neither migration.live nor migration.cold is offered (starting a migration)");
  }
  const operations: [keyof HypervisorAdapter, string][] = [
    ["listVms", "vm.list"],
    ["getVm", "vm.get"],
    ["listHosts", "host.list"],
    ["preflight", "preflight"],
    ["startMigration", "starting a migration"],
  ];
  for (const [operation, why] of operations) if (typeof adapter[operation] !== "function") gaps.push(`no ${operation} operation (${why})`);
  if (typeof adapter.getMigration !== "function" && typeof adapter.watchMigration !== "function") gaps.push("neither getMigration nor watchMigration (following a migration to its terminal state)");
  if (typeof adapter.attachMigration !== "function" && typeof adapter.getMigration !== "function") gaps.push("neither attachMigration nor getMigration (attaching by id)");
  return gaps;
}
