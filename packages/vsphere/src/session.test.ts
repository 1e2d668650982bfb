import { VmshiftError, isVmshiftError, memoryLogger } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { faultToError } from "./errors.ts";
import { VimSession } from "./session.ts";
import type { VimMethod, VimTransport } from "./transport.ts";
import { el } from "./xml.ts";

const CONTENT = {
  rootFolder: { attributes: { type: "Folder" }, $value: "group-d1" },
  propertyCollector: { attributes: { type: "PropertyCollector" }, $value: "propertyCollector" },
  viewManager: { attributes: { type: "ViewManager" }, $value: "ViewManager" },
  sessionManager: { attributes: { type: "SessionManager" }, $value: "SessionManager" },
  about: { fullName: "VMware vCenter Server 8.0.3", apiVersion: "8.0.3.0", apiType: "VirtualCenter" },
};

/** A transport that records calls and answers from a script; `NotAuthenticated` until logged in. */
function fakeTransport(options: { expireAfterCalls?: number; loginFails?: boolean } = {}) {
  const calls: { method: VimMethod; body: string }[] = [];
  let loggedIn = false;
  let cleared = 0;
  let closed = false;
  let sinceLogin = 0;
  const transport: VimTransport = {
    async call(method, body) {
      calls.push({ method, body: body.xml });
      if (method === "RetrieveServiceContent") return CONTENT;
      if (method === "Login") {
        if (options.loginFails) throw faultToError({ type: "InvalidLogin", message: "Cannot complete login due to an incorrect user name or password." });
        loggedIn = true;
        sinceLogin = 0;
        return { key: "s1", userName: "u" };
      }
      if (method === "Logout") {
        loggedIn = false;
        return undefined;
      }
      sinceLogin++;
      if (!loggedIn || (options.expireAfterCalls !== undefined && sinceLogin > options.expireAfterCalls)) {
        loggedIn = false;
        throw faultToError({ type: "NotAuthenticated", message: "" });
      }
      return { ok: method };
    },
    clearSession() {
      cleared++;
    },
    async close() {
      closed = true;
    },
  };
  return { transport, calls, cleared: () => cleared, closed: () => closed };
}

const SELF = { type: "ServiceInstance", value: "ServiceInstance" };

describe("VimSession", () => {
  it("logs in once for concurrent first calls, with escaped credentials", async () => {
    const fake = fakeTransport();
    const session = new VimSession(fake.transport, { username: "dom\\admin<x>", password: "p&ss\"word" });
    await Promise.all([session.call("CurrentTime", SELF), session.call("CurrentTime", SELF), session.call("CurrentTime", SELF)]);
    const logins = fake.calls.filter((c) => c.method === "Login");
    expect(logins).toHaveLength(1);
    expect(logins[0]!.body).toContain("<userName>dom\\admin&lt;x&gt;</userName>");
    expect(logins[0]!.body).toContain("<password>p&amp;ss&quot;word</password>");
    expect(fake.calls.filter((c) => c.method === "RetrieveServiceContent")).toHaveLength(1);
  });

  it("logs in again once when a call fails with NotAuthenticated, then repeats the call", async () => {
    const fake = fakeTransport({ expireAfterCalls: 2 });
    const logger = memoryLogger();
    const session = new VimSession(fake.transport, { username: "u", password: "secret-pass", logger });
    await session.call("CurrentTime", SELF);
    await session.call("CurrentTime", SELF);
    const result = await session.call("WaitForUpdatesEx", { type: "PropertyCollector", value: "pc" }, el("version", "1"));
    expect(result).toEqual({ ok: "WaitForUpdatesEx" });
    expect(fake.calls.map((c) => c.method)).toEqual(["RetrieveServiceContent", "Login", "CurrentTime", "CurrentTime", "WaitForUpdatesEx", "Login", "WaitForUpdatesEx"]);
    expect(fake.cleared()).toBe(1);
    expect(logger.records.some((r) => r.level === "warn" && r.message.includes("logging in again"))).toBe(true);
  });

  it("does not loop: a second NotAuthenticated after the re-login is the caller's error", async () => {
    const fake = fakeTransport({ expireAfterCalls: 0 });
    const session = new VimSession(fake.transport, { username: "u", password: "pw" });
    const error = await session.call("CurrentTime", SELF).catch((e: unknown) => e);
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(fake.calls.filter((c) => c.method === "Login")).toHaveLength(2);
  });

  it("reports a wrong password as UNAUTHENTICATED without the password, and retries login on the next call", async () => {
    const fake = fakeTransport({ loginFails: true });
    const session = new VimSession(fake.transport, { username: "u", password: "Sup3r-Secret" });
    const error = (await session.call("CurrentTime", SELF).catch((e: unknown) => e)) as VmshiftError;
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(error.toJSON())).not.toContain("Sup3r-Secret");
    await session.call("CurrentTime", SELF).catch(() => undefined);
    expect(fake.calls.filter((c) => c.method === "Login")).toHaveLength(2);
  });

  it("logs out on close, forgets the cookie, releases the transport, and refuses later calls", async () => {
    const fake = fakeTransport();
    const session = new VimSession(fake.transport, { username: "u", password: "pw" });
    await session.call("CurrentTime", SELF);
    await session.close();
    expect(fake.calls.at(-1)!.method).toBe("Logout");
    expect(fake.calls.at(-1)!.body).toContain('<_this type="SessionManager">SessionManager</_this>');
    expect(fake.cleared()).toBe(1);
    expect(fake.closed()).toBe(true);
    await expect(session.call("CurrentTime", SELF)).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("does not log out a session that never logged in", async () => {
    const fake = fakeTransport();
    await new VimSession(fake.transport, { username: "u", password: "pw" }).close();
    expect(fake.calls).toEqual([]);
  });

  it("rejects missing credentials before any request", () => {
    const fake = fakeTransport();
    expect(() => new VimSession(fake.transport, { username: "", password: "pw" })).toThrow(VmshiftError);
    expect(() => new VimSession(fake.transport, { username: "u", password: "" })).toThrow(/password is required/);
    expect(fake.calls).toEqual([]);
  });

  it("decodes ServiceContent once", async () => {
    const fake = fakeTransport();
    const session = new VimSession(fake.transport, { username: "u", password: "pw" });
    const [a, b] = await Promise.all([session.content(), session.content()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ rootFolder: { type: "Folder", value: "group-d1" }, fullName: "VMware vCenter Server 8.0.3", apiType: "VirtualCenter" });
  });
});
