import { type HypervisorAdapter, type NormalizedMigrationRequest, type OperationContext, VirtualClock, silentLogger } from "@vmshift/core";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeVirsh, fail, fixture, ok, optionValue } from "../test/fake-virsh.ts";
import { createLibvirtAdapter } from "./adapter.ts";

const A = "qemu+ssh://kvm-a/system";
const B = "qemu+tcp://kvm-b/system";
const B_PEER = "qemu+tcp://10.0.0.2/system";
const UUID = "69e278fe-d622-4530-be40-48fc3d033484";
const DOMINFO = fixture("lab-inventory", "dominfo-running.txt");
const MISSING = fixture("lab-inventory", "dominfo-missing.stderr");
const RUNNING = fixture("lab-inventory", "domstate-running.txt");
const hosts = [{ id: "a", uri: A }, { id: "b", uri: B, peerUri: B_PEER, migrationAddress: "127.0.0.1" }];

let fake: FakeVirsh;
let clock: VirtualClock;
let ctx: OperationContext;
let adapter: HypervisorAdapter;

function on(uri: string, state: string | undefined): void {
  fake.on(uri, "dominfo", state === undefined ? fail(MISSING) : ok(DOMINFO));
  fake.on(uri, "domstate", state === undefined ? fail(MISSING) : ok(state));
}
const job = (name: string, scenario = "live-precopy") => ok(fixture(scenario, name));
const request = (extra: Partial<NormalizedMigrationRequest> = {}): NormalizedMigrationRequest => ({ vmId: UUID, targetHostId: "b", mode: "live", requestId: "req-1", ...extra });

beforeEach(() => {
  fake = new FakeVirsh();
  clock = new VirtualClock();
  ctx = { clock, logger: silentLogger };
  adapter = createLibvirtAdapter({ hosts, runner: fake, retry: { clock } });
  on(A, RUNNING);
  on(B, undefined);
  fake.on(A, "domjobinfo", job("domjobinfo-none.txt"));
});

describe("live migration", () => {
  it("runs p2p virsh migrate with the requested knobs, reports progress, and completes on the target with the measured downtime", async () => {
    const first = await adapter.startMigration!(request({ bandwidthBytesPerSecond: 15.5 * 1024 ** 2, allowAutoConverge: true, allowPostCopy: true, maxDowntimeMs: 500 }), ctx);
    expect(first.phase).toBe("requested");
    const proc = fake.processes[0]!;
    expect(proc.call.uri).toBe(A);
    expect(proc.call.command).toBe("migrate");
    expect(proc.call.args).toEqual([
      "--live", "--p2p", "--persistent", "--undefinesource", "--domain", UUID, "--desturi", B_PEER, "--migrateuri", "tcp://127.0.0.1",
      "--bandwidth", "16", "--auto-converge", "--auto-converge-initial", "50", "--auto-converge-increment", "20", "--postcopy",
    ]);

    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    fake.on(A, "migrate-setmaxdowntime", ok());
    const moving = await adapter.getMigration!(first.id, ctx);
    expect(moving.phase).toBe("transferring");
    expect(moving.progress).toMatchObject({ transferredBytes: 29032507, totalBytes: 134610944, iteration: 1, expectedDowntimeMs: 300 });
    expect(optionValue(fake.callsOf("migrate-setmaxdowntime")[0]!, "--downtime")).toBe("500");
    await adapter.getMigration!(first.id, ctx);
    expect(fake.callsOf("migrate-setmaxdowntime")).toHaveLength(1);

    on(A, undefined);
    on(B, RUNNING);
    fake.on(B, "domjobinfo", job("domjobinfo-completed-dest.txt"), { when: (c) => c.args.includes("--completed") });
    proc.finish(ok());
    await proc.done;
    const done = await adapter.getMigration!(first.id, ctx);
    expect(done.phase).toBe("completed");
    expect(done.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "b", side: "target", powerState: "running" }, downtimeMs: 49, sourceHostId: "a", targetHostId: "b" });
    expect(done.progress.percent).toBe(100);
    expect(await adapter.getMigration!(first.id, ctx)).toBe(done);
  });

  it("sends at most 4 virsh calls besides job polls for one live migration (the request budget): domstate where it runs, migrate, domstate on the target", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    expect((await adapter.getMigration!(first.id, ctx)).phase).toBe("transferring");
    on(A, undefined);
    on(B, RUNNING);
    fake.on(B, "domjobinfo", job("domjobinfo-completed-dest.txt"), { when: (c) => c.args.includes("--completed") });
    fake.processes[0]!.finish(ok());
    await fake.processes[0]!.done;
    const done = await adapter.getMigration!(first.id, ctx);
    expect(done.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "b", side: "target", powerState: "running" } });
    const besidesPolls = fake.calls.filter((c) => c.command !== "domjobinfo").map((c) => `${c.uri === A ? "a" : "b"} ${c.command}`);
    expect(besidesPolls).toEqual(["a domstate", "a migrate", "b domstate"]);
  });

  it("uses ports from a configured range in turn", async () => {
    const ranged = createLibvirtAdapter({ hosts, runner: fake, retry: { clock }, defaults: { migrationPortFirst: 49400, migrationPortCount: 2, startWaitMs: 0 } });
    for (const requestId of ["p1", "p2", "p3"]) await ranged.startMigration!(request({ requestId }), ctx);
    expect(fake.processes.map((p) => p.call.args[p.call.args.indexOf("--migrateuri") + 1])).toEqual(["tcp://127.0.0.1:49400", "tcp://127.0.0.1:49401", "tcp://127.0.0.1:49400"]);
  });

  it("is idempotent on requestId: a retried start returns the first migration", async () => {
    const a = await adapter.startMigration!(request(), ctx);
    const b = await adapter.startMigration!(request(), ctx);
    expect(b.id).toBe(a.id);
    expect(fake.processes).toHaveLength(1);
  });

  it("a start whose answer is lost after virsh migrate launched is found again by its requestId", async () => {
    let launched = false;
    fake.on(A, "domjobinfo", () => (launched ? fail("error: Cannot recv data: Connection reset by peer") : ok(fixture("live-precopy", "domjobinfo-none.txt"))));
    const realStart = fake.start.bind(fake);
    fake.start = (argv) => ((launched = true), realStart(argv));
    await expect(adapter.startMigration!(request(), ctx)).rejects.toMatchObject({ code: "TRANSPORT", retryable: true });
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    const again = await adapter.startMigration!(request(), ctx);
    expect(again.phase).toBe("transferring");
    expect(fake.processes).toHaveLength(1);
  });

  it("refuses a VM that is already migrating or has a job, one that is not running, and a bad target — before starting anything", async () => {
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    await expect(adapter.startMigration!(request(), ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    on(A, fixture("lab-inventory", "domstate-paused-migrating.txt"));
    await expect(adapter.startMigration!(request({ requestId: "r2" }), ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    on(A, "shut off\n");
    await expect(adapter.startMigration!(request({ requestId: "r3" }), ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });
    await expect(adapter.startMigration!(request({ requestId: "r4", targetHostId: "nope" }), ctx)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(adapter.startMigration!(request({ requestId: "r5", targetHostId: "a" }), ctx)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(adapter.startMigration!(request({ requestId: "r6", vmId: "-rf" }), ctx)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(fake.processes).toHaveLength(0);
  });

  it("cancel: domjobabort, then followed until the source runs the domain again", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    await adapter.getMigration!(first.id, ctx);
    fake.on(A, "domjobabort", ok());
    await adapter.cancelMigration!(first.id, ctx);
    expect(fake.callsOf("domjobabort", A)).toHaveLength(1);
    const proc = fake.processes[0]!;
    on(A, fixture("lab-inventory", "domstate-paused-migrating.txt"));
    proc.finish({ code: 1, stdout: "", stderr: fixture("live-cancel", "migrate-aborted.stderr") });
    await proc.done;
    const resuming = await adapter.getMigration!(first.id, ctx);
    expect(resuming.phase).toBe("transferring");
    on(A, RUNNING);
    const done = await adapter.getMigration!(first.id, ctx);
    expect(done.phase).toBe("cancelled");
    expect(done.result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "a", side: "source", powerState: "running" }, error: { code: "ABORTED" } });
  });

  it("cancel before the job is visible aborts it as soon as libvirt shows it, and ends cancelled", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    fake.on(A, "domjobabort", fail(fixture("live-cancel", "domjobabort-nojob.stderr")));
    await adapter.cancelMigration!(first.id, ctx);
    fake.on(A, "domjobabort", ok());
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    const seen = await adapter.getMigration!(first.id, ctx);
    expect(seen.progress.message).toBe("cancelling");
    expect(fake.callsOf("domjobabort", A)).toHaveLength(2);
    await adapter.getMigration!(first.id, ctx);
    expect(fake.callsOf("domjobabort", A)).toHaveLength(2);
    fake.processes[0]!.finish({ code: 1, stdout: "", stderr: fixture("live-cancel", "migrate-aborted.stderr") });
    await fake.processes[0]!.done;
    const done = await adapter.getMigration!(first.id, ctx);
    expect(done.result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "a", side: "source", powerState: "running" } });
  });

  it("a failure during transfer ends failed with the VM on its source", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    const proc = fake.processes[0]!;
    proc.finish({ code: 1, stdout: "", stderr: "error: operation failed: job 'migration out' failed: Unable to write to socket: Connection reset by peer\n" });
    await proc.done;
    const done = await adapter.getMigration!(first.id, ctx);
    expect(done.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", hostId: "a", powerState: "running" }, error: { code: "MIGRATION_FAILED" } });
    expect(done.result?.error?.message).toMatch(/Connection reset by peer/);
  });

  it("switches a stalled pre-copy to post-copy when allowed, and only then", async () => {
    const allowed = await adapter.startMigration!(request({ allowPostCopy: true }), ctx);
    fake.on(A, "domjobinfo", job("domjobinfo-stalled.txt", "live-nonconvergence"));
    fake.on(A, "migrate-postcopy", ok());
    const switched = await adapter.getMigration!(allowed.id, ctx);
    expect(fake.callsOf("migrate-postcopy", A)).toHaveLength(1);
    expect(switched.phase).toBe("finalizing");
    expect(switched.progress.message).toMatch(/post-copy/);
    fake.on(A, "domjobinfo", fail(fixture("live-postcopy", "domjobinfo-source-paused.stderr")));
    expect((await adapter.getMigration!(allowed.id, ctx)).phase).toBe("finalizing");
    await expect(adapter.cancelMigration!(allowed.id, ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });

    const other = createLibvirtAdapter({ hosts, runner: fake, retry: { clock } });
    fake.on(A, "domjobinfo", job("domjobinfo-none.txt"));
    const plain = await other.startMigration!(request({ requestId: "r2" }), ctx);
    fake.on(A, "domjobinfo", job("domjobinfo-stalled.txt", "live-nonconvergence"));
    const stuck = await other.getMigration!(plain.id, ctx);
    expect(stuck.phase).toBe("transferring");
    expect(fake.callsOf("migrate-postcopy", A)).toHaveLength(1);
  });

  it("attaches after a restart: reads the job on the source, then finds the VM on the target", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    const restarted = createLibvirtAdapter({ hosts, runner: fake, retry: { clock } });
    const early = await restarted.attachMigration!(first.id, ctx);
    expect(early.phase).toBe("requested");
    fake.on(A, "domjobinfo", job("domjobinfo-active.txt"));
    const moving = await restarted.attachMigration!(first.id, ctx);
    expect(moving).toMatchObject({ id: first.id, phase: "transferring", sourceHostId: "a", targetHostId: "b" });
    on(A, undefined);
    fake.on(A, "domjobinfo", fail(MISSING));
    on(B, RUNNING);
    fake.on(B, "domjobinfo", job("domjobinfo-completed-dest.txt"), { when: (c) => c.args.includes("--completed") });
    const done = await restarted.getMigration!(first.id, ctx);
    expect(done.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "b", side: "target" }, downtimeMs: 49 });
    await expect(restarted.attachMigration!("lv1.bm9wZQ", ctx)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("an attached migration whose job never shows up ends failed after the grace period, with the VM on its source", async () => {
    const first = await adapter.startMigration!(request(), ctx);
    const restarted = createLibvirtAdapter({ hosts, runner: fake, defaults: { attachGraceMs: 1000 }, retry: { clock } });
    await clock.advance(2000);
    fake.on(A, "domjobinfo", job("domjobinfo-cancelled.txt", "live-cancel"), { when: (c) => c.args.includes("--completed") });
    const done = await restarted.attachMigration!(first.id, ctx);
    expect(done.result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source", hostId: "a" } });
  });
});
