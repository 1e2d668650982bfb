/**
 * The `nutanix-server` target: @vmshift/nutanix against the Prism-like server
 * (`adapters-conformance/prism-server`), a fresh server per session on 127.0.0.1.
 */
import { VmshiftClient } from "@vmshift/core";
import { createNutanixAdapter, parseMigrationId } from "@vmshift/nutanix";
import { type PrismServer, simId, startPrismServer } from "../prism-server/src/index.ts";
import { nutanixBudget } from "../src/budgets.ts";
import { type PlatformDeclaration, lacking, offered } from "../src/platform.ts";
import { NUTANIX_PLATFORM } from "../src/platforms.ts";
import type { ConformanceControls, ConformanceTarget, PlatformLocation } from "../src/target.ts";

/**
 * The Prism-like server: Prism Central's v4 API as documented, except that its migrate-to-host tasks
 * are cancelable while copying (real intra-cluster migrations report isCancelable: false).
 */
export const PRISM_SERVER_PLATFORM: PlatformDeclaration = {
  name: "the Prism-like server (Prism Central v4 vmm/prism/clustermgmt, adapters-conformance/prism-server)",
  capabilities: {
    ...NUTANIX_PLATFORM.capabilities,
    "migration.cancel": offered("adapters-conformance/prism-server/README.md: tasks report 'isCancelable while a migration is still copying' and accept POST …/tasks/{extId}/$actions/cancel"),
    "migration.storage": lacking("the Prism-like server implements no $actions/migrate-vm-disks (adapters-conformance/prism-server/src/sim.ts: its disks name a storage container, but no action moves them)"),
  },
};

/** The server's clients poll tasks from 100 ms (doubling to 500 ms, jitter 0.2): polls at least 80 ms apart. */
export const PRISM_SERVER_BUDGET = nutanixBudget(80);

/** Where the server has a VM (its state, settled to now), not what the adapter says. */
export function prismLocation(server: PrismServer, vmId: string): PlatformLocation {
  server.sim.engine.tick();
  const vm = server.sim.inv.vms.find((v) => v.extId === vmId);
  if (!vm) return { powerState: "unknown" };
  const powerState = vm.powerState === "ON" ? "running" : vm.powerState === "OFF" ? "stopped" : "paused";
  return { ...(vm.host ? { hostId: vm.host } : {}), powerState };
}

/** Subjects of the seeded inventory (see prism-server/src/state.ts). */
export const PRISM_SUBJECTS = {
  liveVm: simId("0e000000", 1),
  targetHost: simId("4057a000", 2),
  fullHost: simId("4057a000", 4),
  incompatibleHost: simId("4057a000", 3),
  coldVm: simId("0e000000", 2),
  coldTargetHost: simId("4057a000", 1),
  minVmCount: 16,
  pageSize: 5,
  missingVmId: simId("0e000000", 9999),
} as const;

/**
 * A request's kind: method and path, ids generalised to `{id}` (ext ids are UUIDs; task ext ids
 * `base64(service):uuid`, percent-encoded or not), query dropped. E.g.
 * `GET /api/prism/v4.0/config/tasks/{id}`.
 */
export function prismRequestKind(method: string, path: string): string {
  const pathname = path.split("?")[0] ?? "";
  const generalised = pathname
    .split("/")
    .map((segment) => (/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(segment) ? "{id}" : segment))
    .join("/");
  return `${method} ${generalised}`;
}

/** Measurement controls backed by the server: its request log, and its task engine's completion times. */
export function prismMeasurementControls(server: PrismServer): Required<Pick<ConformanceControls, "requestLog" | "platformCompletedAt">> {
  return {
    requestLog: () => server.log.map((entry) => prismRequestKind(entry.method, entry.path)),
    async platformCompletedAt(migrationId) {
      // Live migrations are one Prism task; its completedTime (the server's clock, Date.now) is when the platform finished.
      // The engine settles lazily, but a task's completion time is fixed by its timing (start + run), not by when it is observed.
      let parsed;
      try {
        parsed = parseMigrationId(migrationId);
      } catch {
        return undefined;
      }
      if (parsed.kind === "cold") return undefined;
      const task = server.sim.engine.tasks.get(parsed.taskExtId);
      return task && task.status !== "QUEUED" && task.status !== "RUNNING" && task.status !== "CANCELING" ? task.completedAt : undefined;
    },
  };
}

/** A client for a running Prism-like server. */
export function connectToPrismServer(server: PrismServer): VmshiftClient {
  const adapter = createNutanixAdapter({
    baseUrl: server.url,
    auth: { username: "admin", password: "nutanix/4u" },
    availabilityZoneId: server.inventory.availabilityZoneId,
    retryDelayMs: 50,
    shutdownTimeoutMs: 5_000,
  });
  return new VmshiftClient(adapter, { follow: { poll: { initialDelayMs: 100, maxDelayMs: 500 } } });
}

/** Transport-level fault controls backed by the server's knobs (used by the server and recording targets). */
export function prismFaultControls(server: PrismServer): Required<Pick<ConformanceControls, "failTransiently" | "loseNextStartResponse" | "expireSession" | "migrationCount">> {
  const patterns = {
    start: /^POST \/api\/vmm\/v4\.0\/ahv\/config\/vms\/[^/]+\/\$actions\/migrate(-to-host)?$/,
    progress: /^GET \/api\/prism\/v4\.0\/config\/tasks\//,
    cancel: /^POST \/api\/prism\/v4\.0\/config\/tasks\/[^/]+\/\$actions\/cancel$/,
  };
  return {
    async failTransiently(where, times) {
      server.sim.faults.failNext = { count: times, status: 503, pattern: patterns[where] };
    },
    async loseNextStartResponse() {
      server.sim.faults.loseResponse = { count: 1, pattern: patterns.start };
    },
    async expireSession() {
      server.expireSessions();
    },
    async migrationCount(vmId) {
      return server.sim.migrationsByVm.get(vmId) ?? 0;
    },
  };
}

export const nutanixServerTarget: ConformanceTarget = {
  name: "nutanix-server",
  adapter: "nutanix",
  description: "@vmshift/nutanix against the Prism-like server (v4 vmm/prism/clustermgmt, ETags, request ids, async tasks)",
  platform: PRISM_SERVER_PLATFORM,
  budget: PRISM_SERVER_BUDGET,
  async open() {
    const server = await startPrismServer({ timings: { migrationMs: 600, slowMigrationMs: 4_000 } });
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const client = connectToPrismServer(server);
      clients.push(client);
      return client;
    };
    return {
      client: connect(),
      subjects: PRISM_SUBJECTS,
      controls: {
        async failDuringTransfer(vmId) {
          server.sim.faults.failNextMigration.add(vmId);
        },
        async failColdStartOnTarget(vmId) {
          server.sim.faults.failNextPowerOn.add(vmId);
        },
        async slowDown(vmId) {
          server.sim.faults.slowVms.add(vmId);
        },
        async restart() {
          return connect();
        },
        requestCount: () => server.requestCount,
        locateVm: async (vmId) => prismLocation(server, vmId),
        ...prismFaultControls(server),
        ...prismMeasurementControls(server),
      },
      async close() {
        for (const client of clients) await client.close();
        await server.close();
      },
    };
  },
};
