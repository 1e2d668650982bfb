import { describe, expect, it } from "vitest";
import { createSimulator } from "./index.ts";

describe("SimulatorWorld.peakMigrations", () => {
  it("records the most migrations in flight at once per host, out, in and both, queued ones included", async () => {
    const { client, world } = createSimulator();
    // Three out of host-1 at once (host limits hold the third in `requested`: it still counts), then one back in.
    const tasks = await Promise.all(["web-01", "web-02", "app-01"].map((vmId) => client.startMigration({ vmId, targetHostId: "host-2" })));
    await Promise.all(tasks.map((t) => t.wait()));
    const back = await client.startMigration({ vmId: "web-01", targetHostId: "host-1" });
    await back.wait();
    expect(world.peakMigrations.get("host-1")).toEqual({ out: 3, in: 1, total: 3 });
    expect(world.peakMigrations.get("host-2")).toEqual({ out: 1, in: 3, total: 3 });
    expect(world.peakMigrations.has("host-3")).toBe(false);
  });

  it("a retried start with the same request id is one migration, counted once", async () => {
    const { client, world } = createSimulator();
    const a = await client.startMigration({ vmId: "web-01", targetHostId: "host-2", requestId: "same" });
    const b = await client.startMigration({ vmId: "web-01", targetHostId: "host-2", requestId: "same" });
    expect(b.id).toBe(a.id);
    await a.wait();
    expect(world.migrationCountOf("web-01")).toBe(1);
    expect(world.peakMigrations.get("host-1")).toEqual({ out: 1, in: 0, total: 1 });
  });
});
