/**
 * `vmshift move`: what it refuses before asking any platform (exit 2 for the command line, NOT_SUPPORTED
 * for platforms that cannot move yet). The real moves it drives run in the libvirt lab
 * (adapters-conformance/libvirt-lab/move.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-cli-"));
const config = join(dir, "config.yaml");
writeFileSync(config, [
  "profiles:",
  "  two:",
  "    platform: libvirt",
  "    hosts: [{ id: h1, uri: 'qemu+unix:///system?socket=/nonexistent/1' }, { id: h2, uri: 'qemu+unix:///system?socket=/nonexistent/2' }]",
  "  cluster:",
  "    platform: kubevirt",
  "    kubeconfig: /nonexistent/kubeconfig",
  "  one:",
  "    platform: libvirt",
  "    hosts: [{ id: h3, uri: 'qemu+unix:///system?socket=/nonexistent/3' }]",
  "",
].join("\n"));

describe("vmshift move: refusals before any platform is asked", () => {
  it("needs --from and --to", async () => {
    const r = await runCli(["move", "web-01", "--to", "one", "--config", config]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain("--from <profile> --to <profile>");
  });

  it("refuses malformed maps as usage errors naming the entry", async () => {
    const r = await runCli(["move", "web-01", "--from", "one", "--to", "one", "--network-map", "prod", "--config", config]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('network map entry "prod" is not <source>=<target>');
  });

  it("refuses an unknown --mode, and warm tuning without --mode warm", async () => {
    const bad = await runCli(["move", "web-01", "--from", "one", "--to", "one", "--mode", "hot", "--config", config]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain("--mode hot: say cold or warm");
    const tuned = await runCli(["move", "web-01", "--from", "one", "--to", "one", "--max-passes", "3", "--config", config]);
    expect(tuned.code).toBe(EXIT.usage);
    expect(tuned.stderr).toContain("--max-passes and --converged-bytes tune warm moves: add --mode warm");
  });

  it("a warm move says so and reaches its source's change tracking (unreachable here: failed, exit 3)", async () => {
    const r = await runCli(["move", "web-01", "--from", "one", "--to", "one", "--mode", "warm", "--max-passes", "2", "--config", config]);
    expect(r.code).toBe(EXIT.migrationFailed);
    expect(r.stderr).toMatch(/move \S+ started: web-01 h3 → h3 \(warm;/);
  });

  it("a kubevirt target profile must name CDI's upload proxy; kubevirt is no move source", async () => {
    const r = await runCli(["move", "web-01", "--from", "one", "--to", "cluster", "--config", config]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain("profile cluster: a move into KubeVirt uploads disks through CDI's upload proxy: set uploadProxyUrl");
    const from = await runCli(["move", "web-01", "--from", "cluster", "--to", "one", "--config", config, "--json"]);
    expect(from.code).toBe(EXIT.usage);
    expect(from.stdout + from.stderr).toMatch(/NOT_SUPPORTED.*kubevirt profile; moves support libvirt, vsphere, hyperv, nutanix sources/);
  });

  it("asks which host of a profile with several", async () => {
    const r = await runCli(["move", "web-01", "--from", "two", "--to", "one", "--config", config]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain("profile two has 2 hosts: say which with --from-host <id>");
  });

  it("refuses platforms that cannot move yet with NOT_SUPPORTED (a profile mistake: exit 2)", async () => {
    const r = await runCli(["move", "vm-1", "--from", "simulator", "--to", "one", "--config", config, "--json"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout + r.stderr).toMatch(/NOT_SUPPORTED.*simulator profile; moves support libvirt, vsphere, hyperv, nutanix sources/);
  });

  it("a source that cannot be reached ends the move failed (exit 3) with the error in the JSON result", async () => {
    const r = await runCli(["move", "web-01", "--from", "two", "--from-host", "h1", "--to", "one", "--config", config, "--json"]);
    expect(r.code).toBe(EXIT.migrationFailed);
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { outcome: string; vmLocation: { side: string }; error: { message: string } };
    expect(last).toMatchObject({ outcome: "failed", vmLocation: { side: "source" } });
    expect(last.error.message).toMatch(/move\.readDefinition|nonexistent/);
  });
});
