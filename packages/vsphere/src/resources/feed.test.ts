import { VmshiftError, isVmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { faultToError } from "../errors.ts";
import { VimSession } from "../session.ts";
import type { VimMethod, VimTransport } from "../transport.ts";
import { TaskFeed } from "./feed.ts";

const mo = (type: string, value: string) => ({ attributes: { type }, $value: value });
const CONTENT = {
  rootFolder: mo("Folder", "group-d1"),
  propertyCollector: mo("PropertyCollector", "propertyCollector"),
  viewManager: mo("ViewManager", "ViewManager"),
  sessionManager: mo("SessionManager", "SessionManager"),
};

/** One filter's part of an UpdateSet: the task's info (and the VM's host) as changes. */
function filterUpdate(filter: string, task: string, info: Record<string, unknown>, vmHost?: string) {
  return {
    filter: mo("PropertyFilter", filter),
    objectSet: [
      { kind: "modify", obj: mo("Task", task), changeSet: Object.entries(info).map(([k, v]) => ({ name: `info.${k}`, op: "assign", val: v })) },
      ...(vmHost ? [{ kind: "modify", obj: mo("VirtualMachine", "vm-1"), changeSet: [{ name: "runtime.host", op: "assign", val: mo("HostSystem", vmHost) }, { name: "runtime.powerState", op: "assign", val: "poweredOn" }] }] : []),
    ],
  };
}

/** A transport whose WaitForUpdatesEx answers come from `waits` in order (a pending one honours the abort signal). */
function fakeVcenter(waits: Array<(() => unknown) | "expire">) {
  const calls: { method: VimMethod; body: string }[] = [];
  let filters = 0;
  const transport: VimTransport = {
    async call(method, body, options) {
      calls.push({ method, body: body.xml });
      if (method === "RetrieveServiceContent") return CONTENT;
      if (method === "Login") return { key: "s" };
      if (method === "CreateFilter") return mo("PropertyFilter", `filter-${++filters}`);
      if (method === "DestroyPropertyFilter") return undefined;
      if (method === "WaitForUpdatesEx") {
        const next = waits.shift();
        if (next === "expire") throw faultToError({ type: "NotAuthenticated", message: "" });
        if (next) return next();
        return new Promise((_, reject) => options?.signal?.addEventListener("abort", () => reject(new VmshiftError("ABORTED", "aborted", { adapter: "vsphere" }))));
      }
      throw new Error(`unexpected ${method}`);
    },
    clearSession() {},
    async close() {},
  };
  const session = new VimSession(transport, { username: "u", password: "p" });
  return { session, calls, methods: () => calls.map((c) => c.method) };
}

describe("the session's task feed", () => {
  it("serves two migrations with one WaitForUpdatesEx loop, each its own filter's changes, and stops when both ended", async () => {
    const vc = fakeVcenter([
      () => ({ version: "1", filterSet: [filterUpdate("filter-1", "task-1", { state: "running", progress: "20" }), filterUpdate("filter-2", "task-2", { state: "queued" })] }),
      () => ({ version: "2", filterSet: [filterUpdate("filter-2", "task-2", { state: "success" }, "host-9"), filterUpdate("filter-1", "task-1", { state: "error", error: { fault: { attributes: { "xsi:type": "RequestCanceled" } }, localizedMessage: "canceled" }, cancelled: "true" }, "host-1")] }),
    ]);
    const feed = new TaskFeed(vc.session, () => vc.session.content(), 5);
    const one = await feed.subscribe({ type: "Task", value: "task-1" }, { type: "VirtualMachine", value: "vm-1" });
    const two = await feed.subscribe({ type: "Task", value: "task-2" }, { type: "VirtualMachine", value: "vm-1" });
    expect((await one.next())?.state).toMatchObject({ state: "running", progress: 20 });
    expect((await two.next())?.state.state).toBe("queued");
    const doneTwo = await two.next();
    expect(doneTwo).toMatchObject({ state: { state: "success" }, vm: { hostId: "host-9", power: "poweredOn" } });
    const doneOne = await one.next();
    expect(doneOne).toMatchObject({ state: { state: "error", cancelled: true }, vm: { hostId: "host-1" } });
    expect(await one.next()).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
    expect(vc.methods().filter((m) => m === "WaitForUpdatesEx")).toHaveLength(2);
    expect(vc.methods().filter((m) => m === "DestroyPropertyFilter")).toHaveLength(2);
    expect(vc.methods()).not.toContain("CreatePropertyCollector");
    expect(vc.calls.find((c) => c.method === "WaitForUpdatesEx")?.body).toContain("<version></version>");
    expect(vc.calls.filter((c) => c.method === "WaitForUpdatesEx")[1]?.body).toContain("<version>1</version>");
  });

  it("ends every subscriber with NOT_FOUND when the session was renewed (its filters are gone), without repeating the wait or destroying them", async () => {
    const vc = fakeVcenter(["expire", () => ({ version: "1", filterSet: [] })]);
    const feed = new TaskFeed(vc.session, () => vc.session.content(), 5);
    const sub = await feed.subscribe({ type: "Task", value: "task-1" }, undefined);
    const error = await sub.next().catch((e: unknown) => e);
    expect(isVmshiftError(error, "NOT_FOUND")).toBe(true);
    await sub.close();
    expect(vc.methods()).not.toContain("DestroyPropertyFilter");
    expect(vc.methods().filter((m) => m === "Login")).toHaveLength(2);
    // The wait is not repeated in the new session: its filters are gone.
    expect(vc.methods().filter((m) => m === "WaitForUpdatesEx")).toHaveLength(1);
  });

  it("waits only while someone reads: nothing is sent for a subscription nobody reads, and a reader that gave up leaves the wait's answer to the next", async () => {
    let answerSecond: ((v: unknown) => void) | undefined;
    const vc = fakeVcenter([
      () => ({ version: "7", filterSet: [filterUpdate("filter-1", "task-1", { state: "running", progress: "10" })] }),
      () => new Promise((resolve) => (answerSecond = resolve)),
      () => ({ version: "9", filterSet: [filterUpdate("filter-1", "task-1", { state: "success" }, "host-2")] }),
    ]);
    const feed = new TaskFeed(vc.session, () => vc.session.content(), 5);
    const waits = () => vc.calls.filter((c) => c.method === "WaitForUpdatesEx");
    const sub = await feed.subscribe({ type: "Task", value: "task-1" }, { type: "VirtualMachine", value: "vm-1" });
    await new Promise((r) => setTimeout(r, 10));
    expect(waits()).toHaveLength(0); // subscribed, not read: no wait
    expect((await sub.next())?.state).toMatchObject({ state: "running", progress: 10 });
    await new Promise((r) => setTimeout(r, 10));
    expect(waits()).toHaveLength(1); // read once: one wait, and none after it
    const gaveUp = new AbortController();
    const reading = sub.next(gaveUp.signal);
    await new Promise((r) => setTimeout(r, 10));
    expect(waits()).toHaveLength(2);
    expect(waits()[1]?.body).toContain("<version>7</version>");
    gaveUp.abort();
    expect(isVmshiftError(await reading.catch((e: unknown) => e), "ABORTED")).toBe(true);
    expect(sub.ended).toBe(false);
    // The abandoned wait is still in flight: its answer is kept for the next reader, no new wait.
    answerSecond!({ version: "8", filterSet: [filterUpdate("filter-1", "task-1", { progress: "60" })] });
    await new Promise((r) => setTimeout(r, 10));
    expect(waits()).toHaveLength(2);
    expect((await sub.next())?.state).toMatchObject({ state: "running", progress: 60 });
    const done = await sub.next();
    expect(done).toMatchObject({ state: { state: "success" }, vm: { hostId: "host-2" } });
    expect(waits()).toHaveLength(3);
    expect(waits()[2]?.body).toContain("<version>8</version>");
    expect(await sub.next()).toBeUndefined();
    expect(sub.ended).toBe(true);
    await sub.close();
    expect(vc.methods().filter((m) => m === "CreateFilter")).toHaveLength(1);
  });

  it("abandons the pending wait when the last subscription closes, and asks for everything again next time", async () => {
    const vc = fakeVcenter([() => ({ version: "7", filterSet: [filterUpdate("filter-1", "task-1", { state: "running" })] })]);
    const feed = new TaskFeed(vc.session, () => vc.session.content(), 5);
    const sub = await feed.subscribe({ type: "Task", value: "task-1" }, undefined);
    expect((await sub.next())?.state.state).toBe("running");
    const reading = sub.next();
    await new Promise((r) => setTimeout(r, 10)); // the loop is now waiting (version 7)
    await sub.close();
    expect(await reading).toBeUndefined();
    const again = await feed.subscribe({ type: "Task", value: "task-1" }, undefined);
    const next = again.next();
    await new Promise((r) => setTimeout(r, 10));
    const waits = vc.calls.filter((c) => c.method === "WaitForUpdatesEx");
    expect(waits.at(-2)?.body).toContain("<version>7</version>");
    expect(waits.at(-1)?.body).toContain("<version></version>");
    feed.stop();
    expect(isVmshiftError(await next.catch((e: unknown) => e), "ABORTED")).toBe(true);
  });
});
