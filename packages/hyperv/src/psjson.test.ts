import { describe, expect, it } from "vitest";
import { parseEnvelope } from "./psjson.ts";
import { parseHost, toHost } from "./resources/host.ts";
import { parseJob } from "./resources/job.ts";
import { parseVm, toVm } from "./resources/vm.ts";

// What Windows PowerShell 5.1's ConvertTo-Json prints for the same objects: numeric enums,
// "\/Date(ms)\/" dates, and an array wrapped as {"value":[…],"Count":n}.
const PS51 = String.raw`{"ok":true,"data":{"value":[{"id":"6F1C2A40-0000-4000-8000-000000000001","name":"web-01","state":2,"computerName":"HV-A","memoryStartupBytes":4294967296,"processorCount":2,"isClustered":false,"ownerNode":null,"generation":2,"version":"9.0"}],"Count":1}}`;

describe("parseEnvelope", () => {
  it("accepts Windows PowerShell 5.1 output (numeric enums, wrapped arrays)", () => {
    const env = parseEnvelope(PS51, "vm.list");
    expect(env.ok).toBe(true);
    const list = (env as { data: unknown[] }).data;
    expect(list).toHaveLength(1);
    const vm = toVm(parseVm(list[0]));
    expect(vm).toMatchObject({ id: "6f1c2a40-0000-4000-8000-000000000001", powerState: "running", hostId: "HV-A", memoryBytes: 4294967296 });
  });

  it("turns \\/Date(ms)\\/ into ISO 8601", () => {
    const env = parseEnvelope(String.raw`{"ok":true,"data":{"instanceId":"Microsoft:1","jobState":4,"percentComplete":37,"errorCode":0,"cancellable":true,"startTime":"\/Date(1767225600000)\/"}}`, "migration.get");
    const job = parseJob((env as { data: unknown }).data)!;
    expect(job.startTime).toBe("2026-01-01T00:00:00.000Z");
    expect(job.percentComplete).toBe(37);
  });

  it("reads host enums by name (7.x) and by number (5.1) alike", () => {
    const base = { name: "HV-B", migrationEnabled: true, maxMigrations: 2, memoryCapacityBytes: 1, freeMemoryBytes: 1, nodeState: null };
    const byName = toHost(parseHost({ ...base, authenticationType: "Kerberos", performanceOption: "Compression" }));
    const byNumber = toHost(parseHost({ ...base, authenticationType: 1, performanceOption: 1 }));
    expect(byNumber).toEqual(byName);
    expect(byName.labels?.["hyperv.migrationAuthentication"]).toBe("Kerberos");
    expect(byName.schedulable).toBe(true);
  });

  it("marks a host with migration disabled or a paused node unschedulable", () => {
    const base = { name: "HV-D", authenticationType: "Kerberos" };
    expect(toHost(parseHost({ ...base, migrationEnabled: false })).schedulable).toBe(false);
    const paused = toHost(parseHost({ ...base, migrationEnabled: true, cluster: "C1", nodeState: "Paused" }));
    expect(paused).toMatchObject({ schedulable: false, maintenance: true, clusterId: "C1" });
  });

  it("returns error envelopes and ignores stray lines before the document", () => {
    const env = parseEnvelope(`WARNING: something\n{"ok":false,"error":{"category":"ObjectNotFound","message":"gone"}}`, "vm.get");
    expect(env).toEqual({ ok: false, error: { category: "ObjectNotFound", message: "gone" } });
  });

  it("rejects output that is not an envelope with INTERNAL", () => {
    expect(() => parseEnvelope("Get-VM : not json", "vm.list")).toThrow(/INTERNAL/);
  });

  it("names the field of a shape violation", () => {
    expect(() => parseVm({ id: "x", name: 3, state: "Running", computerName: "h" })).toThrow(/vm\.name should be a string/);
    expect(() => parseVm({ id: "x", name: "n", state: true, computerName: "h" })).toThrow(/vm\.state/);
    // A number outside the VMState table is not a shape violation: the VM is in an unknown state.
    expect(parseVm({ id: "x", name: "n", state: 99999, computerName: "h" }).state).toBe("99999");
  });
});
