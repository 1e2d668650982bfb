/**
 * A real vCenter, selected by `VMSHIFT_VSPHERE_URL`. Read-only unless `VMSHIFT_LIVE_MUTATE=1`:
 * without it, live and cold migration are turned off in the client's capability table, so the
 * scenarios that move VMs are skipped with that reason. Point it at a lab, never at production.
 *
 * - `VMSHIFT_VSPHERE_URL`: `https://<vcenter>/sdk`.
 * - `VMSHIFT_VSPHERE_USER`, `VMSHIFT_VSPHERE_PASSWORD`.
 * - `VMSHIFT_VSPHERE_THUMBPRINT` (SHA-256) or `VMSHIFT_VSPHERE_CA_FILE` (PEM);
 *   `VMSHIFT_VSPHERE_INSECURE=1` turns TLS verification off (lab only).
 * - `VMSHIFT_VSPHERE_LIVE_VM` (VM moref, powered on), `VMSHIFT_VSPHERE_TARGET_HOST` (host moref in
 *   its cluster); optional `VMSHIFT_VSPHERE_COLD_VM`, `VMSHIFT_VSPHERE_COLD_TARGET_HOST`,
 *   `VMSHIFT_VSPHERE_FULL_HOST`, `VMSHIFT_VSPHERE_INCOMPATIBLE_HOST` (e.g. a host in maintenance),
 *   `VMSHIFT_VSPHERE_MIN_VMS` (default 2), `VMSHIFT_VSPHERE_PAGE_SIZE` (default 1).
 *
 * Fault controls are not offered (a real vCenter cannot be told to fail); `restart` and
 * `requestCount` are.
 */
import { readFileSync } from "node:fs";
import { VmshiftClient, unsupported } from "@vmshift/core";
import { createVsphereAdapter } from "@vmshift/vsphere";
import { VSPHERE_LIVE_BUDGET_TODO, vsphereBudget } from "../budgets.ts";
import { VSPHERE_PLATFORM } from "../platforms.ts";
import type { ConformanceTarget } from "../target.ts";

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
};

/** The vCenter's shortest time between two task progress updates, ms, when measured: the budget is enforced with it. */
const PROGRESS_EVERY_MS = Number(env("VMSHIFT_VSPHERE_PROGRESS_EVERY_MS") ?? Number.NaN);

const READ_ONLY_NOTE = "read-only live run: set VMSHIFT_LIVE_MUTATE=1 to let the suite move VMs";
const READ_ONLY = unsupported(READ_ONLY_NOTE);

export const vsphereLiveTarget: ConformanceTarget = {
  name: "vsphere-live",
  adapter: "vsphere",
  description: "a real vCenter (VMSHIFT_VSPHERE_URL) over vim25 SOAP; read-only unless VMSHIFT_LIVE_MUTATE=1",
  platform: VSPHERE_PLATFORM,
  budget: PROGRESS_EVERY_MS > 0 ? vsphereBudget(PROGRESS_EVERY_MS) : { ...vsphereBudget(), budgetEnforced: false, todo: VSPHERE_LIVE_BUDGET_TODO },
  async available() {
    for (const name of ["VMSHIFT_VSPHERE_URL", "VMSHIFT_VSPHERE_USER", "VMSHIFT_VSPHERE_PASSWORD", "VMSHIFT_VSPHERE_LIVE_VM", "VMSHIFT_VSPHERE_TARGET_HOST"]) {
      if (!env(name)) return { ok: false, reason: `${name} is not set` };
    }
    return { ok: true };
  },
  async open() {
    let requests = 0;
    const caFile = env("VMSHIFT_VSPHERE_CA_FILE");
    const thumbprint = env("VMSHIFT_VSPHERE_THUMBPRINT");
    const mutate = env("VMSHIFT_LIVE_MUTATE") === "1";
    const clients: VmshiftClient[] = [];
    const connect = () => {
      const adapter = createVsphereAdapter({
        url: env("VMSHIFT_VSPHERE_URL")!,
        username: env("VMSHIFT_VSPHERE_USER")!,
        password: env("VMSHIFT_VSPHERE_PASSWORD")!,
        ...(thumbprint ? { thumbprint } : {}),
        ...(caFile ? { ca: readFileSync(caFile, "utf8") } : {}),
        ...(env("VMSHIFT_VSPHERE_INSECURE") === "1" ? { insecureSkipTlsVerify: true } : {}),
        onRequest: () => requests++,
      });
      const client = new VmshiftClient(mutate ? adapter : { ...adapter, capabilities: { ...adapter.capabilities, "migration.live": READ_ONLY, "migration.cold": READ_ONLY } });
      clients.push(client);
      return client;
    };
    const client = connect();
    await client.probe();
    const optional = (key: string, name: string) => (env(name) ? { [key]: env(name)! } : {});
    return {
      client,
      ...(mutate ? {} : { withheld: { "migration.live": READ_ONLY_NOTE, "migration.cold": READ_ONLY_NOTE } }),
      subjects: {
        liveVm: env("VMSHIFT_VSPHERE_LIVE_VM")!,
        targetHost: env("VMSHIFT_VSPHERE_TARGET_HOST")!,
        ...optional("coldVm", "VMSHIFT_VSPHERE_COLD_VM"),
        ...optional("coldTargetHost", "VMSHIFT_VSPHERE_COLD_TARGET_HOST"),
        ...optional("fullHost", "VMSHIFT_VSPHERE_FULL_HOST"),
        ...optional("incompatibleHost", "VMSHIFT_VSPHERE_INCOMPATIBLE_HOST"),
        minVmCount: Number(env("VMSHIFT_VSPHERE_MIN_VMS") ?? 2),
        pageSize: Number(env("VMSHIFT_VSPHERE_PAGE_SIZE") ?? 1),
        missingVmId: "vm-999999999",
      },
      controls: {
        restart: async () => connect(),
        requestCount: () => requests,
      },
      async close() {
        await Promise.allSettled(clients.map((c) => c.close()));
      },
    };
  },
};
