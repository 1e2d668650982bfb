/**
 * Moves as fleet plan steps, for real: `vmshift plan move <selector> --from lab-a --to lab-b
 * --downtime-budget … --json` writes a plan of one move step (the lab's movable domain, read from
 * host a), chosen cold or warm by the move planner against the budget; `vmshift plan run` executes
 * it with the fleet executor and the move runner; the domain then runs on b with the same bytes.
 *
 * Skipped when the lab cannot run here; with CI=true a missing lab is a failure.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FleetPlan } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { labAvailability, labUri, virsh } from "./lab.ts";
import { holdMoveLab } from "./hold-move-lab.ts";
import { DST_POOL, MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, contentHash, freshSource, must } from "./move-lab.ts";

const DISK_BYTES = 16 * 1024 * 1024;
const availability = await labAvailability();
if (process.env.CI === "true" && !availability.ok) throw new Error(`libvirt lab required in CI: ${availability.reason}`);

describe.skipIf(!availability.ok)("vmshift plan move + plan run in the libvirt lab", { timeout: 150_000 }, () => {
  holdMoveLab("move-plan.test.ts");

  it("plans the selected VMs as move steps (cold or warm by the budget), and plan run moves them: running on b, bytes identical", async () => {
    await freshSource(DISK_BYTES);
    const before = await contentHash(MOVE_DISK, "qcow2");
    const config = join(MOVE_DIR, "config.yaml");
    writeFileSync(config, `profiles:\n  lab-a:\n    platform: libvirt\n    hosts: [{ id: a, uri: '${labUri("a")}' }]\n  lab-b:\n    platform: libvirt\n    hosts: [{ id: b, uri: '${labUri("b")}' }]\n`);
    const common = ["--from", "lab-a", "--to", "lab-b", "--storage-map", `${SRC_POOL}=${DST_POOL}:raw`, "--shutdown-timeout", "500", "--config", config];
    // A budget a 16 MiB cold copy at 64 MiB/s fits (with 100 ms to spare) → cold; a tiny one that only warm fits → warm.
    const cold = await runCli(["plan", "move", "vmshift-lab-mov?", ...common, "--downtime-budget", "350", "--json"]);
    expect(cold.code, cold.stderr).toBe(0);
    const plan = (JSON.parse(cold.stdout.trim()) as { event: string; dryRun: boolean; plan: FleetPlan }).plan;
    expect(plan.kind).toBe("move");
    expect(plan.migrations).toHaveLength(1);
    expect(plan.migrations[0]).toMatchObject({ vmId: MOVE_VM, sourceHostId: "a", targetHostId: "b", move: { from: "lab-a", to: "lab-b", mode: "cold", predictedDowntimeMs: 250 } });
    const warm = await runCli(["plan", "move", "vmshift-lab-*", ...common, "--downtime-budget", "100", "--change-rate", "0"]);
    expect(warm.code, warm.stderr).toBe(0);
    expect(warm.stdout).toMatch(new RegExp(`${MOVE_VM}\\s.*warm move`));
    // Fixed costs: cold = 250 ms + a 1000 ms start misses 1200 ms; warm = a 100 ms final pass + the start fits.
    const costed = await runCli(["plan", "move", MOVE_VM, ...common, "--downtime-budget", "1200", "--pass-cost", "100", "--start-cost", "1000", "--json"]);
    expect(costed.code, costed.stderr).toBe(0);
    expect((JSON.parse(costed.stdout.trim()) as { plan: FleetPlan }).plan.migrations[0]!.move).toMatchObject({ mode: "warm", predictedDowntimeMs: 1100 });
    expect((await virsh("b", ["domstate", "--domain", MOVE_VM])).code).not.toBe(0); // planning changed nothing
    // Review, then run the plan file.
    const file = join(MOVE_DIR, "plan.json");
    writeFileSync(file, cold.stdout);
    const r = await runCli(["plan", "run", file, "--json", "--config", config]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event?: string; report?: { ok: boolean; outcomes: { vmId: string; status: string; vmLocation: unknown }[] } });
    const finished = events.find((e) => e.report !== undefined)?.report;
    expect(finished?.ok).toBe(true);
    expect(finished?.outcomes).toEqual([expect.objectContaining({ vmId: MOVE_VM, status: "completed", vmLocation: expect.objectContaining({ side: "target", hostId: "b", powerState: "running" }) })]);
    expect((await virsh("b", ["domstate", "--domain", MOVE_VM])).stdout.trim()).toBe("running");
    const volume = (await must("b", ["vol-path", "--pool", DST_POOL, "--vol", `${MOVE_VM}-vdb.img`])).trim();
    expect(await contentHash(volume, "raw")).toBe(before);
  });
});
