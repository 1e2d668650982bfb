/**
 * @vmshift/kubevirt and bare VMIs (no VirtualMachine) against the KubeVirt API environment: KubeVirt's own
 * `vmi-migratable` example (test/fixtures/real.bare-vmi) is read, listed and live-migrated.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VmshiftClient, isVmshiftError } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { loadFixture } from "./load-fixture.ts";
import { ENV_ADAPTER_TUNING } from "../../../adapters-conformance/targets/kubevirt-env.ts";
import { KubevirtEnv } from "../../../adapters-conformance/kubevirt-env/env.ts";

let env: KubevirtEnv;
let client: VmshiftClient;
beforeEach(async () => {
  env = await KubevirtEnv.start();
  client = new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() }, ...ENV_ADAPTER_TUNING }), { follow: { poll: { initialDelayMs: 50, maxDelayMs: 300 } } });
});
afterEach(async () => {
  await client.close();
  await env.close();
});

describe("bare VMIs", () => {
  it("are read, listed once after the VMs, and live-migrated; a cold move is refused", async () => {
    const id = env.createBareVmi(loadFixture("real.bare-vmi", "vmi.yaml"));
    await env.until(() => (env.store.get("virtualmachineinstances", "default", "vmi-migratable") as { status?: { phase?: string } } | undefined)?.status?.phase === "Running");
    const vm = await client.getVm(id);
    expect(vm).toMatchObject({ id, powerState: "running", memoryBytes: 128 * 2 ** 20, cpus: 1, liveMigratable: true });
    const pages = [];
    for await (const page of client.listVms({ pageSize: 3 })) pages.push(page.items.map((v) => v.id));
    const ids = pages.flat();
    expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.at(-1)).toBe(id);
    expect(pages.every((p) => p.length <= 3)).toBe(true);

    const report = await client.preflight({ vmId: id, targetHostId: "node-3" });
    expect(report.ok).toBe(true);
    const task = await client.startMigration({ vmId: id, targetHostId: "node-3" });
    const result = await task.wait({ maxWaitMs: 20_000 });
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { side: "target", hostId: "node-3", powerState: "running" } });
    expect((await client.getVm(id)).hostId).toBe("node-3");

    const cold = await client.startMigration({ vmId: id, targetHostId: "node-2", mode: "cold" }).catch((e: unknown) => e);
    expect(isVmshiftError(cold, "INVALID_STATE")).toBe(true);
  });
});
