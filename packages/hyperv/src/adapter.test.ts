import { VirtualClock, VmshiftClient, VmshiftError, silentLogger } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { createHypervAdapter } from "./adapter.ts";
import type { PowerShellRunner } from "./runner.ts";
import type { ScriptParams, ScriptTemplate } from "./script.ts";

const VM = { id: "6f1c2a40-0000-4000-8000-000000000001", name: "web-01", state: "Running", computerName: "HV-A", memoryStartupBytes: 1, isClustered: false };
const JOB = { instanceId: "Microsoft:J1", jobState: 4, percentComplete: 10, errorCode: 0, cancellable: true, startTime: "2026-01-01T00:00:00.000Z" };

/** A runner answering from a function; records the scripts it was asked to run. */
function fakeRunner(answer: (name: string, params: ScriptParams, call: number) => unknown): PowerShellRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    remote: undefined,
    async run(template: ScriptTemplate, params: ScriptParams) {
      calls.push(template.name);
      const value = answer(template.name, params, calls.length);
      if (value instanceof Error) throw value;
      return value;
    },
    close: async () => undefined,
  };
}

const HOST = { migrationEnabled: true, authenticationType: "Kerberos", freeMemoryBytes: 1e12 };
const preflightData = (target: Record<string, unknown> = {}) => ({
  vm: VM, source: { name: "HV-A", ...HOST }, target: { name: "HV-B", ...HOST, ...target }, incompatibilities: [], runsOnSource: true, delegation: null, storagePathExists: null,
});

const client = (runner: PowerShellRunner) => new VmshiftClient(createHypervAdapter({ runner, hosts: ["HV-A", "HV-B"] }), { clock: new VirtualClock(), startRetries: 0 });

describe("createHypervAdapter: starts are idempotent on requestId", () => {
  it("a repeated start with the same requestId returns the first migration without starting another", async () => {
    const runner = fakeRunner((name) => (name === "startLive" ? { vm: VM, sourceHost: "HV-A", reused: false, job: JOB } : { job: JOB, vm: VM }));
    const c = client(runner);
    const first = await c.startMigration({ vmId: VM.id, targetHostId: "HV-B", requestId: "r1" });
    const second = await c.startMigration({ vmId: VM.id, targetHostId: "HV-B", requestId: "r1" });
    expect(second.id).toBe(first.id);
    expect(runner.calls.filter((n) => n === "startLive")).toHaveLength(1);
  });

  it("another requestId while the VM is migrating gets CONFLICT", async () => {
    const runner = fakeRunner(() => ({ vm: VM, sourceHost: "HV-A", reused: true, job: JOB }));
    await expect(client(runner).startMigration({ vmId: VM.id, targetHostId: "HV-B", requestId: "r2" })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("a retry after a lost answer adopts the migration the first attempt started", async () => {
    const runner = fakeRunner((_name, _p, call) => (call === 1 ? new VmshiftError("TRANSPORT", "connection reset", { adapter: "hyperv" }) : { vm: VM, sourceHost: "HV-A", reused: true, job: JOB }));
    const c = client(runner);
    await expect(c.startMigration({ vmId: VM.id, targetHostId: "HV-B", requestId: "r3" })).rejects.toMatchObject({ code: "TRANSPORT" });
    const task = await c.startMigration({ vmId: VM.id, targetHostId: "HV-B", requestId: "r3" });
    expect(task.snapshot()).toMatchObject({ phase: "transferring", sourceHostId: "HV-A", targetHostId: "HV-B", progress: { percent: 10 } });
  });

  it("a cold migration refuses cancel with INVALID_STATE and a start without target is NOT_SUPPORTED before any script", async () => {
    const runner = fakeRunner((name) => (name === "preflight" ? preflightData() : name === "stopVm" ? new Promise(() => undefined) : null));
    const c = client(runner);
    await expect(c.startMigration({ vmId: VM.id })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(runner.calls).toEqual([]);
    const task = await c.startMigration({ vmId: VM.id, targetHostId: "HV-B", mode: "cold" });
    await expect(c.adapter.cancelMigration!(task.id, { clock: new VirtualClock(), logger: silentLogger })).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("a cold migration the target would refuse is refused before the VM is stopped", async () => {
    const runner = fakeRunner((name) => (name === "preflight" ? preflightData({ migrationEnabled: false }) : { vm: VM, how: "shutdown" }));
    await expect(client(runner).startMigration({ vmId: VM.id, targetHostId: "HV-B", mode: "cold" })).rejects.toMatchObject({ code: "INVALID_STATE", details: { check: "hyperv.target.migrationDisabled" } });
    expect(runner.calls).toEqual(["preflight"]);
    const full = fakeRunner((name) => (name === "preflight" ? preflightData({ freeMemoryBytes: 0 }) : { vm: VM, how: "shutdown" }));
    await expect(client(full).startMigration({ vmId: VM.id, targetHostId: "HV-B", mode: "cold" })).rejects.toMatchObject({ code: "INSUFFICIENT_RESOURCES" });
  });

  it("refuses bad options and unencodable values with INVALID_ARGUMENT, before any script", async () => {
    const runner = fakeRunner(() => null);
    expect(() => createHypervAdapter({ runner, hosts: ["ok", "bad\nhost"] })).toThrow(/INVALID_ARGUMENT/);
    expect(() => createHypervAdapter({ runner, maxPageSize: 0 })).toThrow(/INVALID_ARGUMENT/);
    const { createRunner } = await import("./runner.ts");
    const real = createRunner({ remote: undefined, execute: async () => { throw new Error("must not run"); }, close: async () => undefined });
    await expect(client(real).getVm("vm\uD800")).rejects.toMatchObject({ code: "INVALID_ARGUMENT", operation: "vm.get" });
  });
});

describe("createHypervAdapter: target hosts", () => {
  const live = (runner: PowerShellRunner) => new VmshiftClient(createHypervAdapter({ runner, hosts: ["HV-A", "HV-B", "hv-c.lab.example"] }), { clock: new VirtualClock() });

  it("an unknown or hostile target host is NOT_FOUND before any script is sent, and not retried", async () => {
    const runner = fakeRunner((name) => (name === "startLive" ? { vm: VM, sourceHost: "HV-A", reused: false, job: JOB } : preflightData()));
    const c = live(runner);
    for (const target of ["HV-Z", "HV-B.evil.example", "HV-B'; Stop-Computer -Force; '", "hv-c.other.example", "HV-B`"]) {
      await expect(c.startMigration({ vmId: VM.id, targetHostId: target }), target).rejects.toMatchObject({ code: "NOT_FOUND", retryable: false });
      await expect(c.startMigration({ vmId: VM.id, targetHostId: target, mode: "cold" }), target).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(c.preflight({ vmId: VM.id, targetHostId: target }), target).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(runner.calls).toEqual([]);
    // Known hosts, any case, and a configured FQDN by its short name, are accepted.
    await c.startMigration({ vmId: VM.id, targetHostId: "hv-b" });
    await c.preflight({ vmId: VM.id, targetHostId: "HV-C" });
    expect(runner.calls).toEqual(["startLive", "preflight"]);
  });

  it("without a host list, the endpoint's hosts are read once and unknown targets are NOT_FOUND before Move-VM", async () => {
    const runner = fakeRunner((name) => (name === "listHosts" ? [{ name: "N1", migrationEnabled: true, authenticationType: "Kerberos" }, { name: "N2", fqdn: "n2.lab.example", migrationEnabled: true, authenticationType: "Kerberos" }] : { vm: VM, sourceHost: "N1", reused: false, job: JOB }));
    const c = new VmshiftClient(createHypervAdapter({ runner }), { clock: new VirtualClock() });
    await expect(c.startMigration({ vmId: VM.id, targetHostId: "N9" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(c.startMigration({ vmId: VM.id, targetHostId: "N9" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await c.startMigration({ vmId: VM.id, targetHostId: "n2.lab.example" });
    expect(runner.calls).toEqual(["listHosts", "startLive"]);
  });
});

describe("createHypervAdapter: VM states", () => {
  it("a numeric VM state outside the table is unknown and the listing continues", async () => {
    const odd = { ...VM, id: "6f1c2a40-0000-4000-8000-000000000002", name: "odd", state: 32790 };
    const runner = fakeRunner(() => [VM, odd, { ...VM, id: "6f1c2a40-0000-4000-8000-000000000003", name: "off", state: 3 }]);
    const vms = await client(runner).listVms().all();
    expect(vms.map((v) => [v.name, v.powerState, v.labels?.["hyperv.state"]])).toEqual([["web-01", "running", "Running"], ["odd", "unknown", "32790"], ["off", "stopped", "Off"]]);
    const one = fakeRunner(() => odd);
    expect(await client(one).getVm(odd.id)).toMatchObject({ powerState: "unknown", liveMigratable: false });
  });
});
