/** Every command that talks to a platform works against every conformance target that runs here (`--profile target:<name>`). */
import { TARGETS as PUBLISHED, loadTargetModules, targetModulesFromEnv } from "@vmshift/conformance";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

/** The suite's targets and the repository's local ones ($VMSHIFT_CONFORMANCE_TARGETS, set in vitest.config.ts). */
const TARGETS = [...PUBLISHED, ...(await loadTargetModules(targetModulesFromEnv(process.env)))];

/**
 * Replayed fixtures answer only the exchanges of their own scenarios, and live/kind targets need
 * endpoints; libvirt-local's real QEMU lab is exercised by the conformance run (one lab at a time).
 */
const LOCAL = TARGETS.filter((t) => !/-(live|kind|fixtures)$/.test(t.name) && t.name !== "libvirt-local");

describe.each(LOCAL.map((t) => [t.name, t] as const))("vmshift against target:%s", (name, target) => {
  it("vms, hosts, plan and migrate work and exit 0", { timeout: 10 * 60_000 }, async () => {
    const availability = (await target.available?.()) ?? { ok: true as const };
    if (!availability.ok) {
      if (process.env["CI"] === "true") throw new Error(`${name} unavailable in CI: ${availability.reason}`);
      return;
    }
    const session = await target.open();
    const subjects = session.subjects;
    await session.close();
    await target.dispose?.();
    const profile = ["--profile", `target:${name}`];

    const vms = await runCli(["vms", "--json", ...profile]);
    expect(vms.code, vms.stderr).toBe(EXIT.ok);
    const ids = vms.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toContain(subjects.liveVm);

    const hosts = await runCli(["hosts", ...profile]);
    expect(hosts.code, hosts.stderr).toBe(EXIT.ok);
    expect(hosts.stdout).toContain(subjects.targetHost);

    const plan = await runCli(["plan", subjects.liveVm, "--to", subjects.targetHost, ...profile]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(EXIT.ok);

    const migrate = await runCli(["migrate", subjects.liveVm, "--to", subjects.targetHost, "--json", ...profile]);
    expect(migrate.code, migrate.stderr).toBe(EXIT.ok);
    expect(JSON.parse(migrate.stdout.trim().split("\n").at(-1)!)).toMatchObject({ event: "result", phase: "completed", vmLocation: { side: "target" } });
  });
});
