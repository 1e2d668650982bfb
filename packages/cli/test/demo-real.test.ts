/** `vmshift demo --real` on the local QEMU/libvirt lab (installed by .ci/setup.d/40-libvirt.sh). */
import { TARGETS as PUBLISHED, loadTargetModules, targetModulesFromEnv } from "@vmshift/conformance";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

/** The suite's targets and the repository's local ones ($VMSHIFT_CONFORMANCE_TARGETS, set in vitest.config.ts). */
const TARGETS = [...PUBLISHED, ...(await loadTargetModules(targetModulesFromEnv(process.env)))];

describe("vmshift demo --real", () => {
  it("live-migrates the lab guest between the two local libvirt hosts", { timeout: 5 * 60_000 }, async () => {
    const lab = TARGETS.find((t) => t.name === "libvirt-local")!;
    const availability = (await lab.available?.()) ?? { ok: true as const };
    if (!availability.ok) {
      if (process.env["CI"] === "true") throw new Error(`libvirt lab unavailable in CI: ${availability.reason}`);
      const { code, stderr } = await runCli(["demo", "--real"]);
      expect(code).toBe(EXIT.error);
      expect(stderr).toMatch(/CAPABILITY_UNAVAILABLE: .*40-libvirt\.sh/);
      return;
    }
    const { code, stdout, stderr } = await runCli(["demo", "--real", "--json"]);
    expect(code, stderr).toBe(EXIT.ok);
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as { phase: string; vmLocation: { side: string; powerState: string } };
    expect(last).toMatchObject({ phase: "completed", vmLocation: { side: "target", powerState: "running" } });
  });
});
