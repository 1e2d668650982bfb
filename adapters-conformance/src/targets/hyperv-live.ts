/**
 * A real Hyper-V endpoint, selected by `VMSHIFT_HYPERV_HOST`. The scenarios move real VMs: point
 * it at a lab. Settings (environment):
 *
 * - `VMSHIFT_HYPERV_HOST`: the endpoint (a Hyper-V host, a cluster node or a management server).
 * - `VMSHIFT_HYPERV_TRANSPORT`: `winrm` (default), `ssh`, or `local` (run pwsh on this machine).
 * - `VMSHIFT_HYPERV_USER`, `VMSHIFT_HYPERV_PASSWORD` (WinRM), `VMSHIFT_HYPERV_KEY_FILE` (SSH).
 * - `VMSHIFT_HYPERV_AUTH`: `Default`, `Kerberos`, `Negotiate` or `CredSSP` (WinRM).
 * - `VMSHIFT_HYPERV_PWSH`: the local executable (default `pwsh`).
 * - `VMSHIFT_HYPERV_HOSTS`: comma-separated Hyper-V hosts to use (default: the endpoint or its cluster).
 * - `VMSHIFT_HYPERV_LIVE_VM` (VM id), `VMSHIFT_HYPERV_TARGET_HOST`, optional `VMSHIFT_HYPERV_COLD_VM`,
 *   `VMSHIFT_HYPERV_FULL_HOST`, `VMSHIFT_HYPERV_INCOMPATIBLE_HOST`, `VMSHIFT_HYPERV_PAGE_SIZE`.
 *
 * No fault controls: scenarios that need them are skipped with a reason.
 */
import { VmshiftClient } from "@vmshift/core";
import { type RemoteAuthentication, type RemoteOptions, createHypervAdapter, createNodePowerShellRunner } from "@vmshift/hyperv";
import { hypervBudget } from "../budgets.ts";
import { HYPERV_PLATFORM } from "../platforms.ts";
import type { ConformanceTarget } from "../target.ts";

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
};

function remoteFromEnv(): RemoteOptions | undefined {
  const host = env("VMSHIFT_HYPERV_HOST")!;
  const transport = env("VMSHIFT_HYPERV_TRANSPORT") ?? "winrm";
  const user = env("VMSHIFT_HYPERV_USER");
  if (transport === "local") return undefined;
  if (transport === "ssh") {
    const key = env("VMSHIFT_HYPERV_KEY_FILE");
    return { hostName: host, ...(user ? { userName: user } : {}), ...(key ? { keyFilePath: key } : {}) };
  }
  const password = env("VMSHIFT_HYPERV_PASSWORD");
  const auth = env("VMSHIFT_HYPERV_AUTH") as RemoteAuthentication | undefined;
  return { computerName: host, ...(user ? { userName: user } : {}), ...(password ? { password } : {}), ...(auth ? { authentication: auth } : {}) };
}

export const hypervLiveTarget: ConformanceTarget = {
  name: "hyperv-live",
  adapter: "hyperv",
  description: "a real Hyper-V endpoint (VMSHIFT_HYPERV_HOST) through node-powershell",
  platform: HYPERV_PLATFORM,
  budget: hypervBudget(),
  async available() {
    for (const name of ["VMSHIFT_HYPERV_HOST", "VMSHIFT_HYPERV_LIVE_VM", "VMSHIFT_HYPERV_TARGET_HOST"]) {
      if (!env(name)) return { ok: false, reason: `${name} is not set (see docs/platforms/hyperv.md)` };
    }
    return { ok: true };
  },
  async open() {
    const clients: VmshiftClient[] = [];
    const hosts = env("VMSHIFT_HYPERV_HOSTS")?.split(",").map((h) => h.trim()).filter(Boolean) ?? [];
    const connect = () => {
      const remote = remoteFromEnv();
      const executable = env("VMSHIFT_HYPERV_PWSH");
      const runner = createNodePowerShellRunner({ ...(remote ? { remote } : {}), ...(executable ? { executable } : {}) });
      const client = new VmshiftClient(createHypervAdapter({ runner, hosts }));
      clients.push(client);
      return client;
    };
    const client = connect();
    const count = (await client.listVms().all()).length;
    const full = env("VMSHIFT_HYPERV_FULL_HOST");
    const incompatible = env("VMSHIFT_HYPERV_INCOMPATIBLE_HOST");
    const cold = env("VMSHIFT_HYPERV_COLD_VM");
    return {
      client,
      subjects: {
        liveVm: env("VMSHIFT_HYPERV_LIVE_VM")!,
        targetHost: env("VMSHIFT_HYPERV_TARGET_HOST")!,
        ...(full ? { fullHost: full } : {}),
        ...(incompatible ? { incompatibleHost: incompatible } : {}),
        ...(cold ? { coldVm: cold } : {}),
        minVmCount: Math.min(count, 2),
        pageSize: Number(env("VMSHIFT_HYPERV_PAGE_SIZE") ?? Math.max(1, Math.floor(count / 2))),
        missingVmId: "00000000-0000-4000-8000-00000000dead",
      },
      controls: {
        async restart() {
          return connect();
        },
      },
      timeScale: 5,
      async close() {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      },
    };
  },
};
