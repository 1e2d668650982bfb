import { describe, expect, it } from "vitest";
import type { CliIo } from "../src/io.ts";
import { main } from "../src/main.ts";

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
}

/** An in-process terminal: the built-in simulator profile (no config file at the default path), captured output. */
function capture(extra: Partial<CliIo> & { tty?: boolean } = {}): Captured {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t), isTTY: extra.tty ?? false },
    stderr: { write: (t: string) => (err += t) },
    env: { XDG_CONFIG_HOME: "/nonexistent/vmshift-test-xdg" },
    cwd: process.cwd(),
    ...extra,
  };
  return { io, out: () => out, err: () => err };
}

const lines = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("vmshift evacuate", () => {
  it("--dry-run prints the plan table and changes nothing (exit 0)", async () => {
    const c = capture();
    expect(await main(["evacuate", "host-1", "--dry-run"], c.io)).toBe(0);
    expect(c.out()).toMatch(/^#\s+VM\s+FROM\s+TO\s+HOW/m);
    for (const vm of ["db-01", "app-01", "web-01", "web-02", "legacy-01"]) expect(c.out()).toMatch(new RegExp(`^\\d+\\s+${vm}\\s+host-1\\s+host-2`, "m"));
    expect(c.out()).toMatch(/legacy-01\s+host-1\s+host-2\s+cold/);
    expect(c.out()).toContain("dry run: nothing was changed");
  });

  it("--dry-run --json prints exactly one plan line", async () => {
    const c = capture();
    expect(await main(["evacuate", "host-1", "--dry-run", "--json"], c.io)).toBe(0);
    const [plan, ...rest] = lines(c.out());
    expect(rest).toEqual([]);
    expect(plan).toMatchObject({ event: "plan", dryRun: true, plan: { kind: "evacuate", subjectHostIds: ["host-1"], freedHostIds: ["host-1"] } });
    expect((plan!["plan"] as { migrations: unknown[] }).migrations).toHaveLength(5);
  });

  it("runs the plan with --json: NDJSON events, a final result, exit 0", async () => {
    const c = capture();
    expect(await main(["evacuate", "host-3", "--json", "--profile", "simulator-fast"], c.io)).toBe(0);
    const events = lines(c.out());
    expect(events.map((e) => e["event"]).filter((e) => e !== "progress")).toEqual(["plan", "started", "migration-started", "migration-finished", "result"]);
    expect(events.filter((e) => e["event"] === "progress").length).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ event: "result", report: { counts: { completed: 1 }, freedHostIds: ["host-3"], ok: true } });
    expect(events.find((e) => e["event"] === "migration-finished")).toMatchObject({ vmId: "ci-runner-01", status: "completed", vmLocation: { side: "target", powerState: "running" } });
  });

  it("evacuates a whole host (live and cold) on the fast simulator and reports where each VM is", async () => {
    const c = capture();
    expect(await main(["evacuate", "host-1", "--profile", "simulator-fast"], c.io)).toBe(0);
    for (const vm of ["db-01", "app-01", "web-01", "web-02"]) expect(c.out()).toMatch(new RegExp(`^${vm}\\s+completed\\s+host-2\\s+target\\s+running`, "m"));
    expect(c.out()).toMatch(/^legacy-01\s+completed\s+host-2\s+target\s+stopped/m);
    expect(c.out()).toMatch(/✔ 5 completed, 0 failed, 0 cancelled, 0 skipped in .*; freed: host-1/);
  });

  it("draws live progress lines in place on a terminal and ends with the report", async () => {
    const c = capture({ tty: true });
    expect(await main(["evacuate", "host-3"], c.io)).toBe(0);
    expect(c.out()).toMatch(/\x1b\[K\s*ci-runner-01 host-3→host-2 transferring\s+█*░*\s+\d+\.\d%/);
    expect(c.out()).toMatch(/\x1b\[1A\x1b\[J/);
    expect(c.out()).toMatch(/✔ 1 completed, 0 failed, 0 cancelled, 0 skipped in .*; freed: host-3/);
  });

  it("Ctrl-C then 'c' cancels the plan: the VM stays on its source, exit 4", async () => {
    let asked = "";
    const c = capture({
      onInterrupt: (handler) => {
        const t = setTimeout(handler, 30);
        return () => clearTimeout(t);
      },
      prompt: async (q) => {
        asked = q;
        return "c";
      },
    });
    expect(await main(["evacuate", "host-3"], c.io)).toBe(4);
    expect(asked).toMatch(/Cancel the in-flight migrations too/);
    expect(c.out()).toMatch(/ci-runner-01\s+cancelled\s+host-3\s+source\s+running/);
  });

  it("Ctrl-C on a terminal: nothing is drawn while the question is open, and the plan ending first withdraws it", async () => {
    let atAsk = -1;
    let atWithdraw = -1;
    const c = capture({
      tty: true,
      onInterrupt: (handler) => {
        const t = setTimeout(handler, 300);
        return () => clearTimeout(t);
      },
      prompt: (_q, options) =>
        new Promise<string>((_resolve, reject) => {
          atAsk = c.out().length;
          options?.signal?.addEventListener("abort", () => {
            atWithdraw = c.out().length;
            reject(new DOMException("withdrawn", "AbortError"));
          });
        }),
    });
    expect(await main(["evacuate", "host-3"], c.io)).toBe(0);
    expect(atAsk).toBeGreaterThan(0);
    expect(atWithdraw, "withdrawn, with nothing drawn over the question").toBe(atAsk);
    expect(c.out().slice(atAsk)).toMatch(/^✔ ci-runner-01 completed/m);
    expect(c.out()).toMatch(/✔ 1 completed, 0 failed, 0 cancelled, 0 skipped/);
  });

  it("exit codes: unknown host 1 (NOT_FOUND), missing host 2, bad limit 2", async () => {
    const unknown = capture();
    expect(await main(["evacuate", "host-99", "--dry-run"], unknown.io)).toBe(1);
    expect(unknown.err()).toMatch(/NOT_FOUND: no host host-99/);
    expect(await main(["evacuate"], capture().io)).toBe(2);
    const bad = capture();
    expect(await main(["evacuate", "host-1", "--dry-run", "--max-per-source", "0"], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--max-per-source must be an integer ≥ 1/);
  });

  it("a plan that cannot empty the host exits 3 on a dry run, and honours --max-per-source in the plan", async () => {
    const c = capture();
    // host-4 is in maintenance and host-3 is tiny: with --no-cold, gpu-01 (not live-migratable) cannot leave host-2.
    expect(await main(["evacuate", "host-2", "--dry-run", "--json", "--no-cold", "--max-per-source", "3"], c.io)).toBe(3);
    const [plan] = lines(c.out());
    expect(plan).toMatchObject({ plan: { limits: { perSourceHost: 3 }, skipped: [{ vmId: "gpu-01", code: "INVALID_STATE" }] } });
  });
});

describe("vmshift rebalance", () => {
  it("--consolidate --dry-run names the hosts it frees, keeping the one whose VM cannot move live", async () => {
    const c = capture();
    expect(await main(["rebalance", "--consolidate", "--dry-run"], c.io)).toBe(0);
    // host-2 holds gpu-01 (not live-migratable), so it is kept and host-1 and host-3 empty onto it.
    expect(c.out()).toMatch(/ci-runner-01\s+host-3\s+host-2\s+live/);
    expect(c.out()).toMatch(/db-01\s+host-1\s+host-2\s+live/);
    expect(c.out()).toContain("hosts freed when complete: host-3, host-1");
    expect(c.out()).toMatch(/cluster-b: no host can be freed/);
  });

  it("--dry-run --json plans a balance", async () => {
    const c = capture();
    expect(await main(["rebalance", "--dry-run", "--json", "--tolerance", "0.2"], c.io)).toBe(0);
    const [plan] = lines(c.out());
    expect(plan).toMatchObject({ event: "plan", plan: { kind: "balance" } });
    const moves = (plan!["plan"] as { migrations: { vmId: string; sourceHostId: string }[] }).migrations;
    expect(moves.map((m) => [m.vmId, m.sourceHostId])).toEqual([["ci-runner-01", "host-3"]]);
  });
});
