import { type HypervisorAdapter, type MigrationSnapshot, type NormalizedMigrationRequest, type OperationContext, VirtualClock, isTerminalPhase, silentLogger } from "@vmshift/core";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeVirsh, fail, fixture, ok } from "../test/fake-virsh.ts";
import { createLibvirtAdapter } from "./adapter.ts";
import { INPUT_FILE } from "./argv.ts";

const A = "qemu:///system";
const B = "qemu+tcp://kvm-b/system";
const UUID = "69e278fe-d622-4530-be40-48fc3d033484";
const DOMINFO = fixture("lab-inventory", "dominfo-running.txt");
const MISSING = fixture("lab-inventory", "dominfo-missing.stderr");
const XML = "<domain type='qemu'><name>vmshift-lab-x</name></domain>\n";

let fake: FakeVirsh;
let clock: VirtualClock;
let ctx: OperationContext;
let adapter: HypervisorAdapter;

function on(uri: string, state: string | undefined): void {
  fake.on(uri, "dominfo", state === undefined ? fail(MISSING) : ok(DOMINFO));
  fake.on(uri, "domstate", state === undefined ? fail(MISSING) : ok(state));
}
const request = (extra: Partial<NormalizedMigrationRequest> = {}): NormalizedMigrationRequest => ({ vmId: UUID, targetHostId: "b", mode: "cold", requestId: "cold-1", ...extra });

async function settle(id: string): Promise<{ phases: string[]; last: MigrationSnapshot }> {
  const phases: string[] = [];
  for (let i = 0; i < 200; i++) {
    const s = await adapter.getMigration!(id, ctx);
    if (phases.at(-1) !== s.phase) phases.push(s.phase);
    if (isTerminalPhase(s.phase)) return { phases, last: s };
    await clock.sleep(100);
  }
  throw new Error("cold migration did not settle");
}

beforeEach(() => {
  fake = new FakeVirsh();
  clock = new VirtualClock();
  ctx = { clock, logger: silentLogger };
  adapter = createLibvirtAdapter({ hosts: [{ id: "a", uri: A }, { id: "b", uri: B }], runner: fake, defaults: { shutdownTimeoutMs: 2000 }, retry: { clock } });
  on(A, "running (booted)\n");
  on(B, undefined);
  fake.on(A, "dumpxml", ok(XML));
  fake.on(A, "shutdown", ok());
});

describe("cold migration", () => {
  it("shuts down (powering off after the grace period), moves the definition offline, starts on the target", async () => {
    fake.on(A, "destroy", ok(), { times: 1 });
    fake.on(A, "migrate", (call) => {
      on(A, undefined);
      on(B, "shut off\n");
      return call.args.includes("--offline") ? ok() : fail("error: expected --offline");
    });
    fake.on(B, "start", () => {
      on(B, "running (booted)\n");
      return ok();
    });
    // The guest ignores the ACPI request: still running until destroy.
    fake.on(A, "domstate", ok("running (booted)\n"));
    fake.on(A, "destroy", () => {
      fake.on(A, "domstate", ok("shut off (destroyed)\n"));
      return ok();
    });
    const first = await adapter.startMigration!(request(), ctx);
    const { phases, last } = await settle(first.id);
    expect(phases[0]).toBe("preparing");
    expect(phases).toContain("stopping");
    expect(phases.at(-1)).toBe("completed");
    expect(fake.calls.map((c) => c.command).filter((c) => ["shutdown", "destroy", "migrate", "start"].includes(c))).toEqual(["shutdown", "destroy", "migrate", "start"]);
    expect(last.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "b", side: "target", powerState: "running" } });
    expect(last.result?.downtimeMs).toBeGreaterThanOrEqual(0);
    const migrate = fake.callsOf("migrate", A)[0]!;
    expect(migrate.args).toEqual(["--offline", "--persistent", "--undefinesource", "--domain", UUID, "--desturi", B]);
    expect(fake.callsOf("shutdown", A)).toHaveLength(1);
    expect(fake.callsOf("destroy", A)).toHaveLength(1);
  });

  it("starts the VM again on its source when it cannot start on the target", async () => {
    fake.on(A, "shutdown", () => (fake.on(A, "domstate", ok("shut off (shutdown)\n")), ok()));
    fake.on(A, "migrate", () => {
      on(A, undefined);
      return ok();
    });
    fake.on(B, "start", fail("error: Failed to start domain 'vmshift-lab-x'\nerror: Hook script execution failed: internal error: Child process unexpected exit status 1: vmshift lab: start refused on purpose"));
    fake.on(B, "undefine", ok());
    fake.on(A, "define", () => ok());
    fake.on(A, "start", () => {
      on(A, "running (booted)\n");
      return ok();
    });
    const first = await adapter.startMigration!(request(), ctx);
    const { last } = await settle(first.id);
    expect(last.result).toMatchObject({ outcome: "failed", vmLocation: { hostId: "a", side: "source", powerState: "running" }, error: { code: "MIGRATION_FAILED" } });
    expect(last.result?.error?.message).toMatch(/Hook script execution failed/);
    expect(fake.callsOf("undefine", B)).toHaveLength(1);
    const define = fake.callsOf("define", A)[0]!;
    expect(define.args).toEqual([INPUT_FILE]);
    expect(define.input).toBe(XML);
  });

  it("reports MIGRATION_PARTIAL when the source cannot take the VM back either", async () => {
    fake.on(A, "shutdown", () => (fake.on(A, "domstate", ok("shut off (shutdown)\n")), ok()));
    fake.on(A, "migrate", () => (on(A, undefined), ok()));
    fake.on(B, "start", fail("error: internal error: qemu unexpectedly closed the monitor"));
    fake.on(B, "undefine", ok());
    fake.on(A, "define", fail("error: operation failed: domain 'vmshift-lab-x' already exists with uuid x"));
    const first = await adapter.startMigration!(request(), ctx);
    const { last } = await settle(first.id);
    expect(last.result).toMatchObject({ outcome: "failed", error: { code: "MIGRATION_PARTIAL" }, vmLocation: { side: "unknown" } });
  });

  it("refuses a transient domain, a name taken on the target, and a storage target, before touching the VM", async () => {
    fake.on(A, "dominfo", ok(DOMINFO.replace("Persistent:     yes", "Persistent:     no")));
    await expect(adapter.startMigration!(request(), ctx)).rejects.toMatchObject({ code: "INVALID_STATE" });
    on(A, "running (booted)\n");
    on(B, "shut off\n");
    await expect(adapter.startMigration!(request({ requestId: "c2" }), ctx)).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(adapter.startMigration!(request({ requestId: "c3", targetStorageId: "pool-1" }), ctx)).rejects.toMatchObject({ code: "CAPABILITY_UNAVAILABLE" });
    await expect(adapter.cancelMigration!("lv1.x", ctx)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(fake.calls.filter((c) => ["shutdown", "destroy", "migrate", "start"].includes(c.command))).toEqual([]);
  });

  describe("cancel", () => {
    const restartOnA = () =>
      fake.on(A, "start", () => {
        on(A, "running (booted)\n");
        return ok();
      });

    it("while the guest shuts down: lets it finish stopping, starts it again on the source, moves nothing", async () => {
      let polls = 0;
      fake.on(A, "domstate", () => (++polls < 4 ? ok("in shutdown\n") : ok("shut off (shutdown)\n")));
      restartOnA();
      const first = await adapter.startMigration!(request(), ctx);
      await clock.sleep(300);
      expect((await adapter.getMigration!(first.id, ctx)).phase).toBe("stopping");
      await adapter.cancelMigration!(first.id, ctx);
      const { last } = await settle(first.id);
      expect(last.result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "a", side: "source", powerState: "running" }, error: { code: "ABORTED" } });
      expect(fake.callsOf("migrate")).toHaveLength(0);
      expect(fake.callsOf("destroy")).toHaveLength(0);
      expect(fake.callsOf("start", A)).toHaveLength(1);
      expect(fake.callsOf("start", B)).toHaveLength(0);
    });

    it("while the definition moves: takes it back from the target and starts the guest on the source", async () => {
      let id = "";
      fake.on(A, "shutdown", () => (fake.on(A, "domstate", ok("shut off (shutdown)\n")), ok()));
      fake.on(A, "migrate", () => {
        on(A, undefined);
        on(B, "shut off\n");
        void adapter.cancelMigration!(id, ctx);
        return ok();
      });
      fake.on(B, "undefine", () => (on(B, undefined), ok()));
      fake.on(A, "define", () => (on(A, "shut off\n"), ok()));
      restartOnA();
      const first = await adapter.startMigration!(request(), ctx);
      id = first.id;
      const { last } = await settle(first.id);
      expect(last.result).toMatchObject({ outcome: "cancelled", vmLocation: { hostId: "a", side: "source", powerState: "running" } });
      expect(fake.callsOf("undefine", B)).toHaveLength(1);
      expect(fake.callsOf("define", A)[0]!.input).toBe(XML);
      expect(fake.callsOf("start", B)).toHaveLength(0);
      expect(fake.callsOf("start", A)).toHaveLength(1);
    });

    it("is refused once the guest starts on the target, and does nothing after the end", async () => {
      let id = "";
      let refusal: unknown;
      fake.on(A, "shutdown", () => (fake.on(A, "domstate", ok("shut off (shutdown)\n")), ok()));
      fake.on(A, "migrate", () => (on(A, undefined), on(B, "shut off\n"), ok()));
      fake.on(B, "start", () => {
        adapter.cancelMigration!(id, ctx).catch((e: unknown) => {
          refusal = e;
        });
        on(B, "running (booted)\n");
        return ok();
      });
      const first = await adapter.startMigration!(request(), ctx);
      id = first.id;
      const { last } = await settle(first.id);
      expect(refusal).toMatchObject({ code: "INVALID_STATE" });
      expect(last.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "b", side: "target" } });
      await expect(adapter.cancelMigration!(first.id, ctx)).resolves.toBeUndefined();
      expect((await adapter.getMigration!(first.id, ctx)).result?.outcome).toBe("completed");
    });
  });
});
