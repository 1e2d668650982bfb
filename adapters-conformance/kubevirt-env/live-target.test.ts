/** The kubevirt-live target works against any kubeconfig: here, the API environment's. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../src/run.ts";
import { kubevirtLiveTarget } from "../src/targets/kubevirt-live.ts";
import { KubevirtEnv } from "./env.ts";

let env: KubevirtEnv;
const saved = { ...process.env };

beforeAll(async () => {
  env = await KubevirtEnv.start();
  const file = join(mkdtempSync(join(tmpdir(), "kv-live-")), "kubeconfig");
  writeFileSync(file, env.kubeconfig());
  process.env["VMSHIFT_KUBECONFIG"] = file;
  process.env["VMSHIFT_KUBEVIRT_VM"] = "default/web-01";
});
afterAll(async () => {
  process.env = saved;
  await env.close();
});

describe("kubevirt-live target", () => {
  it("is unavailable, with the reason, without VMSHIFT_KUBECONFIG", async () => {
    const file = process.env["VMSHIFT_KUBECONFIG"];
    delete process.env["VMSHIFT_KUBECONFIG"];
    expect(await kubevirtLiveTarget.available!()).toEqual({ ok: false, reason: expect.stringContaining("VMSHIFT_KUBECONFIG is not set") });
    process.env["VMSHIFT_KUBECONFIG"] = file;
  });

  it("runs the suite against a kubeconfig; fault scenarios skip for lack of controls", async () => {
    const report = await runConformance(kubevirtLiveTarget, { only: ["inventory.", "preflight.good", "live.explicit-target", "faults.transient-on-start"] });
    const byId = Object.fromEntries(report.scenarios.map((s) => [s.id, s]));
    expect(report.summary.failed, JSON.stringify(report.scenarios.filter((s) => s.status === "failed"))).toBe(0);
    expect(byId["live.explicit-target"]?.status).toBe("passed");
    expect(byId["inventory.list-paged"]?.status).toBe("passed");
    expect(byId["faults.transient-on-start"]).toMatchObject({ status: "skipped", reason: expect.stringContaining("failTransiently") });
  }, 60_000);
});
