import { describe, expect, it } from "vitest";
import { allSupported, fakeAdapter, snapshot } from "../test/fake-adapter.ts";
import { partial, unsupported } from "./capabilities.ts";
import { VmshiftClient } from "./client.ts";
import { VirtualClock } from "./clock.ts";
import { VmshiftError, isVmshiftError } from "./errors.ts";

const clock = () => new VirtualClock();

describe("VmshiftClient dispatch", () => {
  it("raises NOT_SUPPORTED for an absent operation, without calling anything", async () => {
    const { adapter, calls } = fakeAdapter();
    delete (adapter as { listHosts?: unknown }).listHosts;
    const client = new VmshiftClient(adapter, { clock: clock() });
    const error = await client.listHosts().all().catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_SUPPORTED")).toBe(true);
    expect((error as Error).message).toBe("[fake] host.list: NOT_SUPPORTED: the fake adapter does not implement listHosts");
    expect(calls).toEqual([]);
  });

  it("raises NOT_SUPPORTED for a request needing an unsupported capability, before any request", async () => {
    const { adapter, calls } = fakeAdapter({ capabilities: { ...allSupported, "migration.cold": unsupported("the platform has no cold path") } });
    const client = new VmshiftClient(adapter, { clock: clock() });
    const error = await client.startMigration({ vmId: "vm-1", targetHostId: "h2", mode: "cold" }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_SUPPORTED")).toBe(true);
    expect((error as VmshiftError).details).toEqual({ capability: "migration.cold" });
    expect(calls).toEqual([]);
  });

  it("a live probe narrows the table, and narrowed capabilities fail CAPABILITY_UNAVAILABLE", async () => {
    const { adapter } = fakeAdapter({
      async probe() {
        return { server: "fake 2.0", capabilities: { "migration.postCopy": unsupported("feature gate off on this cluster"), "progress.bytes": partial("only with metrics") } };
      },
    });
    const client = new VmshiftClient(adapter, { clock: clock() });
    const probed = await client.probe();
    expect(probed.server).toBe("fake 2.0");
    expect(client.capabilities()["progress.bytes"].status).toBe("partial");
    const error = await client.startMigration({ vmId: "vm-1", targetHostId: "h2", allowPostCopy: true }).catch((e: unknown) => e);
    expect(isVmshiftError(error, "CAPABILITY_UNAVAILABLE")).toBe(true);
  });

  it("rejects bad input with INVALID_ARGUMENT and sends nothing", async () => {
    const { adapter, calls } = fakeAdapter();
    const client = new VmshiftClient(adapter, { clock: clock() });
    for (const bad of [{ vmId: "" }, { vmId: "a\u0000b" }, { vmId: "v", bandwidthBytesPerSecond: 0 }, { vmId: "v", mode: "cold", allowPostCopy: true }]) {
      const error = await client.startMigration(bad as never).catch((e: unknown) => e);
      expect(isVmshiftError(error, "INVALID_ARGUMENT"), JSON.stringify(bad)).toBe(true);
    }
    await expect(client.getVm(42 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(client.listVms({ pageSize: 0 }).all()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(calls).toEqual([]);
  });

  it("retries a start whose answer was lost with the same request id", async () => {
    let attempts = 0;
    const { adapter, requests } = fakeAdapter({
      async startMigration(request) {
        requests.push(request);
        if (++attempts === 1) throw new VmshiftError("TRANSPORT", "ECONNRESET");
        return snapshot("preparing");
      },
    });
    const client = new VmshiftClient(adapter, { clock: clock(), requestIdGenerator: () => "req-1" });
    const task = await client.startMigration({ vmId: "vm-1", targetHostId: "h2" });
    expect(task.id).toBe("m-1");
    expect(requests.map((r) => r.requestId)).toEqual(["req-1", "req-1"]);
  });

  it("does not retry a start refused for a permanent reason", async () => {
    let attempts = 0;
    const { adapter } = fakeAdapter({
      async startMigration() {
        attempts++;
        throw new VmshiftError("CONFLICT", "already migrating", { retryable: false });
      },
    });
    await expect(new VmshiftClient(adapter, { clock: clock() }).startMigration({ vmId: "vm-1" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(attempts).toBe(1);
  });

  it("wraps foreign errors as INTERNAL with the cause kept, and adds context to its own", async () => {
    const boom = new TypeError("undefined is not a function");
    const { adapter } = fakeAdapter({
      async getVm() {
        throw boom;
      },
    });
    const error = (await new VmshiftClient(adapter, { clock: clock() }).getVm("vm-9").catch((e: unknown) => e)) as VmshiftError;
    expect(error.code).toBe("INTERNAL");
    expect(error.cause).toBe(boom);
    expect(error.message).toMatch(/^\[fake\] vm.get vm-9: INTERNAL/);
  });

  it("attachMigration falls back to getMigration and follows by polling", async () => {
    const { adapter, calls } = fakeAdapter({}, ["transferring", "finalizing", "completed"]);
    const client = new VmshiftClient(adapter, { clock: clock() });
    const task = await client.attachMigration("m-1");
    const result = await task.wait();
    expect(result.outcome).toBe("completed");
    expect(calls.filter((c) => c === "getMigration").length).toBe(3);
  });
});

describe("bindOperations", () => {
  class PrivateAdapter {
    readonly name = "private";
    readonly capabilities = allSupported;
    readonly #vms = [{ id: "a", name: "a", powerState: "running" as const }];
    async getVm(id: string) {
      const vm = this.#vms.find((v) => v.id === id);
      if (!vm) throw new VmshiftError("NOT_FOUND", id);
      return vm;
    }
  }

  it("keeps a class adapter with #private fields working behind Object.create and spread wrappers", async () => {
    const { bindOperations } = await import("./adapter.ts");
    const bound = bindOperations(new PrivateAdapter());
    const viaCreate = Object.create(bound) as typeof bound;
    const viaSpread = { ...bound };
    for (const wrapped of [viaCreate, viaSpread]) {
      await expect(new VmshiftClient(wrapped, { clock: clock() }).getVm("a")).resolves.toMatchObject({ id: "a" });
    }
    const unbound = Object.create(new PrivateAdapter()) as PrivateAdapter;
    await expect(new VmshiftClient(unbound, { clock: clock() }).getVm("a")).rejects.toMatchObject({ code: "INTERNAL" });
  });
});
