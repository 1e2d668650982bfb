/** The served simulator: one world behind HTTP, reached by the remote adapter from other clients. */
import { VmshiftClient, isVmshiftError, systemClock } from "@vmshift/core";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatorWorld, createRemoteSimulatorAdapter, serveSimulator } from "../src/index.ts";
import type { ServedSimulator } from "../src/index.ts";

const TOKEN = "s3rved-simulator-token-for-tests";
let served: ServedSimulator | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(options: { token?: string } = { token: TOKEN }) {
  const world = new SimulatorWorld({ clock: systemClock, timing: { bandwidthBytesPerSecond: 64 * 2 ** 30 } });
  served = await serveSimulator(world, options);
  return world;
}

/** A client with the token, another one, or none (`null`). */
const client = (token: string | null = TOKEN) =>
  new VmshiftClient(createRemoteSimulatorAdapter({ url: served!.url, ...(token === null ? {} : { token }) }), { follow: { poll: { initialDelayMs: 20, maxDelayMs: 100 } } });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return isVmshiftError(error) ? error.code : `not a VmshiftError: ${String(error)}`;
  }
}

describe("served simulator", () => {
  it("a migration started by one client changes the world every other client sees", async () => {
    const world = await start();
    const a = client();
    const task = await a.startMigration({ vmId: "web-01", targetHostId: "host-2" });
    const result = await task.wait({ maxWaitMs: 30_000 });
    expect(result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "host-2", side: "target" } });
    expect(world.vms.get("web-01")!.hostId).toBe("host-2");
    const b = client();
    expect((await b.getVm("web-01")).hostId).toBe("host-2");
    expect((await b.attachMigration(task.id)).snapshot().phase).toBe("completed");
  });

  it("pages and preflight cross the wire intact", async () => {
    await start();
    const c = client();
    const all = await c.listVms({ pageSize: 2 }).all();
    expect(all.length).toBeGreaterThan(2);
    expect(new Set(all.map((v) => v.id)).size).toBe(all.length);
    const report = await c.preflight({ vmId: "web-01", targetHostId: "host-2" });
    expect(report.ok).toBe(true);
  });

  it("platform errors arrive with their code", async () => {
    await start();
    expect(await codeOf(client().getVm("no-such-vm"))).toBe("NOT_FOUND");
  });

  it("refuses a client without the token, or with a wrong one, as UNAUTHENTICATED", async () => {
    await start();
    expect(await codeOf(client(null).getVm("web-01"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(client("wrong-token-of-same-length-xxxxxx").getVm("web-01"))).toBe("UNAUTHENTICATED");
  });

  it("a server that is gone is a retryable TRANSPORT error that does not name the token", async () => {
    await start();
    const c = client();
    await served!.close();
    served = undefined;
    try {
      await c.getVm("web-01");
      expect.unreachable();
    } catch (error) {
      expect(isVmshiftError(error, "TRANSPORT")).toBe(true);
      expect((error as { retryable: boolean }).retryable).toBe(true);
      expect(JSON.stringify(error) + String(error)).not.toContain(TOKEN);
    }
  });

  it("follows by polling: migration.watch is declared unsupported, the rest as the simulator", () => {
    const adapter = createRemoteSimulatorAdapter({ url: "http://127.0.0.1:1" });
    expect(adapter.capabilities["migration.watch"].status).toBe("unsupported");
    expect(adapter.capabilities["migration.cancel"].status).toBe("supported");
    expect(adapter.watchMigration).toBeUndefined();
  });

  it("a URL that is not http(s) is INVALID_ARGUMENT before any request", () => {
    expect(() => createRemoteSimulatorAdapter({ url: "file:///etc/passwd" })).toThrow(/http or https/);
    expect(() => createRemoteSimulatorAdapter({ url: "not a url" })).toThrow(/absolute http/);
  });
});
