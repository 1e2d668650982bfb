/**
 * `vmshift move --from <hyperv profile>`: the profile's `shares` (where the hosts' admin shares are
 * mounted here) is read and refused as a usage error before any PowerShell runs. The real moves run
 * against the stand-in pwsh (adapters-conformance/libvirt-lab/hyperv-move.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-hv-cli-"));
const config = join(dir, "config.yaml");
// The executable does not exist: a test that got past the checks would fail on spawning it, not pass.
writeFileSync(config, [
  "profiles:",
  "  hv-noshares:",
  "    platform: hyperv",
  "    executable: /nonexistent/pwsh",
  "  hv-relative:",
  "    platform: hyperv",
  "    executable: /nonexistent/pwsh",
  "    shares: { '\\\\HV-A\\D$': mnt/d }",
  "  hv-notunc:",
  "    platform: hyperv",
  "    executable: /nonexistent/pwsh",
  "    shares: { 'D:': /mnt/d }",
  "  one:",
  "    platform: libvirt",
  "    hosts: [{ id: h3, uri: 'qemu+unix:///system?socket=/nonexistent/3' }]",
  "",
].join("\n"));

describe("vmshift move from a Hyper-V profile: shares", () => {
  it.each([
    ["hv-noshares", "reads the VHDX files through the hosts' administrative shares mounted here: set shares"],
    ["hv-relative", "must name an absolute local directory"],
    ["hv-notunc", 'shares key "D:" is not a UNC prefix'],
  ])("%s is a usage error naming what to set", async (profile, message) => {
    const r = await runCli(["move", "6f1c2a40-0000-4000-8000-000000000001", "--from", profile, "--to", "one", "--config", config]);
    expect(r.code, r.stderr).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
  });
});
