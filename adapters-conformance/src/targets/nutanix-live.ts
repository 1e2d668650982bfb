/**
 * A real Prism Central, selected by `VMSHIFT_NUTANIX_URL`. The scenarios move real VMs: point it
 * at a lab, never at production.
 *
 * - `VMSHIFT_NUTANIX_URL`: `https://<prism-central>:9440`.
 * - `VMSHIFT_NUTANIX_USER` + `VMSHIFT_NUTANIX_PASSWORD`, or `VMSHIFT_NUTANIX_API_KEY`.
 * - `VMSHIFT_NUTANIX_CA_FILE` (PEM) for a private CA; `VMSHIFT_NUTANIX_INSECURE=1` turns TLS
 *   verification off (lab only).
 * - `VMSHIFT_NUTANIX_LIVE_VM` (VM extId, running, live-migratable), `VMSHIFT_NUTANIX_TARGET_HOST`
 *   (host extId in the VM's cluster); optional `VMSHIFT_NUTANIX_COLD_VM`, `VMSHIFT_NUTANIX_COLD_TARGET_HOST`,
 *   `VMSHIFT_NUTANIX_FULL_HOST`, `VMSHIFT_NUTANIX_INCOMPATIBLE_HOST`, `VMSHIFT_NUTANIX_AZ` (availability
 *   zone extId for cross-cluster moves), `VMSHIFT_NUTANIX_MIN_VMS` (default 2), `VMSHIFT_NUTANIX_PAGE_SIZE` (default 1).
 *
 * Fault controls are not offered (a real Prism Central cannot be told to fail); `restart` and
 * `requestCount` are.
 */
import { readFileSync } from "node:fs";
import { VmshiftClient } from "@vmshift/core";
import { type NutanixAdapter, createNutanixAdapter } from "@vmshift/nutanix";
import { nutanixBudget } from "../budgets.ts";
import { NUTANIX_PLATFORM } from "../platforms.ts";
import type { ConformanceTarget } from "../target.ts";

const env = (name: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
};

function connect(): NutanixAdapter {
  const apiKey = env("VMSHIFT_NUTANIX_API_KEY");
  const caFile = env("VMSHIFT_NUTANIX_CA_FILE");
  const az = env("VMSHIFT_NUTANIX_AZ");
  return createNutanixAdapter({
    baseUrl: env("VMSHIFT_NUTANIX_URL")!,
    auth: apiKey ? { apiKey } : { username: env("VMSHIFT_NUTANIX_USER") ?? "", password: env("VMSHIFT_NUTANIX_PASSWORD") ?? "" },
    ...(caFile ? { ca: readFileSync(caFile, "utf8") } : {}),
    ...(env("VMSHIFT_NUTANIX_INSECURE") === "1" ? { insecureSkipTlsVerify: true } : {}),
    ...(az ? { availabilityZoneId: az } : {}),
  });
}

export const nutanixLiveTarget: ConformanceTarget = {
  name: "nutanix-live",
  adapter: "nutanix",
  description: "a real Prism Central (VMSHIFT_NUTANIX_URL) over the v4 API",
  platform: NUTANIX_PLATFORM,
  budget: nutanixBudget(),
  async available() {
    for (const name of ["VMSHIFT_NUTANIX_URL", "VMSHIFT_NUTANIX_LIVE_VM", "VMSHIFT_NUTANIX_TARGET_HOST"]) {
      if (!env(name)) return { ok: false, reason: `${name} is not set` };
    }
    if (!env("VMSHIFT_NUTANIX_API_KEY") && !(env("VMSHIFT_NUTANIX_USER") && env("VMSHIFT_NUTANIX_PASSWORD"))) {
      return { ok: false, reason: "set VMSHIFT_NUTANIX_API_KEY, or VMSHIFT_NUTANIX_USER and VMSHIFT_NUTANIX_PASSWORD" };
    }
    return { ok: true };
  },
  async open() {
    const adapters: NutanixAdapter[] = [connect()];
    const client = new VmshiftClient(adapters[0]!);
    await client.probe();
    const optional = (key: string, name: string) => (env(name) ? { [key]: env(name)! } : {});
    return {
      client,
      subjects: {
        liveVm: env("VMSHIFT_NUTANIX_LIVE_VM")!,
        targetHost: env("VMSHIFT_NUTANIX_TARGET_HOST")!,
        ...optional("coldVm", "VMSHIFT_NUTANIX_COLD_VM"),
        ...optional("coldTargetHost", "VMSHIFT_NUTANIX_COLD_TARGET_HOST"),
        ...optional("fullHost", "VMSHIFT_NUTANIX_FULL_HOST"),
        ...optional("incompatibleHost", "VMSHIFT_NUTANIX_INCOMPATIBLE_HOST"),
        minVmCount: Number(env("VMSHIFT_NUTANIX_MIN_VMS") ?? 2),
        pageSize: Number(env("VMSHIFT_NUTANIX_PAGE_SIZE") ?? 1),
        missingVmId: "00000000-0000-4000-8000-00000000dead",
      },
      controls: {
        async restart() {
          const adapter = connect();
          adapters.push(adapter);
          return new VmshiftClient(adapter);
        },
        requestCount: () => adapters.reduce((sum, a) => sum + a.transport.requestCount, 0),
      },
      async close() {
        for (const a of adapters) await a.close?.();
      },
    };
  },
};
