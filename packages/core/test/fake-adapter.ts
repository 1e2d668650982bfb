/** A scripted adapter: a test double for the adapter layer only, to test the client and task handle. */
import type { HypervisorAdapter, NormalizedMigrationRequest } from "../src/adapter.ts";
import { CAPABILITY_NAMES, type CapabilityTable, supported } from "../src/capabilities.ts";
import type { MigrationPhase, MigrationSnapshot } from "../src/model.ts";

export const allSupported = Object.fromEntries(CAPABILITY_NAMES.map((c) => [c, supported()])) as CapabilityTable;

export function snapshot(phase: MigrationPhase, extra: Partial<MigrationSnapshot> = {}): MigrationSnapshot {
  const terminal = phase === "completed" || phase === "failed" || phase === "cancelled";
  return {
    id: "m-1",
    vmId: "vm-1",
    mode: "live",
    phase,
    progress: { phase, observedAt: "2026-01-01T00:00:00.000Z" },
    ...(terminal
      ? { result: { migrationId: "m-1", vmId: "vm-1", mode: "live", outcome: phase, vmLocation: { hostId: phase === "completed" ? "h2" : "h1", side: phase === "completed" ? "target" : "source", powerState: "running" } } }
      : {}),
    ...extra,
  } as MigrationSnapshot;
}

/** Records calls; `phases` is what successive getMigration calls return (the last one repeats). */
export function fakeAdapter(overrides: Partial<HypervisorAdapter> = {}, phases: MigrationPhase[] = ["transferring", "completed"]) {
  const calls: string[] = [];
  const requests: NormalizedMigrationRequest[] = [];
  let i = 0;
  const adapter: HypervisorAdapter = {
    name: "fake",
    capabilities: allSupported,
    async listVms() {
      calls.push("listVms");
      return { items: [] };
    },
    async getVm(id) {
      calls.push(`getVm:${id}`);
      return { id, name: id, powerState: "running" };
    },
    async startMigration(request) {
      calls.push("startMigration");
      requests.push(request);
      return snapshot("preparing");
    },
    async getMigration() {
      calls.push("getMigration");
      const phase = phases[Math.min(i++, phases.length - 1)]!;
      return snapshot(phase, { progress: { phase, observedAt: `2026-01-01T00:00:0${Math.min(i, 9)}.000Z` } });
    },
    async cancelMigration() {
      calls.push("cancelMigration");
    },
    ...overrides,
  };
  return { adapter, calls, requests };
}
