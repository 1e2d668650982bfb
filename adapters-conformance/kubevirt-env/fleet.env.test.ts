/** The fleet planner over the KubeVirt adapter: an evacuation of a node plans real moves to other nodes. */
import { VmshiftClient, planEvacuation } from "@vmshift/core";
import { createKubevirtAdapter } from "@vmshift/kubevirt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubevirtEnv } from "./index.ts";

let env: KubevirtEnv;
let client: VmshiftClient;
beforeAll(async () => {
  env = await KubevirtEnv.start();
  client = new VmshiftClient(createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() } }));
});
afterAll(async () => {
  await client.close();
  await env.close();
});

describe("fleet planning on KubeVirt", () => {
  it("evacuating node-1 plans each running VM onto another schedulable node", async () => {
    const running = (await client.listVms().all()).filter((v) => v.hostId === "node-1" && v.powerState === "running");
    expect(running.length).toBeGreaterThan(0);
    const plan = await planEvacuation(client, "node-1");
    expect(plan.skipped.filter((s) => /no other schedulable host in its cluster/.test(s.reason))).toEqual([]);
    expect(plan.migrations.length).toBeGreaterThan(0);
    for (const m of plan.migrations) expect(m.targetHostId).not.toBe("node-1");
  });
});
