/**
 * The libvirt journal's conditional write over a test double of `virsh` (one domain's metadata in
 * a map, answering as virsh does: the element on success, "metadata not found" / "failed to get
 * domain" otherwise): it writes only over the record it expects, a rival's write that lands while a
 * takeover settles is seen on the read-back (the takeover loses), and a failed read is an error,
 * not a vanished record. The same journal against real libvirtd: adapters-conformance/test/
 * move-journal-libvirt.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { ExecResult } from "../exec.ts";
import type { MoveRecord } from "../journal.ts";
import { libvirtJournal } from "./journal.ts";

const ctx = { signal: new AbortController().signal };
const record = (owner: string, at: string): MoveRecord => ({
  version: 1, moveId: "move-j", requestId: "j", phase: "transferring", mode: "cold", source: { platform: "libvirt", vmId: "src" }, sourceWasRunning: true, sourceStopAsked: true,
  reservation: { vmId: "dom", volumes: [] }, startedAt: "2026-12-07T20:00:00.000Z", updatedAt: at, owner: { id: owner, host: "h", pid: 1 }, heartbeatAt: at, leaseMs: 1000,
});

/** `virsh metadata` over one domain `dom`; `afterSet` runs after each write; `failReads` makes reads fail like a lost connection. */
function fakeVirsh(options: { afterSet?: () => void; failReads?: boolean } = {}) {
  const state = { metadata: undefined as string | undefined, defined: true, sets: 0 };
  const virsh = async (args: readonly string[]): Promise<ExecResult> => {
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    if (args[0] !== "metadata") throw new Error(`unexpected virsh ${args.join(" ")}`);
    // What virsh -q printed on lab host b for a domain undefined meanwhile (adapters-conformance/test/move-journal-libvirt.test.ts).
    if (!state.defined) return { code: 1, stdout: "", stderr: "error: failed to get domain 'dom'" };
    if (args.includes("--set")) {
      state.metadata = at("--set")!.replace("<move>", '<move xmlns="urn:vmshift:move:1">');
      state.sets++;
      options.afterSet?.();
      return { code: 0, stdout: "Metadata modified", stderr: "" };
    }
    if (options.failReads) return { code: 1, stdout: "", stderr: "error: failed to connect to the hypervisor" };
    return state.metadata === undefined ? { code: 1, stdout: "", stderr: "error: metadata not found: Requested metadata element is not present" } : { code: 0, stdout: state.metadata, stderr: "" };
  };
  return { state, virsh };
}

describe("libvirtJournal.replace (conditional write on the domain's metadata)", () => {
  it("writes over the record it expects and reads it back; over another record it writes nothing and returns what is there", async () => {
    const { state, virsh } = fakeVirsh();
    const journal = libvirtJournal(virsh);
    const a = record("a", "2026-12-07T20:00:01.000Z");
    await journal.write(a, ctx);
    const b = record("b", "2026-12-07T20:00:02.000Z");
    expect(await journal.replace!(a, b, ctx)).toEqual({ written: true });
    const c = record("c", "2026-12-07T20:00:03.000Z");
    const stale = await journal.replace!(a, c, ctx);
    expect(stale).toMatchObject({ written: false, current: { owner: { id: "b" } } });
    expect(state.sets).toBe(2);
    expect(state.metadata).toContain("&quot;id&quot;:&quot;b&quot;");
  });

  it("a rival's write that lands while a takeover settles is seen on the read-back: the takeover is told it lost", async () => {
    const rival = record("rival", "2026-12-07T20:00:05.000Z");
    let journal: ReturnType<typeof libvirtJournal>;
    const { state, virsh } = fakeVirsh({
      afterSet: () => {
        // The rival read the same old record and writes a moment after us.
        if (state.sets === 2) setTimeout(() => void journal.write(rival, ctx), 10);
      },
    });
    journal = libvirtJournal(virsh);
    const old = record("dead", "2026-12-07T20:00:00.000Z");
    await journal.write(old, ctx);
    const mine = record("me", "2026-12-07T20:00:04.000Z");
    const outcome = await journal.replace!(old, mine, ctx, { settleMs: 60 });
    expect(outcome).toMatchObject({ written: false, current: { owner: { id: "rival" } } });
  });

  it("a record gone with its domain reads as none; a read that fails otherwise throws TRANSPORT (a heartbeat tries again)", async () => {
    const gone = fakeVirsh();
    const a = record("a", "2026-12-07T20:00:01.000Z");
    await libvirtJournal(gone.virsh).write(a, ctx);
    gone.state.defined = false;
    expect(await libvirtJournal(gone.virsh).replace!(a, record("b", "2026-12-07T20:00:02.000Z"), ctx)).toEqual({ written: false, current: undefined });
    const flaky = fakeVirsh({ failReads: true });
    await expect(libvirtJournal(flaky.virsh).replace!(a, record("b", "2026-12-07T20:00:02.000Z"), ctx)).rejects.toMatchObject({ code: "TRANSPORT" });
    expect(flaky.state.sets).toBe(0);
  });
});
