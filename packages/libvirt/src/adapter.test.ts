import { type HypervisorAdapter, type NormalizedMigrationRequest, type OperationContext, VirtualClock, modelPrecopy, silentLogger } from "@vmshift/core";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeVirsh, fail, fixture, ok, optionValue } from "../test/fake-virsh.ts";
import { createLibvirtAdapter } from "./adapter.ts";

const A = "qemu+ssh://kvm-a/system";
const B = "qemu+tcp://kvm-b/system";
const B_PEER = "qemu+tcp://10.0.0.2/system";
const UUID = "69e278fe-d622-4530-be40-48fc3d033484";
const NAME = "vmshift-lab-x";
const DOMINFO = fixture("lab-inventory", "dominfo-running.txt");
const MISSING = fixture("lab-inventory", "dominfo-missing.stderr");
const hosts = [
  { id: "a", uri: A },
  { id: "b", uri: B, peerUri: B_PEER, migrationAddress: "127.0.0.1" },
];

let fake: FakeVirsh;
let clock: VirtualClock;
let ctx: OperationContext;
let adapter: HypervisorAdapter;

const forDomain = (id: string) => (call: { args: readonly string[] }) => optionValue(call as never, "--domain") === id;

/** The domain lives on `host` in `state` (other hosts: not found). */
function placeDomain(host: string | undefined, state = fixture("lab-inventory", "domstate-running.txt"), info = DOMINFO): void {
  for (const uri of [A, B]) {
    const here = uri === host;
    for (const id of [UUID, NAME]) {
      fake.on(uri, "dominfo", here ? ok(info) : fail(MISSING), { when: forDomain(id) });
      fake.on(uri, "domstate", here ? ok(state) : fail(MISSING), { when: forDomain(id) });
    }
  }
}

function request(extra: Partial<NormalizedMigrationRequest> = {}): NormalizedMigrationRequest {
  return { vmId: UUID, targetHostId: "b", mode: "live", requestId: "req-1", ...extra };
}

beforeEach(() => {
  fake = new FakeVirsh();
  clock = new VirtualClock();
  ctx = { clock, logger: silentLogger };
  adapter = createLibvirtAdapter({ hosts, runner: fake, retry: { clock } });
});

describe("configuration", () => {
  it("rejects bad host lists before contacting anything", () => {
    expect(() => createLibvirtAdapter({ hosts: [], runner: fake })).toThrowError(/INVALID_ARGUMENT/);
    expect(() => createLibvirtAdapter({ hosts: [{ id: "a", uri: A }, { id: "a", uri: B }], runner: fake })).toThrowError(/configured twice/);
    expect(() => createLibvirtAdapter({ hosts: [{ id: "a", uri: "-c qemu:///system" }], runner: fake })).toThrowError(/INVALID_ARGUMENT/);
    expect(() => createLibvirtAdapter({ hosts: [{ id: "a b", uri: A }], runner: fake })).toThrowError(/INVALID_ARGUMENT/);
    expect(fake.calls).toHaveLength(0);
  });
});

describe("inventory", () => {
  it("lists each domain once, on the host that runs it, page by page", async () => {
    fake.on(A, "list", ok(fixture("lab-inventory", "list-uuid-name.txt")));
    fake.on(B, "list", ok(`${UUID} ${NAME}\nfeedface-0000-4000-8000-000000000001 other\n`));
    placeDomain(A);
    fake.on(B, "dominfo", ok(DOMINFO), { when: forDomain(UUID) });
    fake.on(B, "domstate", ok(fixture("lab-inventory", "domstate-paused-migrating.txt")), { when: forDomain(UUID) });
    fake.on(B, "dominfo", ok(DOMINFO.replace(UUID, "feedface-0000-4000-8000-000000000001").replace(NAME, "other").replace("running", "shut off")), { when: forDomain("feedface-0000-4000-8000-000000000001") });
    fake.on(B, "domstate", ok("shut off\n"), { when: forDomain("feedface-0000-4000-8000-000000000001") });
    const first = await adapter.listVms!({ pageSize: 1 }, ctx);
    expect(first.items.map((v) => v.name)).toEqual(["other"]);
    expect(first.nextCursor).toBe("1");
    const second = await adapter.listVms!({ pageSize: 1, cursor: first.nextCursor! }, ctx);
    expect(second.items).toEqual([expect.objectContaining({ id: UUID, hostId: "a", powerState: "running", memoryBytes: 134217728, cpus: 1 })]);
    expect(second.nextCursor).toBeUndefined();
    await expect(adapter.listVms!({ cursor: "x" }, ctx)).rejects.toThrowError(/INVALID_ARGUMENT/);
  });

  it("lists what it can reach and warns about a host that is down", async () => {
    fake.on(A, "list", ok(fixture("lab-inventory", "list-uuid-name.txt")));
    fake.on(B, "list", fail(fixture("lab-inventory", "connect-failed.stderr")));
    placeDomain(A);
    const page = await adapter.listVms!({}, ctx);
    expect(page.items).toHaveLength(1);
    expect(page.warnings?.[0]).toMatch(/host b is unreachable/);
  });

  it("getVm: the VM with its disks; NOT_FOUND when nowhere; TRANSPORT when a host that might hold it is down", async () => {
    placeDomain(A);
    fake.on(A, "domblklist", ok(" file   disk     vda      /images/x.qcow2\n"));
    const vm = await adapter.getVm!(UUID, ctx);
    expect(vm).toMatchObject({ id: UUID, name: NAME, hostId: "a", powerState: "running", liveMigratable: true });
    expect(vm.labels?.["libvirt.disks"]).toBe("vda=/images/x.qcow2");
    placeDomain(undefined);
    await expect(adapter.getVm!(UUID, ctx)).rejects.toMatchObject({ code: "NOT_FOUND" });
    fake.on(B, "dominfo", fail(fixture("lab-inventory", "connect-failed.stderr")));
    await expect(adapter.getVm!(UUID, ctx)).rejects.toMatchObject({ code: "TRANSPORT" });
  });

  it("listHosts: node info and free memory per connection; a down one is disconnected", async () => {
    fake.on(A, "nodeinfo", ok(fixture("lab-inventory", "nodeinfo.txt")));
    fake.on(A, "nodememstats", ok(fixture("lab-inventory", "nodememstats.txt")));
    fake.on(B, "nodeinfo", fail(fixture("lab-inventory", "connect-failed.stderr")));
    const page = await adapter.listHosts!({}, ctx);
    expect(page.items[0]).toMatchObject({ id: "a", connectionState: "connected", schedulable: true, cpuCores: 2, memoryBytes: 24684092 * 1024, freeMemoryBytes: (22897212 + 30636 + 1013344) * 1024 });
    expect(page.items[0]!.labels?.["libvirt.cpuModel"]).toBe("x86_64");
    expect(page.items[1]).toMatchObject({ id: "b", connectionState: "disconnected", schedulable: false });
  });

  it("probe reports libvirt and QEMU versions", async () => {
    fake.on(undefined, "version", ok(fixture("lab-inventory", "version.txt")));
    const probe = await adapter.probe!(ctx);
    expect(probe.server).toBe("libvirt 11.3.0, QEMU 10.0.2");
    expect(probe.notes).toHaveLength(2);
  });
});

describe("preflight", () => {
  beforeEach(() => {
    placeDomain(A);
    fake.on(B, "nodememstats", ok(fixture("lab-inventory", "nodememstats.txt")));
    fake.on(A, "dumpxml", ok("<domain type='qemu' id='1'>\n  <name>vmshift-lab-x</name>\n</domain>\n"));
    fake.on(B, "hypervisor-cpu-compare", ok(fixture("lab-inventory", "cpu-compare-superset.txt")));
    fake.on(A, "domblklist", ok(fixture("lab-inventory", "domblklist-empty.txt")));
  });

  it("passes for a good target, compares the CPU with the domain's virt type, and changes nothing", async () => {
    const checks = await adapter.preflight!(request(), ctx);
    expect(checks.filter((c) => c.severity === "error")).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual(expect.arrayContaining(["libvirt.state", "libvirt.persistent", "libvirt.targetMemory", "libvirt.cpu", "libvirt.disk"]));
    const compare = fake.callsOf("hypervisor-cpu-compare", B)[0]!;
    expect(optionValue(compare, "--virttype")).toBe("qemu");
    expect(compare.input).toContain("<name>vmshift-lab-x</name>");
    const mutating = ["migrate", "start", "shutdown", "destroy", "define", "undefine", "domjobabort"];
    expect(fake.calls.filter((c) => mutating.includes(c.command))).toEqual([]);
  });

  it("reports an incompatible CPU, too little memory, a name clash and unshared disks", async () => {
    fake.on(B, "hypervisor-cpu-compare", { code: 1, stdout: fixture("lab-inventory", "cpu-compare-incompatible.txt"), stderr: "" });
    fake.on(B, "nodememstats", ok("total  :  1048576 KiB\nfree   :  65536 KiB\n"));
    fake.on(B, "dominfo", ok(DOMINFO.replace(UUID, "feedface-0000-4000-8000-000000000001")), { when: forDomain(NAME) });
    fake.on(B, "domstate", ok("running (booted)\n"), { when: forDomain(NAME) });
    fake.on(A, "domblklist", ok(" file   disk     vda      /local/x.qcow2\n"));
    fake.on(B, "vol-info", fail("error: failed to get vol '/local/x.qcow2'\nerror: Storage volume not found: no storage vol with matching path '/local/x.qcow2'"));
    const checks = await adapter.preflight!(request(), ctx);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId["libvirt.cpu"]).toMatchObject({ severity: "error", category: "compatibility" });
    expect(byId["libvirt.targetMemory"]).toMatchObject({ severity: "error", category: "capacity" });
    expect(byId["libvirt.nameClash"]).toMatchObject({ severity: "error", category: "state" });
    expect(byId["libvirt.disk"]).toMatchObject({ severity: "warning", category: "storage" });
  });

  it("advises from the planner with the guest's measured dirty rate and the bandwidth cap", async () => {
    fake.on(A, "migrate-getspeed", ok(fixture("lab-inventory", "migrate-getspeed-unlimited.txt")));
    const uncapped = await adapter.preflight!(request(), ctx);
    expect(uncapped.find((c) => c.id === "libvirt.plan")).toMatchObject({ severity: "info", message: expect.stringMatching(/no bandwidth cap/) });
    expect(fake.callsOf("domdirtyrate-calc")).toHaveLength(0);

    fake.on(A, "domdirtyrate-calc", ok());
    fake.on(A, "domstats", ok(fixture("lab-inventory", "domstats-dirtyrate.txt")));
    const slow = await adapter.preflight!(request({ bandwidthBytesPerSecond: 16 * 1024 ** 2 }), ctx);
    const warn = slow.find((c) => c.id === "libvirt.plan")!;
    expect(warn).toMatchObject({ severity: "warning", category: "policy", native: { dirtyRateBytesPerSecond: 22 * 1024 ** 2, converges: false, strategy: "cold" } });
    expect(optionValue(fake.callsOf("domdirtyrate-calc", A)[0]!, "--seconds")).toBe("1");
    const withPostCopy = await adapter.preflight!(request({ bandwidthBytesPerSecond: 16 * 1024 ** 2, allowPostCopy: true }), ctx);
    expect(withPostCopy.find((c) => c.id === "libvirt.plan")).toMatchObject({ severity: "warning", message: expect.stringMatching(/post-copy \(allowed\)/) });
    fake.on(A, "migrate-getspeed", ok("64\n"));
    const fast = await adapter.preflight!(request(), ctx);
    const advice = fast.find((c) => c.id === "libvirt.plan")!;
    expect(advice).toMatchObject({ severity: "info", native: { converges: true, bandwidthBytesPerSecond: 64 * 1024 ** 2 } });
    // The prediction is QEMU's switch-over loop (100 ms steps under a cap), not the round model.
    const native = advice.native as { predictedDowntimeMs: number; dirtyRateBytesPerSecond: number };
    const plan = (step?: number) => modelPrecopy({ memoryBytes: 128 * 1024 ** 2, dirtyRateBytesPerSecond: native.dirtyRateBytesPerSecond, bandwidthBytesPerSecond: 64 * 1024 ** 2, ...(step ? { switchoverCheckIntervalMs: step } : {}) });
    expect(native.predictedDowntimeMs).toBe(Math.round(plan(100).downtimeMs));
    expect(native.predictedDowntimeMs).not.toBe(Math.round(plan().downtimeMs));

    fake.on(A, "domdirtyrate-calc", fail("error: Operation not supported: dirty rate calculation"));
    const unmeasured = await adapter.preflight!(request(), ctx);
    expect(unmeasured.find((c) => c.id === "libvirt.plan")).toMatchObject({ severity: "info", message: expect.stringMatching(/could not be measured/) });
  });

  it("refuses a transient domain for a cold move, and the same host as target", async () => {
    placeDomain(A, undefined, DOMINFO.replace("Persistent:     yes", "Persistent:     no"));
    const cold = await adapter.preflight!(request({ mode: "cold" }), ctx);
    expect(cold.find((c) => c.id === "libvirt.persistent")).toMatchObject({ severity: "error" });
    fake.on(A, "nodememstats", ok(fixture("lab-inventory", "nodememstats.txt")));
    fake.on(A, "hypervisor-cpu-compare", ok(fixture("lab-inventory", "cpu-compare-superset.txt")));
    const same = await adapter.preflight!(request({ targetHostId: "a" }), ctx);
    expect(same.find((c) => c.id === "libvirt.sameHost")).toMatchObject({ severity: "error", category: "policy" });
  });
});
